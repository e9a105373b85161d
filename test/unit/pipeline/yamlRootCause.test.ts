// One YAML mistake, one problem: the root cause with a targeted hint, not the cascade `yaml` reports after it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { check, VALID, type Located } from "../helpers";

const LINES = VALID.trimEnd().split("\n");

function only(text: string): Located {
  const found = check(text);
  assert.equal(found.length, 1, `one problem expected, got ${JSON.stringify(found, null, 1)}`);
  assert.equal(found[0]?.code, "yaml-syntax");
  return found[0] as Located;
}

function withLine(i: number, line: string): string {
  return [...LINES.slice(0, i), line, ...LINES.slice(i + 1)].join("\n") + "\n";
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

describe("YAML errors: one root cause each", () => {
  it("a tab in the indentation of any line is one problem at that tab", () => {
    let tried = 0;
    for (let i = 0; i < LINES.length; i++) {
      const line = LINES[i] as string;
      if (indentOf(line) < 2) continue;
      const text = withLine(i, "\t" + line.slice(2));
      const p = only(text);
      assert.match(p.message, /^this line is indented with a tab; YAML allows only spaces in indentation: replace each tab with spaces/);
      assert.equal(p.range.split("-")[0], `${i + 1}:1`, `line ${i + 1}: ${p.message}`);
      tried++;
    }
    assert.ok(tried > 15);
  });

  it("a tab at the start of a top-level key, and a file indented with tabs throughout, are one problem naming every line", () => {
    assert.match(only(VALID.replace("name: orders_daily", "\tname: orders_daily")).message, /indented with a tab/);
    const tabbed = VALID.replace(/^( {2})+/gm, (s) => "\t".repeat(s.length / 2));
    const tabLines = tabbed.split("\n").flatMap((l, i) => (l.startsWith("\t") ? [i + 1] : []));
    const p = only(tabbed);
    assert.equal(p.range.split("-")[0], `${tabLines[0]}:1`);
    assert.match(p.message, new RegExp(`\\(lines ${tabLines.slice(1, 9).join(", ")} and ${tabLines.length - 1 - 8} more too\\)`));
  });

  const templates: [string, string, string, string][] = [
    ["a flow map's last value", "    root: ./data", "    root: {path: ${env:DATA_DIR}}", "{…}"],
    ["a flow map's first value", "    root: ./data", "    root: {path: ${env:DATA_DIR}, other: x}", "{…}"],
    ["a connection written as a flow map", "  raw:\n    type: file\n    root: ./data", "  raw: {type: file, root: ${env:DATA_DIR}}", "{…}"],
    ["a flow sequence item", "      - select: [id, amount]", "      - select: [id, ${env:DATA_DIR}]", "[…]"],
    ["a flow sequence's first item", "      - select: [id, amount]", "      - select: [${env:DATA_DIR}, id]", "[…]"],
    ["a flow sequence inside a flow map", "    root: ./data", "    root: {paths: [a, ${env:DATA_DIR}]}", "[…]"],
  ];
  for (const [where, from, to, brackets] of templates) {
    it(`\${env:…} unquoted in ${where}: one problem on the template, and its fix parses`, () => {
      const text = VALID.replace(from, to);
      assert.notEqual(text, VALID);
      const p = only(text);
      assert.equal(p.text, "${env:DATA_DIR}");
      assert.equal(p.message, `quote a value that starts with \`\${\` inside \`${brackets}\`: write \`"\${env:DATA_DIR}"\`; unquoted, YAML reads its \`{\` as the start of a nested map`);
      const problem = validatePipeline(text).problems[0];
      assert.equal(problem?.suggestion, '"${env:DATA_DIR}"');
      const fixed = text.slice(0, problem.span.start) + problem.suggestion + text.slice(problem.span.end);
      assert.deepEqual(check(fixed).filter((x) => x.code === "yaml-syntax"), []);
    });
  }

  it("a key indented less or more than the key above it says which column it should start at", () => {
    let tried = 0;
    for (let i = 1; i < LINES.length; i++) {
      const line = LINES[i] as string;
      const above = LINES[i - 1] as string;
      // A key after a sibling `key: value` line: the column expected is the sibling's.
      if (indentOf(line) < 2 || indentOf(line) !== indentOf(above) || !/^\s+[a-z_]+: \S/.test(line) || !/^\s+(- )?[a-z_]+: \S/.test(above)) continue;
      for (const shift of [-1, 1]) {
        const moved = shift < 0 ? line.slice(1) : " " + line;
        const p = only(withLine(i, moved));
        const key = line.trim().split(":")[0] as string;
        const expected = indentOf(line) + 1;
        assert.match(p.message, new RegExp(`^bad indentation: \`${key}\` starts at column ${expected + shift}, but .* starts at column ${expected}; indent it to column ${expected} to line it up`), `line ${i + 1} shifted ${shift}`);
        assert.equal(p.range, `${i + 1}:${expected + shift}-${i + 1}:${expected + shift + key.length}`);
        tried++;
      }
    }
    assert.ok(tried >= 4, `tried ${tried}`);
  });

  it("a key of a list item indented less than the item's first key names that key's column (every such line)", () => {
    let tried = 0;
    for (let i = 1; i < LINES.length; i++) {
      const line = LINES[i] as string;
      const item = /^( *- )([a-z_]+):/.exec(LINES[i - 1] as string);
      if (!item || indentOf(line) !== (item[1] as string).length || !/^\s+[a-z_]+:/.test(line)) continue;
      const key = line.trim().split(":")[0] as string;
      const column = indentOf(line) + 1;
      const p = only(withLine(i, line.slice(1)));
      assert.equal(p.message, `bad indentation: \`${key}\` starts at column ${column - 1}, but \`${item[2]}\` on line ${i} starts at column ${column}; indent it to column ${column} to line it up`);
      tried++;
    }
    assert.ok(tried >= 3, `tried ${tried}`);
  });

  it("a key missing the space after its colon, or the colon, is one problem whose fix is `key: value` (every such line)", () => {
    let tried = 0;
    for (let i = 0; i < LINES.length; i++) {
      const m = /^( *)([a-z_]+): (\S.*)$/.exec(LINES[i] as string);
      // The only key of its map would become a plain value (`out: "type file"`): valid YAML, a schema matter.
      const alone = indentOf(LINES[i - 1] ?? "") < indentOf(LINES[i] as string) && indentOf(LINES[i + 1] ?? "") < indentOf(LINES[i] as string);
      if (!m || alone) continue;
      const [, lead = "", key = "", value = ""] = m;
      for (const [broken, what] of [[`${lead}${key}:${value}`, `\`${key}:\` needs a space after the colon`], [`${lead}${key} ${value}`, `\`${key}\` needs a colon after it`]] as const) {
        const text = withLine(i, broken);
        const p = only(text);
        assert.equal(p.message, `${what} to be a key with a value: write \`${key}: ${value}\` (as it is, YAML reads the line as one long key)`, `line ${i + 1}: ${broken}`);
        assert.equal(p.range.split("-")[0], `${i + 1}:${lead.length + 1}`);
        const problem = validatePipeline(text).problems[0];
        assert.equal(problem?.suggestion, `${key}: ${value}`);
        assert.equal(text.slice(0, problem.span.start) + problem.suggestion + text.slice(problem.span.end), VALID);
        tried++;
      }
    }
    assert.ok(tried >= 12, `tried ${tried}`);
  });

  it("an unclosed quote or bracket is one problem at the opening character", () => {
    const quote = only(VALID.replace("name: orders_daily", 'name: "orders_daily'));
    assert.equal(quote.range, "2:7-2:8");
    assert.match(quote.message, /^this double-quoted string is never closed.*add the closing `"` where the value ends$/);
    assert.match(only(VALID.replace("name: orders_daily", "name: 'orders_daily")).message, /^this single-quoted string is never closed/);
    const list = only(VALID.replace("depends_on: [orders]", "depends_on: [orders"));
    assert.equal(list.text, "[");
    assert.match(list.message, /^this `\[` list is not closed: end it with `\]`/);
    const map = only(VALID.replace("  raw:\n    type: file\n    root: ./data", "  raw: {type: file, root: ./data"));
    assert.equal(map.text, "{");
    assert.match(map.message, /^this `\{` map is not closed: end it with `\}`/);
  });

  it("an independent mistake in a later section is still reported; what the first one caused is not", () => {
    const two = check(VALID.replace("    type: file\n    root: ./data", "\ttype: file\n    root: ./data").replace("      path: paid.jsonl", "       path: paid.jsonl"));
    assert.deepEqual(two.map((p) => p.message.split(";")[0]), ["this line is indented with a tab", "bad indentation: `path` starts at column 8, but `connection` on line 22 starts at column 7"]);
    const dup = check(VALID.replace("depends_on: [orders]", "depends_on: [orders").replace("name: orders_daily", "name: orders_daily\nname: again"));
    assert.deepEqual(dup.map((p) => p.message.split(":")[0]), ["duplicate key", "this `[` list is not closed"]);
  });

  it("with a YAML error, no schema or rule problem is reported (they would misfire on the broken structure)", () => {
    const text = VALID.replace("connection: raw", "connection: nowhere").replace("name: orders_daily", "name: 'orders_daily");
    assert.deepEqual(check(text).map((p) => p.code), ["yaml-syntax"]);
  });
});
