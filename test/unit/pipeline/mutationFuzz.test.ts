/**
 * Differential mutation fuzzing: the repository's pipeline files (examples and test fixtures), edited
 * at random by a seeded mutator (test/support/mutate.ts). For every mutated text, the language
 * server's incremental validation (which has seen the texts before it, as an editor session would)
 * must give exactly the problems of a fresh `validatePipeline` — codes, messages, ranges to the
 * character, order — and the same graph and outline (every step's spans); and no validation and no editor feature may throw.
 *
 * The seed is printed; `FUZZ_SEED=<n>` replays a run and `FUZZ_COUNT=<n>` changes its size. A failure
 * prints the seed, the case, the mutations, and the text before and after the edit.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Analysis } from "../../../server/src/language/analysis";
import { CodeLensMemory } from "../../../server/src/language/codeLens";
import { complete } from "../../../server/src/language/completion";
import { dagResult } from "../../../server/src/language/customRequests";
import { formatText } from "../../../server/src/language/formatting";
import { hover } from "../../../server/src/language/hover";
import { documentLinks } from "../../../server/src/language/links";
import { definition, references } from "../../../server/src/language/navigation";
import { documentSymbols, foldingRanges } from "../../../server/src/language/symbols";
import { PiecewiseValidator } from "../../../server/src/pipeline/piecewise";
import { validatePipeline, type ValidationResult } from "../../../server/src/pipeline/validate";
import { outlineFacts } from "../../support/outlineFacts";
import { FUZZ_ENV, fuzzCount, fuzzSeed, mutate, pipelineCorpus, seededRng, type Rng } from "../../support/mutate";

const ROOT = join(__dirname, "../../..");
/** Mutations per run (CI): each is one edit in an editor session on one of the files. */
const COUNT = fuzzCount(2400);
/** Edits in one session before it starts again from an unmutated file. */
const SESSION = 12;

/** The graph, without the outline objects it shares (compared by value). */
const graphOf = (r: Omit<ValidationResult, "pipeline">) => ({ nodes: r.dag.nodes, edges: r.dag.edges, order: r.dag.order, levels: r.dag.levels, cycles: r.dag.cycles.map((c) => c.path) });

/** Every editor feature that reads an analysis, at one random place: none may throw. */
function useFeatures(text: string, result: Omit<ValidationResult, "pipeline">, rng: Rng): void {
  const document = TextDocument.create("file:///fuzz.etl.yaml", "etl-pipeline", 1, text);
  const analysis: Analysis = { uri: document.uri, version: 1, text, envStamp: "", mode: "whole", costMs: 0, ...result };
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const offset = rng.int(text.length + 1);
  complete({ document, lines, offset, analysis, envNames: FUZZ_ENV });
  hover(document, lines, analysis, offset);
  definition(document, analysis, offset);
  references(document, analysis, offset, true);
  documentSymbols(document, analysis);
  foldingRanges(lines);
  documentLinks(document, analysis);
  new CodeLensMemory().lenses(document, lines, analysis);
  dagResult(document, analysis);
  formatText(text);
}

function report(seed: number, index: number, name: string, ops: string[], before: string, text: string, err: unknown): Error {
  const lines = [
    `mutation fuzz failed: seed ${seed} (replay: FUZZ_SEED=${seed} FUZZ_COUNT=${COUNT}), case ${index}, file ${name}, mutations ${ops.join(" + ")}`,
    `text before the edit (the incremental validator had validated it): ${JSON.stringify(before)}`,
    `text after the edit: ${JSON.stringify(text)}`,
    err instanceof Error ? (err.stack ?? err.message) : String(err),
  ];
  return new Error(lines.join("\n"), { cause: err });
}

describe("mutation fuzzing: incremental and fresh validation agree, nothing throws", () => {
  it(`${COUNT} seeded mutations of the examples and fixtures`, () => {
    const seed = fuzzSeed();
    console.log(`mutation fuzz: seed ${seed}, ${COUNT} cases (FUZZ_SEED=${seed} replays)`);
    const rng = seededRng(seed);
    const corpus = pipelineCorpus(ROOT);
    assert.ok(corpus.length >= 5, "examples and fixtures found");
    const context = { envNames: FUZZ_ENV };
    const started = performance.now();
    let index = 0;
    let changed = 0;
    while (index < COUNT) {
      const file = rng.pick(corpus);
      const validator = new PiecewiseValidator();
      let current = file.text;
      validator.update(current, context);
      for (let k = 0; k < SESSION && index < COUNT; k++, index++) {
        // Most edits build on the last one (typing); some go back to the file as saved.
        const from = rng.next() < 0.6 ? current : file.text;
        const { text, ops } = mutate(from, rng);
        try {
          const fresh = validatePipeline(text, context);
          const incremental = validator.update(text, context);
          assert.deepStrictEqual(incremental.problems, fresh.problems, "incremental problems differ from a fresh validation");
          assert.deepStrictEqual(graphOf(incremental), graphOf(fresh), "incremental graph differs from a fresh validation");
          assert.deepStrictEqual(outlineFacts(incremental.outline), outlineFacts(fresh.outline), "incremental outline (steps, spans) differs from a fresh validation");
          useFeatures(text, fresh, rng);
        } catch (err: unknown) {
          throw report(seed, index, file.name, ops, current, text, err);
        }
        if (text !== file.text) changed++;
        current = text;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`mutation fuzz: ${COUNT} cases (${changed} changed the file) over ${corpus.length} files in ${seconds.toFixed(1)} s`);
    assert.ok(changed > COUNT * 0.9, "the mutations change the texts");
  });
});
