/**
 * Records are safe maps for every column name: a pipeline whose columns are ALL of
 * Object.prototype's own property names (`constructor`, `toString`, `__proto__`, …) runs through
 * every transform op into a file and a PostgreSQL table, and both hold exactly what an independent
 * model of the ops computes from random data. (The CLI, real files, a real PostgreSQL.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { random } from "../../support/random";
import { postgresProject, runCli } from "./helpers";

const DB = "record_keys";
const cluster = postgresProject("record-keys", DB);
const p = cluster.p;

/** Every name a plain object inherits, `__proto__` included. */
const NAMES = Object.getOwnPropertyNames(Object.prototype);
type Row = [string, unknown][];

const q = (name: string) => JSON.stringify(name);
const tick = (name: string) => `\`${name}\``;

/** Random CSV rows: an id, then one value per name; `constructor` repeats so dedupe and join have work. */
function inputRows(seed: number, n: number): Row[] {
  const rnd = random(seed);
  const pick = (xs: string[]) => xs[Math.floor(rnd() * xs.length)] as string;
  return Array.from({ length: n }, (_, i) => [["id", String(i + 1)], ...NAMES.map((name): [string, unknown] => [name, name === "constructor" ? pick(["k1", "k2", "k3", "k4"]) : `${pick(["a", "b", "c,d", 'q"uote'])}${Math.floor(rnd() * 5)}`])]);
}

const csvField = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csvText = (rows: Row[]) => [rows[0]?.map(([k]) => k) ?? [], ...rows.map((r) => r.map(([, v]) => v))].map((r) => r.map(csvField).join(",")).join("\n") + "\n";

/** The rotation `rename` applies: each name becomes the next one in NAMES. */
const renamed = (name: string) => (NAMES.includes(name) ? (NAMES[(NAMES.indexOf(name) + 1) % NAMES.length] as string) : name);

