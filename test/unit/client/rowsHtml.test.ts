/**
 * The "Preview rows" panel's document, from the CLI's JSON (PREVIEW_CONTRACT.md): everything from
 * the pipeline and its data is escaped, the CSP allows only our nonce, NULL is not the string "NULL".
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePreviewOutput, previewArgs, type PreviewResult } from "../../../client/src/rows/contract";
import { MAX_CELL_CHARS, rowsHtml, type RowsView } from "../../../client/src/rows/html";
import { random } from "../../support/random";

/** `n` characters drawn from `alphabet`. */
const randomText = (rnd: () => number, n: number, alphabet: string): string => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");

const NONCE = "bm9uY2UtZm9yLXRlc3Rz+/==";

function result(over: Partial<PreviewResult> = {}): PreviewResult {
  return {
    pipeline: "shop", step: "big_orders", limit: 50, truncated: false, notes: [], durationMs: 12,
    columns: [{ name: "id", type: "integer" }, { name: "customer", type: "string" }, { name: "note", type: null }],
    rows: [{ id: 1, customer: "ada", note: "x" }, { id: 2, customer: "grace", note: null }],
    ...over,
  };
}

const view = (r: PreviewResult): RowsView => ({ kind: "result", file: "/w/shop.etl.yaml", stepId: r.step, result: r });

/** The document's tags in order (names only): what a browser would build, whatever the text says. */
const tags = (html: string): string[] => [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[0]);

/** The `<td>`s of the body, as written. */
const cells = (html: string): string[] => [...html.matchAll(/<td[^>]*>.*?<\/td>/g)].map((m) => m[0]);

/** Markup-breaking text: tags, entities, quotes, attribute and script breakers, template syntax. */
const HOSTILE = [
  `<img src=x onerror="document.body.dataset.pwned=1">`,
  `</td></tr></tbody></table><script>alert(1)</script>`,
  `" onmouseover="alert(1)`,
  `' autofocus onfocus='alert(1)`,
  `&lt;already&gt; &amp; escaped`,
  "${alert(1)} {{x}} `tick`",
  `<!-- comment --><![CDATA[x]]>`,
  `</style><style>body{display:none}</style>`,
];

describe("Preview rows: the CLI's JSON", () => {
  it("asks the CLI for JSON, 50 rows, the step by name, the file as one argument", () => {
    assert.deepEqual(previewArgs("/w/my shop.etl.yaml", "big_orders"), ["preview", "/w/my shop.etl.yaml", "--step", "big_orders", "--limit", "50", "--format", "json"]);
  });

  it("reads a result; columns only found in rows are added with an unknown type", () => {
    const out = parsePreviewOutput(JSON.stringify({ ...result(), rows: [{ id: 1, extra: true }] }), 0);
    assert.ok(out.ok);
    assert.deepEqual(out.result.columns.map((c) => [c.name, c.type]), [["id", "integer"], ["customer", "string"], ["note", null], ["extra", null]]);
    assert.equal(out.result.truncated, false);
  });

  it("reads the CLI's error object, its fix and step", () => {
    const out = parsePreviewOutput(JSON.stringify({ error: { code: "unknown-step", message: "no step `nope`", fix: "use one of: a, b", step: null } }), 2);
    assert.deepEqual(out, { ok: false, error: { code: "unknown-step", message: "no step `nope`", fix: "use one of: a, b", step: null } });
  });

  it("turns output that is not the contract into an error naming what came instead, and how to fix it", () => {
    for (const [stdout, what] of [["", /printed nothing/], ["Usage: agent-etl <command>", /printed no JSON: Usage/], ["[1,2]", /not an object/], ['{"rows":[]}', /without `columns` and `rows`/], ['{"columns":[{"name":1}],"rows":[]}', /without `columns`/]] as const) {
      const out = parsePreviewOutput(stdout, 2, "unknown command `preview`\n");
      assert.ok(!out.ok, stdout);
      assert.equal(out.error.code, "preview-output");
      assert.match(out.error.message, what);
      assert.match(out.error.message, /exit code 2.*unknown command `preview`/);
      assert.match(out.error.fix ?? "", /agentEtl\.cliPath/);
    }
  });
});

