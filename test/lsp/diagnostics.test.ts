// Diagnostics over stdio from the bundled server: same as validatePipeline, debounced, versioned, cleared.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { validatePipeline } from "../../server/src/pipeline/validate";
import { LineIndex } from "../../server/src/pipeline/positions";
import { plainText } from "../../server/src/language/plainText";
import { LspClient, poll } from "./client";
import { ensureBuilt, makeWorkspace, PIPELINE, pos, type Workspace } from "./fixtures";
import { generatePipeline } from "./generate";

let client: LspClient;
let ws: Workspace;

before(async () => {
  ensureBuilt();
  ws = makeWorkspace();
  client = await LspClient.start({ rootUri: ws.uri });
});
after(async () => client.stop());

function expected(text: string) {
  const index = new LineIndex(text);
  const envNames = new Set([...Object.keys(process.env), "FROM_DOTENV", "ALSO_DOTENV"]);
  return validatePipeline(text, { envNames }).problems.map((p) => ({
    code: p.code,
    message: plainText(p.message),
    range: { start: index.positionAt(p.span.start), end: index.positionAt(p.span.end) },
  }));
}

/** The file's own diagnostics: without the trust option, live analysis adds one note about it (test/lsp/trust.test.ts). */
const own = (d: Diagnostic[]) => d.filter((x) => x.code !== "live-analysis-untrusted");

