import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { envAppendEdit, quickFixes } from "../../../server/src/pipeline/quickFixes";
import { validatePipeline } from "../../../server/src/pipeline/validate";

function fixesFor(text: string, code: string) {
  const result = validatePipeline(text);
  const problem = result.problems.find((p) => p.code === code);
  assert.ok(problem, `expected a ${code} problem`);
  return quickFixes(text, result.outline, problem);
}

function apply(text: string, edits: { span: { start: number; end: number }; newText: string }[]): string {
  return [...edits].sort((a, b) => b.span.start - a.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
}

describe("quickFixes", () => {
  it("a missing input gets depends_on at the step's indentation, and the result validates", () => {
    const text = "version: 1\nname: q\nconnections:\n  out: {type: file}\nsteps:\n  - id: a\n    extract: {connection: out, path: a.csv}\n  - id: b\n    load: {connection: out, path: b.csv}\n";
    const [fix] = fixesFor(text, "missing-input");
    assert.ok(fix);
    const fixed = apply(text, fix.edits);
    assert.match(fixed, /\n {4}depends_on: \[a\]\n {4}load:/);
    assert.equal(validatePipeline(fixed).problems.filter((p) => p.code === "missing-input").length, 0);
  });

  it("a hardcoded secret becomes an ${env:} reference and names the variable for .env", () => {
    const text = "version: 1\nname: q\nconnections:\n  db: {type: postgres, host: h, password: hunter2hunter2}\nsteps:\n  - id: a\n    extract: {connection: db, table: t}\n";
    const [fix] = fixesFor(text, "hardcoded-secret");
    assert.ok(fix?.envName);
    assert.ok(!apply(text, fix.edits).includes("hunter2hunter2"));
    assert.equal(fix.edits[0]?.newText, `\${env:${fix.envName}}`);
  });
});

describe("envAppendEdit", () => {
  it("appends NAME= on a new line, creates the file's text, and leaves a file that sets NAME alone", () => {
    assert.deepEqual(envAppendEdit(undefined, "A"), { span: { start: 0, end: 0 }, newText: "A=\n" });
    assert.deepEqual(envAppendEdit("B=1", "A"), { span: { start: 3, end: 3 }, newText: "\nA=\n" });
    assert.deepEqual(envAppendEdit("B=1\n", "A"), { span: { start: 4, end: 4 }, newText: "A=\n" });
    assert.equal(envAppendEdit("export A=1\n", "A"), undefined);
    assert.equal(envAppendEdit("  A = 1\n", "A"), undefined);
    assert.ok(envAppendEdit("AB=1\n", "A"), "another variable with the same prefix does not count");
  });
});
