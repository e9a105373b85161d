// Hostile files (test/support/hostile.ts), one test per class: what validate and the CLI give for
// inputs that once made them do quadratic or unbounded work. Behaviour only; the timings are in
// `npm run bench -- hostile`.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";
import { capProblems, MAX_FILE_BYTES, MAX_PROBLEMS, planCap } from "../../../server/src/pipeline/limits";
import { problem, type Problem } from "../../../server/src/pipeline/problem";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { duplicateIds, largePipeline, misspeltReferences, unknownKeys } from "../../support/hostile";

const dir = mkdtempSync(join(tmpdir(), "agent-etl-hostile-"));

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), logger: pino({ level: "silent" }), env: {}, cwd: dir };
  const code = await main(args, io);
  return { code, out: out.join("\n") };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface JsonDiagnostic {
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
}

async function validateJson(path: string): Promise<{ code: number; diagnostics: JsonDiagnostic[] }> {
  const r = await cli(["validate", "--format", "json", path]);
  return { code: r.code, diagnostics: JSON.parse(r.out) as JsonDiagnostic[] };
}

/** The CLI lists `MAX_PROBLEMS` diagnostics, then one note counting `hidden` more errors. */
function assertCapped(diagnostics: JsonDiagnostic[], code: string, hidden: number): void {
  assert.equal(diagnostics.length, MAX_PROBLEMS + 1);
  assert.ok(diagnostics.slice(0, MAX_PROBLEMS).every((d) => d.code === code));
  const note = diagnostics[MAX_PROBLEMS];
  assert.equal(note?.code, "too-many-problems");
  assert.equal(note?.severity, "error");
  const n = hidden.toLocaleString("en-US");
  assert.ok(note?.message.startsWith(`${n} more problems not shown (${n} errors)`), note?.message);
}

describe("hostile files", () => {
  it("many misspelt step references: each still gets its suggestion; the CLI lists 200 and counts the rest", async () => {
    const text = misspeltReferences(20000);
    const unknown = validatePipeline(text).problems.filter((p) => p.code === "unknown-step");
    assert.equal(unknown.length, 10000);
    unknown.forEach((p, k) => {
      const i = 2 * k + 1;
      assert.equal(p.suggestion, `step_${i - 1}`, p.message);
      assert.equal(text.slice(p.span.start, p.span.end), `stpe_${i - 1}`);
    });
    const path = file("refs.etl.yaml", text);
    const json = await validateJson(path);
    assert.equal(json.code, 1);
    assertCapped(json.diagnostics, "unknown-step", 9800);
    const textOut = await cli(["validate", path]);
    assert.equal(textOut.out.split("\n").filter((l) => l.includes("error [unknown-step]")).length, MAX_PROBLEMS);
    assert.match(textOut.out, /✖ 10,000 errors, 0 warnings in 1 file$/);
  });

  for (const where of ["step", "top"] as const) {
    it(`100,000 unknown keys (${where === "step" ? "in a step" : "at the top level"}): 200 problems are made, the rest counted`, async () => {
      const text = unknownKeys(100000, where);
      const problems = validatePipeline(text).problems;
      const made = problems.filter((p) => p.code === "schema");
      assert.equal(made.length, MAX_PROBLEMS);
      made.forEach((p, i) => assert.equal(text.slice(p.span.start, p.span.end), `unknown_key_${i}`));
      const standIn = problems.filter((p) => p.code === "too-many-problems");
      assert.deepEqual(
        standIn.map((p) => p.omitted),
        [100000 - MAX_PROBLEMS],
      );
      const json = await validateJson(file(`keys-${where}.etl.yaml`, text));
      assertCapped(json.diagnostics, "schema", 100000 - MAX_PROBLEMS);
      const textOut = await cli(["validate", join(dir, `keys-${where}.etl.yaml`)]);
      assert.match(textOut.out, /✖ 100,000 errors, 0 warnings in 1 file$/);
      const run = await cli(["run", "--dry-run", join(dir, `keys-${where}.etl.yaml`)]);
      assert.equal(run.code, 1);
      assert.match(run.out, /has 100,000 errors; fix them before running/);
    });
  }

  it("20,000 duplicate step ids: each gets a distinct free rename; the CLI lists 200", async () => {
    const problems = validatePipeline(duplicateIds(20000)).problems.filter((p) => p.code === "duplicate-step-id");
    assert.equal(problems.length, 19999);
    assert.deepEqual(
      problems.map((p) => p.suggestion),
      Array.from({ length: 19999 }, (_, i) => `same_${i + 2}`),
    );
    const json = await validateJson(file("dups.etl.yaml", duplicateIds(20000)));
    assertCapped(json.diagnostics, "duplicate-step-id", 19999 - MAX_PROBLEMS);
  });

  it("a file over the size limit is refused with one error on line 1, by every command", async () => {
    const path = file("large.etl.yaml", largePipeline(MAX_FILE_BYTES + 1));
    const json = await validateJson(path);
    assert.equal(json.code, 1);
    assert.deepEqual(
      json.diagnostics.map((d) => [d.line, d.column, d.severity, d.code]),
      [[1, 1, "error", "file-too-large"]],
    );
    assert.match(json.diagnostics[0]?.message ?? "", /^this file is 3 MB \([\d,]+ bytes\); pipeline files over 3 MB \(3,145,728 bytes\) are not checked\. Split it into several pipelines/);
    for (const command of [["dag"], ["run", "--dry-run"], ["export", "airflow"]]) {
      const r = await cli([...command, path]);
      assert.equal(r.code, 1, command.join(" "));
      assert.match(r.out, /error \[file-too-large\] this file is 3 MB/, command.join(" "));
    }
    // Just under the limit, the same kind of file is checked in full.
    const under = largePipeline(MAX_FILE_BYTES - 2000);
    assert.ok(under.length <= MAX_FILE_BYTES);
    assert.deepEqual(validatePipeline(under).problems, []);
  });
});

describe("the per-file cap", () => {
  const at = (i: number) => ({ start: i, end: i + 1 });
  const warning = (i: number) => problem("hardcoded-secret", "warning", `w${i}`, at(i));
  const error = (i: number) => problem("schema", "error", `e${i}`, at(i));

  it("lists errors before warnings, in the order given, and counts the rest by severity", () => {
    const problems: Problem[] = [...Array.from({ length: 300 }, (_, i) => warning(i)), error(300), error(301)];
    const capped = capProblems(problems);
    assert.equal(capped.length, MAX_PROBLEMS + 1);
    assert.deepEqual(
      capped.slice(0, MAX_PROBLEMS).map((p) => p.message),
      [...Array.from({ length: 198 }, (_, i) => `w${i}`), "e300", "e301"],
    );
    const note = capped[MAX_PROBLEMS];
    assert.equal(note?.code, "too-many-problems");
    assert.equal(note?.severity, "warning");
    assert.deepEqual(note?.span, at(198));
    assert.ok(note?.message.startsWith("102 more problems not shown (102 warnings): only 200 of this file's 302 problems are listed"), note?.message);
  });

  it("a stand-in's omitted problems are counted, never listed; few problems come back as they are", () => {
    const standIn = problem("too-many-problems", "error", "…", at(5), { omitted: 1000 });
    const plan = planCap([error(1), standIn, warning(9)]);
    assert.deepEqual(plan.shown, [true, false, true]);
    assert.equal(plan.firstHidden, 1);
    assert.ok(plan.note?.message.startsWith("1,000 more problems not shown (1,000 errors): only 2 of this file's 1,002 problems"), plan.note?.message);
    const few = [error(1), warning(2)];
    assert.deepEqual(capProblems(few), few);
  });
});