/** The ops of the pipeline below, on arrays of entries (no object keyed by a column name in the model). */
function model(rows: Row[], right: Map<string, string>): Row[] {
  const get = (r: Row, k: string) => r.find(([c]) => c === k)?.[1];
  const set = (r: Row, k: string, v: unknown): Row => (r.some(([c]) => c === k) ? r.map(([c, x]) => [c, c === k ? v : x]) : [...r, [k, v]]);
  let out = rows.map((r) => r.map(([k, v]): [string, unknown] => [k, k === "id" ? Number(v) : v]));
  out = out.filter((r) => get(r, "valueOf") !== get(r, "toString"));
  out = out.map((r) => set(r, "toString", `${String(get(r, "__proto__"))}|${String(get(r, "constructor"))}`));
  const seen = new Set<string>();
  out = out.filter((r) => {
    const key = `${String(get(r, "constructor"))}\u0001${String(get(r, "hasOwnProperty"))}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  out = out.flatMap((r) => {
    const match = right.get(String(get(r, "constructor")));
    return match === undefined ? [] : [[...r, ["lookup___proto__", match] as [string, unknown]]];
  });
  out = out.map((r) => r.map(([k, v]): [string, unknown] => [renamed(k), v]));
  const keep = ["id", ...[...NAMES].reverse(), "lookup___proto__"].filter((c) => c !== "__defineGetter__");
  return out.map((r) => keep.map((c): [string, unknown] => [c, get(r, c) ?? null])).slice(0, 150);
}

function pipeline(): string {
  const ops = [
    `      - cast: {${[["id", "integer"], ...NAMES.map((n) => [n, "string"])].map(([k, t]) => `${q(k as string)}: ${t}`).join(", ")}}`,
    `      - filter: ${q(`${tick("valueOf")} != ${tick("toString")}`)}`,
    `      - derive: {"toString": ${q(`${tick("__proto__")} & "|" & ${tick("constructor")}`)}}`,
    `      - dedupe: ["constructor", "hasOwnProperty"]`,
    `      - join: {with: lookup, on: {"constructor": "constructor"}, how: inner}`,
    `      - rename: {${NAMES.map((n) => `${q(n)}: ${q(renamed(n))}`).join(", ")}}`,
    `      - select: ${JSON.stringify(["id", ...[...NAMES].reverse(), "lookup___proto__"])}`,
    `      - drop: ["__defineGetter__"]`,
    `      - limit: 150`,
  ];
  return [
    "version: 1",
    "name: record_keys",
    "connections:",
    "  files: {type: file}",
    '  db: {type: postgres, url: "${env:KEYS_PG_URL}"}',
    "steps:",
    "  - id: read\n    extract: {connection: files, path: in.csv}",
    "  - id: lookup\n    extract: {connection: files, path: lookup.jsonl}",
    "  - id: shaped\n    depends_on: [read, lookup]\n    transform:",
    ...ops,
    "  - id: to_file\n    depends_on: [shaped]\n    load: {connection: files, path: out.jsonl}",
    "  - id: to_table\n    depends_on: [shaped]\n    load: {connection: db, table: keyed}",
    '  - id: merged\n    depends_on: [shaped]\n    load: {connection: db, table: keyed_merge, mode: merge, key: ["__proto__", "id"]}',
    "  - id: grouped\n    depends_on: [read]\n    transform:",
    `      - aggregate: {group_by: ["constructor"], metrics: {"__proto__": "count()", "valueOf": "max(valueOf)", "toString": "min(__proto__)"}}`,
    "  - id: grouped_file\n    depends_on: [grouped]\n    load: {connection: files, path: grouped.csv}",
    "",
  ].join("\n");
}

describe("column names a plain object inherits (dist/cli.js, files and a real PostgreSQL)", () => {
  it("go through every transform op into a file and a table exactly as an independent model says", async () => {
    for (const seed of [1, 2]) {
      const rows = inputRows(seed, 400);
      const right = new Map([["k1", "one"], ["k2", "two"], ["k4", "four"]]);
      p.write("in.csv", csvText(rows));
      p.write("lookup.jsonl", [...right].map(([k, v]) => `{"constructor": ${q(k)}, "__proto__": ${q(v)}}`).join("\n") + "\n");
      const file = p.write("keys.etl.yaml", pipeline());
      await cluster.server.query("DROP TABLE IF EXISTS keyed, keyed_merge", [], DB);
      const r = await runCli(["run", file], { cwd: p.dir, env: { KEYS_PG_URL: cluster.url } });
      assert.equal(r.code, 0, r.stdout + r.stderr);

      const want = model(rows, right);
      assert.ok(want.length > 10, "the data leaves rows to compare");
      const lines = p.read("out.jsonl").trim().split("\n").map((l) => Object.entries(JSON.parse(l) as object));
      assert.deepEqual(lines, want, `seed ${seed}: the file`);

      for (const table of ["keyed", "keyed_merge"]) {
        const got = await cluster.server.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY id`, [], DB);
        const columns = await cluster.server.query<{ name: string; type: string }>(
          "SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum",
          [table],
          DB,
        );
        assert.deepEqual(columns.map((c) => [c.name, c.type]), want[0]?.map(([k]) => [k, k === "id" ? "bigint" : "text"]), `seed ${seed}: ${table}'s columns`);
        assert.deepEqual(got.map((row) => Object.entries(row).map(([k, v]): [string, unknown] => [k, k === "id" ? Number(v) : v])), want, `seed ${seed}: ${table}'s rows`);
      }

      const groups = new Map<string, { n: number; max: string; min: string }>();
      for (const row of rows) {
        const get = (k: string) => String(row.find(([c]) => c === k)?.[1]);
        const g = groups.get(get("constructor")) ?? { n: 0, max: get("valueOf"), min: get("__proto__") };
        groups.set(get("constructor"), { n: g.n + 1, max: get("valueOf") > g.max ? get("valueOf") : g.max, min: get("__proto__") < g.min ? get("__proto__") : g.min });
      }
      const grouped = csvText([...groups].map(([k, g]): Row => [["constructor", k], ["__proto__", g.n], ["valueOf", g.max], ["toString", g.min]]));
      assert.equal(p.read("grouped.csv"), grouped, `seed ${seed}: the aggregate`);
    }
  });
});
