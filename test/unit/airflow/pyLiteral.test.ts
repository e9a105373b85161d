/** pyString/pyValue: hostile values come back from a real Python (`ast.literal_eval`) exactly as given. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { pyString, pyValue } from "../../../server/src/airflow/pyLiteral";

const HOSTILE = [
  "",
  "plain",
  'double " quote',
  "single ' quote",
  '""" triple',
  "''' triple single",
  'end with backslash \\',
  "\\n literal backslash-n, \\x00 literal, \\u0041",
  "real\nnewline\r\nand\rcr\ttab",
  "{{ ds }} {% raw %} {# comment #} {{ '{' }}",
  "NUL \0 inside, bell \u0007, esc \u001b, DEL \u007f, C1 \u0085",
  "bidi \u202e override \u2066 isolate, zero width \u200b, BOM \ufeff",
  "line sep \u2028 paragraph sep \u2029",
  "unicode café Ωμέγα 日本語 עברית",
  "emoji 🚀 👩‍👩‍👧 🇩🇪",
  "lone surrogate \ud800 and \udfff",
  "private use \ue000, unassigned \u0378",
  '"); import os; os.system("rm -rf /"); ("',
  "\" + __import__('os').getcwd() + \"",
];

function pythonEval(literals: string[]): unknown[] {
  // Each literal on its own line; Python parses them and prints them back as JSON (surrogates as \\uXXXX).
  const script = "import ast, json, sys\nprint(json.dumps([ast.literal_eval(line) for line in sys.stdin.read().split('\\n') if line]))";
  const r = spawnSync("python3", ["-c", script], { input: literals.join("\n"), encoding: "utf8" });
  assert.equal(r.status, 0, `python3 failed (is python3 installed?): ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

describe("pyString", () => {
  it("round-trips hostile strings through a real Python parser", () => {
    assert.deepEqual(pythonEval(HOSTILE.map(pyString)), HOSTILE);
  });

  it("writes one line of printable text: no raw control, format or separator characters", () => {
    for (const s of HOSTILE) {
      const lit = pyString(s);
      assert.doesNotMatch(lit, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u, lit);
      assert.ok(lit.startsWith('"') && lit.endsWith('"'));
    }
  });

  it("keeps readable unicode and emoji as they are", () => {
    assert.equal(pyString("café 🚀"), '"café 🚀"');
    assert.equal(pyString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    assert.equal(pyString("\0\u202e😀"), '"\\x00\\u202e😀"');
  });
});

describe("pyValue", () => {
  it("writes scalars and lists as Python literals", () => {
    assert.equal(pyValue(null), "None");
    assert.equal(pyValue(true), "True");
    assert.equal(pyValue(false), "False");
    assert.equal(pyValue(42), "42");
    assert.equal(pyValue(1.5), "1.5");
    assert.equal(pyValue(["a", 1, null]), '["a", 1, None]');
    assert.deepEqual(pythonEval([pyValue(HOSTILE)]), [HOSTILE]);
  });

  it("refuses what has no literal", () => {
    assert.throws(() => pyValue(Number.NaN));
    assert.throws(() => pyValue({ a: 1 }));
  });
});
