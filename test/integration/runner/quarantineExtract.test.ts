/**
 * `on_error: quarantine` on file extracts, through the built CLI, on real files: the CSV and JSON
 * Lines lines that do not parse are left out (the good ones reach the file target) and written,
 * with their line, text and the parser's reason, to `<run>/<step>.rejected.jsonl`, counted in
 * `rows_rejected`; past `max_rejected` the extract fails with `too-many-rejected` and nothing is
 * loaded; without `on_error` the first bad line fails the step, naming its line.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { project, readEvents, runCli } from "./helpers";

const p = project("quarantine-extract");
after(() => p.cleanup());

interface BadLine {
  source: string;
  line: number;
  text: string;
  reason: string;
}

const N = 3000;
/** Data line i (0-based; file line i + 2): every 97th has a field too many, every 211th a stray quote. */
const extraField = (i: number) => i % 97 === 5;
const strayQuote = (i: number) => i % 211 === 17 && !extraField(i);
const csvLine = (i: number) => (extraField(i) ? `${i},name ${i},surplus` : strayQuote(i) ? `${i},"name "${i}` : `${i},"name, ${i}"`);
p.write("in.csv", ["id,name", ...Array.from({ length: N }, (_, i) => csvLine(i))].join("\r\n") + "\r\n");
const badCsv = Array.from({ length: N }, (_, i) => i).filter((i) => extraField(i) || strayQuote(i));

/** JSON Lines: every 101st line is cut short, every 303rd is an array. */
const jsonLine = (i: number) => (i % 101 === 3 ? `{"id":${i},"name":` : i % 303 === 8 ? `[${i}]` : JSON.stringify({ id: i, name: `n${i}` }));
p.write("in.jsonl", Array.from({ length: N }, (_, i) => jsonLine(i)).join("\n") + "\n");
const badJson = Array.from({ length: N }, (_, i) => i).filter((i) => i % 101 === 3 || i % 303 === 8);

const pipeline = (path: string, onError: string, target: string) => `version: 1
name: quarantined_extract
connections:
  files: { type: file }
steps:
  - id: raw
${onError}    extract: { connection: files, path: ${path} }
  - id: save
    depends_on: [raw]
    load: { connection: files, path: ${target} }
`;

let runs = 0;
async function run(path: string, onError: string) {
  runs++;
  const target = `out/${runs}-${path}.jsonl`;
  const file = p.write(`q${runs}.etl.yaml`, pipeline(path, onError, target));
  const eventsPath = join(p.dir, `events${runs}.jsonl`);
  const r = await runCli(["run", file, "--events", eventsPath], { cwd: p.dir });
  const events = readEvents(eventsPath);
  const runId = String(events.find((e) => e.event === "run_started")?.["run_id"]);
  const rejectedPath = join(p.dir, ".etl", "runs", runId, "raw.rejected.jsonl");
  const rejected = existsSync(rejectedPath) ? readFileSync(rejectedPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as BadLine) : undefined;
  const out = join(p.dir, target);
  const loaded = existsSync(out) ? readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : undefined;
  return { r, events, rejected, loaded };
}

const quarantine = (max: number | string) => `    on_error: quarantine\n    max_rejected: ${max}\n`;

describe("on_error: quarantine on a CSV extract", () => {
  it("loads the lines that parse and writes the others, with line, text and reason", async () => {
    const { r, events, rejected, loaded } = await run("in.csv", quarantine(badCsv.length));
    assert.equal(r.code, 0, r.stderr);
    const bad = new Set(badCsv);
    assert.deepEqual(loaded?.map((x) => x["id"]), Array.from({ length: N }, (_, i) => i).filter((i) => !bad.has(i)).map(String));
    assert.equal(loaded?.[0]?.["name"], "name, 0");
    assert.deepEqual(rejected?.map((x) => [x.source, x.line, x.text]), badCsv.map((i) => ["in.csv", i + 2, csvLine(i)]));
    for (const x of rejected ?? []) assert.match(x.reason, extraField(x.line - 2) ? /^the record has 3 fields, the header has 2$/ : /quote/i);
    const told = events.find((e) => e.event === "rows_rejected");
    assert.deepEqual([told?.["step"], told?.["rows"], told?.["rejected"]], ["raw", N, badCsv.length]);
    assert.equal(events.find((e) => e.event === "step_succeeded" && e.step === "raw")?.["rows"], N - badCsv.length);
  });

  it("fails past max_rejected (a share), and nothing is loaded", async () => {
    const share = `"${Math.floor(((badCsv.length - 1) * 100) / N)}%"`;
    const { r, events, rejected, loaded } = await run("in.csv", quarantine(share));
    assert.notEqual(r.code, 0);
    const failed = events.find((e) => e.event === "step_failed" && e.step === "raw");
    assert.equal(failed?.["code"], "too-many-rejected");
    assert.match(String(failed?.["error"]), new RegExp(`rejected ${badCsv.length} of ${N} records`));
    assert.equal(loaded, undefined, "the load must not write its target");
    assert.equal(rejected?.length, badCsv.length);
  });

  it("without on_error, the first bad line fails the step as before", async () => {
    const { r, events, loaded } = await run("in.csv", "");
    assert.notEqual(r.code, 0);
    const failed = events.find((e) => e.event === "step_failed" && e.step === "raw");
    assert.match(String(failed?.["error"]), /^in\.csv: not valid CSV: /);
    assert.equal(loaded, undefined);
  });
});

describe("on_error: quarantine on a JSON Lines extract", () => {
  it("loads the objects and writes the lines that are none, with line, text and reason", async () => {
    const { r, rejected, loaded } = await run("in.jsonl", quarantine(badJson.length));
    assert.equal(r.code, 0, r.stderr);
    const bad = new Set(badJson);
    assert.deepEqual(loaded?.map((x) => x["id"]), Array.from({ length: N }, (_, i) => i).filter((i) => !bad.has(i)));
    assert.deepEqual(rejected?.map((x) => [x.source, x.line, x.text]), badJson.map((i) => ["in.jsonl", i + 1, jsonLine(i)]));
    for (const x of rejected ?? []) assert.match(x.reason, (x.line - 1) % 101 === 3 ? /^not valid JSON \(/ : /^not a JSON object$/);
  });

  it("fails past max_rejected, and nothing is loaded; without on_error, the first bad line fails naming it", async () => {
    const { r, events, loaded } = await run("in.jsonl", quarantine(badJson.length - 1));
    assert.match(String(events.find((e) => e.event === "step_failed" && e.step === "raw")?.["error"]), /rejected \d+ of 3000 records, more than max_rejected/);
    assert.notEqual(r.code, 0);
    assert.equal(events.find((e) => e.event === "step_failed" && e.step === "raw")?.["code"], "too-many-rejected");
    assert.equal(loaded, undefined);
    const strict = await run("in.jsonl", "");
    assert.notEqual(strict.r.code, 0);
    assert.match(String(strict.events.find((e) => e.event === "step_failed" && e.step === "raw")?.["error"]), new RegExp(`^in\\.jsonl: line ${(badJson[0] as number) + 1} is not valid JSON`));
  });
});
