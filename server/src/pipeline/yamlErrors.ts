/**
 * `yaml` library errors → `yaml-syntax` problems, one per root cause. After a structural error
 * (a tab, a broken flow collection, a bad indent) `yaml` reports every token that follows it too: a
 * tab gave ten errors, an unquoted `${env:X}` in `{…}` seventy-nine. Here the first structural
 * error stands for its top-level section ("region") and the rest of that section; a later section
 * keeps errors only when it is broken on its own (parsed alone, it still fails), so an independent
 * mistake elsewhere is still reported. Each kept error gets a targeted hint (yamlHints.ts).
 */
import { parseDocument, type Document, type YAMLError } from "yaml";
import { problem, type Problem } from "./problem";
import { hintFor, lowerFirst, tabProblem } from "./yamlHints";

/** Errors that break the structure, so what follows them in their section is not to be trusted. */
const STRUCTURAL = new Set<string>([
  "BAD_INDENT",
  "BAD_SCALAR_START",
  "BLOCK_AS_IMPLICIT_KEY",
  "BLOCK_IN_FLOW",
  "MISSING_CHAR",
  "MULTILINE_IMPLICIT_KEY",
  "TAB_AS_INDENT",
  "UNEXPECTED_TOKEN",
  "IMPOSSIBLE",
  "BAD_PROP_ORDER",
]);

const OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false, strict: true } as const;

/** A line at column 0 that opens a top-level section (`name:`, `steps:` …). */
const SECTION_LINE = /^[A-Za-z_][A-Za-z0-9_-]*[ ]*:(?:[ \t]|\r?$)/gm;

/** Offsets where top-level sections start (0 first: what comes before the first key). */
function regionStarts(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(SECTION_LINE)) if (m.index > 0) starts.push(m.index);
  return starts;
}

function regionOf(starts: readonly number[], offset: number): number {
  let i = 0;
  while (i + 1 < starts.length && (starts[i + 1] as number) <= offset) i++;
  return i;
}

/**
 * Errors in text order, a tab in the indentation first on its line: `yaml` notices what the tab
 * breaks at the line break before it.
 */
function inOrder(errors: readonly YAMLError[], text: string): YAMLError[] {
  const at = (e: YAMLError): number => (e.code === "TAB_AS_INDENT" ? text.lastIndexOf("\n", e.pos[0] - 1) - 0.5 : e.pos[0]);
  return [...errors].sort((a, b) => at(a) - at(b));
}

/** The errors of one parse that are root causes: those before the first structural error, and it. */
function firstCauses(errors: readonly YAMLError[], text: string): YAMLError[] {
  const sorted = inOrder(errors, text);
  const at = sorted.findIndex((e) => STRUCTURAL.has(e.code));
  return at < 0 ? sorted : sorted.slice(0, at + 1);
}

/** The root-cause errors of a section parsed on its own, at their offsets in the whole text; none when it parses. */
function independentCauses(text: string, start: number, end: number): YAMLError[] {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text.slice(start, end), OPTIONS);
  } catch {
    return []; // the whole text parsed, so this cannot fail; if it does, the root cause stands alone
  }
  return firstCauses(doc.errors, text.slice(start, end)).map((e) => {
    e.pos = [e.pos[0] + start, e.pos[1] + start];
    return e;
  });
}

/**
 * The root-cause errors of a document (see the module comment). `causeAt` is where an error's cause
 * is, which can be a section before where `yaml` noticed it (a `[` never closed is noticed at the
 * next key): sections after the cause's one are checked on their own.
 */
function rootErrors(errors: readonly YAMLError[], text: string, causeAt: (e: YAMLError) => number): YAMLError[] {
  const sorted = inOrder(errors, text);
  const first = sorted.findIndex((e) => STRUCTURAL.has(e.code));
  if (first < 0) return sorted;
  const root = sorted[first] as YAMLError;
  const starts = regionStarts(text);
  const rootRegion = regionOf(starts, Math.min(root.pos[0], causeAt(root)));
  const kept = sorted.slice(0, first).filter((e) => regionOf(starts, e.pos[0]) <= rootRegion);
  kept.push(root);
  for (let r = rootRegion + 1; r < starts.length; r++) {
    for (const e of independentCauses(text, starts[r] as number, starts[r + 1] ?? text.length)) if (e.pos[0] !== root.pos[0] || e.code !== root.code) kept.push(e);
  }
  return kept;
}

/** `doc`'s errors as problems: one per root cause, tabs gathered into one, each with its hint. */
export function yamlSyntaxProblems(doc: Document.Parsed, text: string): Problem[] {
  const hinted = new Map<YAMLError, Problem | undefined>();
  const hint = (e: YAMLError): Problem | undefined => {
    if (!hinted.has(e)) hinted.set(e, e.code === "TAB_AS_INDENT" ? undefined : hintFor(e, doc, text));
    return hinted.get(e);
  };
  const roots = rootErrors(doc.errors, text, (e) => hint(e)?.span.start ?? e.pos[0]);
  const tabs = doc.errors.filter((e) => e.code === "TAB_AS_INDENT");
  const problems: Problem[] = [];
  let tabDone = false;
  for (const e of roots) {
    if (e.code === "TAB_AS_INDENT") {
      if (!tabDone) problems.push(tabProblem(text, tabs));
      tabDone = true;
      continue;
    }
    problems.push(hint(e) ?? plainProblem(e, text));
  }
  return problems;
}

/** An error with no targeted hint: `yaml`'s message without its position suffix. */
function plainProblem(e: YAMLError, text: string): Problem {
  const start = Math.min(e.pos[0], text.length);
  const end = Math.max(start, Math.min(e.pos[1], text.length));
  return problem("yaml-syntax", "error", lowerFirst(e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "")), { start, end });
}