describe("diagnostics", () => {
  it("a valid file has none; they carry the document version", async () => {
    const uri = ws.fileUri("valid.etl.yaml");
    await client.open(uri, PIPELINE);
    const got = await client.diagnostics(uri, { version: 1 });
    assert.deepEqual(got.diagnostics, []);
  });

  it("an invalid file gets exactly what validate reports: codes, messages, ranges, related information, suggestions", async () => {
    const uri = ws.fileUri("invalid.etl.yaml");
    const text = PIPELINE.replace("  - id: save", "  - id: paid")
      .replace("depends_on: [save]", "depends_on: [sav]")
      .replace("      path: orders.csv", "      path: orders.csv\n      formt: csv")
      .replace("url: ${env:FROM_DOTENV}", "url: ${env:NOT_SET_ANYWHERE_42}");
    await client.open(uri, text);
    const got = await client.diagnostics(uri, { version: 1 });
    assert.deepEqual(
      got.diagnostics.map((d) => ({ code: d.code, message: d.message, range: d.range })),
      expected(text),
    );
    const dup = got.diagnostics.find((d) => d.code === "duplicate-step-id");
    assert.deepEqual(dup?.relatedInformation?.[0]?.location.range.start, pos(text, "paid", 0, 0));
    assert.deepEqual(dup?.data, { suggestion: "paid_2" });
    assert.ok(got.diagnostics.some((d) => d.code === "missing-env" && d.message.includes("NOT_SET_ANYWHERE_42")));
    assert.equal(got.diagnostics.find((d) => d.code === "schema")?.source, "agent-etl");
  });

  it("names from the workspace .env count as set", async () => {
    const uri = ws.fileUri("env.etl.yaml");
    await client.open(uri, PIPELINE.replace("${env:FROM_DOTENV}", "${env:ALSO_DOTENV}"));
    const got = await client.diagnostics(uri, { version: 1 });
    assert.equal(got.diagnostics.filter((d) => d.code === "missing-env").length, 0);
  });

  it("a cycle points at each edge", async () => {
    const uri = ws.fileUri("cycle.etl.yaml");
    const text = PIPELINE.replace("depends_on: [orders]", "depends_on: [orders, report]");
    await client.open(uri, text);
    const got = await client.diagnostics(uri, { version: 1 });
    const cycle = got.diagnostics.find((d) => d.code === "cycle");
    assert.ok(cycle, "a cycle diagnostic");
    assert.equal(cycle.relatedInformation?.length, 3);
  });

  it("a half-typed file reports the YAML error and recovers when finished", async () => {
    const uri = ws.fileUri("half.etl.yaml");
    const text = PIPELINE.replace("    depends_on: [paid]\n    load:", "    depends_on: [paid\n    load:");
    await client.open(uri, text);
    const broken = await client.diagnostics(uri, { version: 1 });
    assert.deepEqual(broken.diagnostics.map((d) => [d.code, d.range.start]), [["yaml-syntax", pos(text, "[paid")]]);
    const v = await client.replace(uri, PIPELINE);
    assert.deepEqual(own((await client.diagnostics(uri, { version: v })).diagnostics), []);
  });

  it("one YAML mistake is one diagnostic at its cause, with the hint: a tab, `${…}` in a flow map, a misaligned key", async () => {
    const cases: [string, string, RegExp][] = [
      [PIPELINE.replace("    depends_on: [paid]\n    load:", "\tdepends_on: [paid]\n    load:"), "\tdepends_on", /^this line is indented with a tab; YAML allows only spaces in indentation/],
      [PIPELINE.replace("    type: s3\n    bucket: b", "    type: s3\n    options: {bucket: ${env:BUCKET}}"), "${env:BUCKET}", /^quote a value that starts with \$\{ inside \{…\}: write "\$\{env:BUCKET\}"/],
      [PIPELINE.replace("      path: paid.jsonl", "     path: paid.jsonl"), "path: paid", /^bad indentation: path starts at column 6, but connection on line \d+ starts at column 7; indent it to column 7/],
    ];
    for (const [i, [text, at, message]] of cases.entries()) {
      const uri = ws.fileUri(`root-cause-${i}.etl.yaml`);
      await client.open(uri, text);
      const got = own((await client.diagnostics(uri, { version: 1 })).diagnostics);
      assert.equal(got.length, 1, JSON.stringify(got));
      assert.equal(got[0]?.code, "yaml-syntax");
      assert.deepEqual(got[0]?.range.start, pos(text, at));
      assert.match(got[0]?.message ?? "", message);
    }
  });

  it("messages are plain text: names without code-span backticks, a backtick in a name kept", async () => {
    const uri = ws.fileUri("plain.etl.yaml");
    const text = PIPELINE.replace("depends_on: [save]", "depends_on: [sav, \"re`port\"]");
    await client.open(uri, text);
    const messages = own((await client.diagnostics(uri, { version: 1 })).diagnostics).filter((d) => d.code === "unknown-step").map((d) => d.message);
    assert.deepEqual(messages, [
      "depends_on names sav, but no step has that id — did you mean save?",
      "depends_on names re`port, but no step has that id; steps are orders, paid, save, archive, report",
    ]);
  });

  it("a burst of 50 edits yields diagnostics for the last version only", async () => {
    const uri = ws.fileUri("burst.etl.yaml");
    await client.open(uri, PIPELINE);
    // A first view publishes twice: the file's own problems, then with the live-analysis note (this
    // workspace is not trusted). Wait for the second, so the burst below is all that follows.
    await poll(() => client.published.find((p) => p.uri === uri && p.version === 1 && p.diagnostics.some((d) => d.code === "live-analysis-untrusted")), 20_000, "the live-analysis note");
    const from = client.published.length;
    const at = pos(PIPELINE, "select 1", 8);
    const edits = Array.from({ length: 50 }, (_, i) => ({ range: { start: { line: at.line, character: at.character + i }, end: { line: at.line, character: at.character + i } }, text: "x" }));
    const versions = client.burst(uri, edits);
    const last = versions[versions.length - 1] as number;
    await client.diagnostics(uri, { version: last, from });
    const forUri = client.published.slice(from).filter((p) => p.uri === uri);
    assert.deepEqual(forUri.map((p) => p.version), [last]);
  });

  it("aliases yaml cannot resolve inside a connection: named diagnostics, and the server keeps answering", async () => {
    const connection = (line: string, before = "") =>
      `${before}version: 1\nname: p\nconnections:\n  wh:\n    type: postgres\n    host: db.invalid\n    ${line}\nsteps:\n  - id: a\n    extract: {connection: wh, table: t}\n`;
    const cases: [string, string, RegExp][] = [
      ["undefined-alias", connection("root: *nope"), /^undefined alias \*nope: no anchor &nope comes before it/],
      ["scalar-merge", connection("<<: *s", "s: &s hello\n"), /^a merge key << takes a map.*\*s names a scalar/],
      ["self-alias", connection("port: &p [*p]"), /^alias \*p is inside the value anchored &p/],
    ];
    for (const [name, text, message] of cases) {
      const uri = ws.fileUri(`${name}.etl.yaml`);
      await client.open(uri, text);
      const got = await client.diagnostics(uri, { version: 1 });
      assert.deepEqual(got.diagnostics.map((d) => ({ code: d.code, message: d.message, range: d.range })), expected(text), name);
      assert.match(got.diagnostics[0]?.message ?? "", message, name);
      // Every feature reads the document's nodes; each answers.
      for (const method of ["textDocument/hover", "textDocument/completion", "textDocument/documentSymbol", "textDocument/codeLens", "textDocument/formatting"]) {
        await client.request(method, { textDocument: { uri }, position: { line: 6, character: 8 }, options: { tabSize: 2, insertSpaces: true } });
      }
      await client.request("agent-etl/dag", { uri });
      await client.close(uri);
    }
    assert.equal(client.process.exitCode, null, "the server is still running");
  });

  it("closing a document clears its diagnostics", async () => {
    const uri = ws.fileUri("close.etl.yaml");
    await client.open(uri, "version: 2\n");
    const first = await client.diagnostics(uri, { version: 1 });
    assert.ok(first.diagnostics.length > 0);
    const from = client.published.length;
    await client.close(uri);
    const cleared = await client.diagnostics(uri, { from });
    assert.deepEqual(cleared.diagnostics, []);
  });

  it("a 5,000-step file: diagnostics on open and after an edit in the middle", async () => {
    const uri = ws.fileUri("large.etl.yaml");
    const text = generatePipeline(5000);
    await client.open(uri, text);
    assert.deepEqual((await client.diagnostics(uri, { version: 1, timeoutMs: 60_000 })).diagnostics, []);
    const at = pos(text, "depends_on: [step_2500]", "depends_on: [".length);
    const v = await client.edit(uri, { start: at, end: { line: at.line, character: at.character + "step_2500".length } }, "step_9999");
    const got = await client.diagnostics(uri, { version: v, timeoutMs: 60_000 });
    assert.deepEqual(own(got.diagnostics).map((d) => [d.code, d.range.start.line]), [["unknown-step", at.line]]);
    await client.close(uri);
  });
});