describe("Preview rows: the panel's document", () => {
  it("has a strict CSP: nothing by default, style and script only with the nonce, and carries no other script", () => {
    const html = rowsHtml(view(result()), NONCE);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(csp, `default-src 'none'; style-src 'nonce-${NONCE}'; script-src 'nonce-${NONCE}';`);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.deepEqual(scripts, [` nonce="${NONCE}"`]);
    assert.deepEqual([...html.matchAll(/<style([^>]*)>/g)].map((m) => m[1]), [` nonce="${NONCE}"`]);
    assert.doesNotMatch(html, /\son[a-z]+=/i, "no inline event handlers (the CSP would block them anyway)");
  });

  it("shows a header cell per column with its name and type, muted; an unknown type says so", () => {
    const html = rowsHtml(view(result()), NONCE);
    const ths = [...html.matchAll(/<th scope="col"[^>]*>(.*?)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(ths, ["#", '<span class="name">id</span><span class="type">integer</span>', '<span class="name">customer</span><span class="type">string</span>', '<span class="name">note</span><span class="type unknown">unknown</span>']);
    assert.match(html, /thead th \{ position: sticky; top: 0;/);
    assert.match(html, /var\(--vscode-editor-background\)/);
  });

  it("shows NULL distinctly from the string \"NULL\", and a missing key as NULL too", () => {
    const r = result({ rows: [{ id: 1, customer: "NULL", note: null }, { id: 2 }] });
    const tds = cells(rowsHtml(view(r), NONCE));
    assert.deepEqual(tds.slice(0, 4), ['<td class="rownum">1</td>', '<td class="num">1</td>', "<td>NULL</td>", '<td class="null" title="NULL">NULL</td>']);
    assert.deepEqual(tds.slice(6), ['<td class="null" title="no value in this row">NULL</td>', '<td class="null" title="no value in this row">NULL</td>']);
  });

  it("aligns numbers right, exact decimals held as strings too; objects show as JSON", () => {
    const r = result({ columns: [{ name: "amount", type: "decimal" }, { name: "tags", type: "json" }, { name: "ok", type: "boolean" }], rows: [{ amount: "12345678901234567890.12", tags: { a: [1, "<b>"] }, ok: false }] });
    assert.deepEqual(cells(rowsHtml(view(r), NONCE)).slice(1), ['<td class="num">12345678901234567890.12</td>', "<td>{&quot;a&quot;:[1,&quot;&lt;b&gt;&quot;]}</td>", "<td>false</td>"]);
  });

  it("escapes hostile column names, types, values, notes and the step id: the markup is the same as for plain text", () => {
    const rnd = random(23);
    for (const bad of [...HOSTILE, ...Array.from({ length: 50 }, () => randomText(rnd, 40, `<>&"'=/ \`ab`))]) {
      const hostile = result({
        columns: [{ name: bad, type: bad }, { name: "v", type: "string" }],
        rows: [{ [bad]: bad, v: bad }, { [bad]: null, v: `${bad}${"x".repeat(MAX_CELL_CHARS)}` }],
        notes: [bad], truncated: true,
      });
      const plain = result({
        columns: [{ name: "a", type: "b" }, { name: "v", type: "string" }],
        rows: [{ a: "c", v: "d" }, { a: null, v: "e".repeat(MAX_CELL_CHARS + 1) }],
        notes: ["n"], truncated: true,
      });
      const html = rowsHtml(view(hostile), NONCE);
      assert.deepEqual(tags(html), tags(rowsHtml(view(plain), NONCE)), `the markup changed for ${JSON.stringify(bad)}`);
      if (/[<>&"']/.test(bad)) assert.ok(!html.includes(bad), `${JSON.stringify(bad)} appears unescaped`);
    }
  });

  it("escapes a hostile file name and step id in the title bar, and the nonce itself", () => {
    const html = rowsHtml({ kind: "loading", file: `/w/<b>"x".etl.yaml`, stepId: "a<script>" }, `"><script>`);
    assert.deepEqual(tags(html).filter((t) => t === "<script"), ["<script"]);
    assert.match(html, /&lt;b&gt;&quot;x&quot;\.etl\.yaml › a&lt;script&gt;/);
  });

  it("cuts long values and keeps the whole value in the cell's tooltip", () => {
    const long = `${"a".repeat(MAX_CELL_CHARS * 3)}<end>`;
    const td = cells(rowsHtml(view(result({ rows: [{ id: 1, customer: long, note: "short" }] })), NONCE))[2] ?? "";
    assert.equal(td, `<td title="${"a".repeat(MAX_CELL_CHARS * 3)}&lt;end&gt;">${"a".repeat(MAX_CELL_CHARS - 1)}…</td>`);
    assert.equal(cells(rowsHtml(view(result({ rows: [{ id: 1, customer: "short", note: "x" }] })), NONCE))[2], "<td>short</td>", "no tooltip when all is shown");
  });

  it("shows control characters and bidirectional overrides as visible escapes, the raw value in the tooltip", () => {
    const td = cells(rowsHtml(view(result({ rows: [{ id: 1, customer: "a\nb\u202Ec\u0007", note: "" }] })), NONCE))[2];
    assert.equal(td, '<td title="a\nb\u202Ec\u0007">a<span class="ctl">\\n</span>b<span class="ctl">\\u202e</span>c<span class="ctl">\\u0007</span></td>');
  });

  it("says above the table when more rows exist, and shows the notes", () => {
    const html = rowsHtml(view(result({ truncated: true, notes: ["aggregate `by_day` computed over the first 100000 input rows only"] })), NONCE);
    assert.match(html, /class="banner truncated"[^>]*>Showing the first 2 rows: the step has more/);
    assert.match(html, /<li>aggregate `by_day` computed over the first 100000 input rows only<\/li>/);
    assert.ok(html.indexOf("banner truncated") < html.indexOf("<table"), "the banners come before the table");
    const plain = rowsHtml(view(result()), NONCE);
    assert.doesNotMatch(plain, /class="banner/);
    assert.match(plain, /2 rows · 3 columns · 12 ms/);
  });

  it("says so when the step produced no rows", () => {
    const html = rowsHtml(view(result({ rows: [] })), NONCE);
    assert.doesNotMatch(html, /<table/);
    assert.match(html, /Step <code>big_orders<\/code> produced no rows\./);
  });

  it("shows an error with its code, message, fix and step, with Refresh and Show Logs", () => {
    const html = rowsHtml({ kind: "error", file: "/w/shop.etl.yaml", stepId: "big_orders", error: { code: "file-not-found", message: "orders.csv <missing>", fix: "create data/orders.csv", step: "extract_orders" } }, NONCE);
    assert.match(html, /role="alert"><div><strong>The preview failed<\/strong> in step <code>extract_orders<\/code> <span class="code">\[file-not-found\]<\/span>/);
    assert.match(html, /<pre class="message">orders\.csv &lt;missing&gt;<\/pre><div class="fix"><strong>Fix:<\/strong> create data\/orders\.csv<\/div>/);
    assert.match(html, /<button id="showLogs"/);
    assert.match(html, /<button id="refresh" type="button"[^>]*>Refresh<\/button>/);
    assert.match(html, /data-state="error"/);
  });

  it("disables Refresh while the preview runs", () => {
    assert.match(rowsHtml({ kind: "loading", file: "/w/a.etl.yaml", stepId: "s" }, NONCE), /<button id="refresh"[^>]* disabled>Refresh/);
    assert.doesNotMatch(rowsHtml(view(result()), NONCE), /<button id="refresh"[^>]* disabled>/);
  });
});
