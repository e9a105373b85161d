/**
 * Live analysis (issue 5): the catalog of a 1,000-table PostgreSQL database (target ≤ 2 s, one
 * catalog query per kind — not one per table), and the cache in front of it: a warm lookup from
 * memory, and a reload of the same catalog from disk by a new cache instance.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Connection } from "../server/src/pipeline/model";
import { AnalysisCache } from "../server/src/sources/analysis/cache";
import type { AnalyzeContext } from "../server/src/sources/analysis/types";
import { analyzePostgresCatalog, postgresAnalysisStats } from "../server/src/sources/postgres/analyze";
import { startPostgres } from "../test/support/postgres";
import { median, table } from "./_util";

const TABLES = 1000;
const RUNS = 5;

/** One DDL script: 1,000 tables of 8 columns with primary keys, every table but the first with a foreign key, and 50 views. */
function ddl(): string {
  const parts = ["CREATE SCHEMA sales;"];
  for (let i = 0; i < TABLES; i++) {
    const schema = i % 2 === 0 ? "public" : "sales";
    const fk = i === 0 ? "" : `, parent_id bigint REFERENCES ${(i - 1) % 2 === 0 ? "public" : "sales"}.t${i - 1} (id)`;
    parts.push(`CREATE TABLE ${schema}.t${i} (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), score real, ok boolean, day date, at timestamptz, meta jsonb${fk});`);
  }
  for (let i = 0; i < 50; i++) parts.push(`CREATE VIEW public.v${i} AS SELECT id, name FROM public.t${i * 2};`);
  return parts.join("\n");
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

export async function run(): Promise<void> {
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), "bench-analysis-"));
  try {
    const url = await pg.createDatabase("bench_analysis");
    const setup = await time(() => pg.query(ddl(), [], "bench_analysis"));
    const ctx: AnalyzeContext = { connection: { type: "postgres", url } as Connection, connectionName: "db", baseDir: process.cwd(), secrets: [], timeoutMs: 30_000 };
    await analyzePostgresCatalog(ctx); // warm the server's catalog caches and our module
    const times: number[] = [];
    const before = postgresAnalysisStats();
    let relations = 0;
    let columns = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await time(() => analyzePostgresCatalog(ctx));
      times.push(r.ms);
      relations = r.value.tables.length;
      columns = r.value.tables.reduce((n, t) => n + t.columns.length, 0);
    }
    const after = postgresAnalysisStats();
    const catalogPerRun = (after.catalogQueries - before.catalogQueries) / RUNS;
    const statementsPerRun = (after.statements - before.statements) / RUNS;

    const cache = new AnalysisCache({ dir });
    await cache.fetch(ctx, { kind: "catalog" });
    await cache.flush();
    const warm: number[] = [];
    for (let i = 0; i < 200; i++) warm.push((await time(() => cache.lookup(ctx, { kind: "catalog" }))).ms);
    const fileBytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    const reload: number[] = [];
    for (let i = 0; i < RUNS; i++) reload.push((await time(() => new AnalysisCache({ dir }).lookup(ctx, { kind: "catalog" }))).ms);

    table(
      ["measure", "value", "target"],
      [
        ["database", `${TABLES} tables + 50 views (${relations} relations, ${columns} columns); DDL ${(setup.ms / 1000).toFixed(1)} s`, ""],
        [`catalog analysis, median of ${RUNS}`, `${median(times).toFixed(0)} ms`, "≤ 2000 ms"],
        ["catalog queries per analysis", String(catalogPerRun), "one per kind (4: schemas, relations, columns, constraints)"],
        ["statements per analysis", `${statementsPerRun} (+1–2 session setup in openClient)`, "constant, not per table"],
        ["cache lookup, warm (memory), median of 200", `${median(warm).toFixed(3)} ms`, ""],
        [`cache reload from disk (new instance), median of ${RUNS}`, `${median(reload).toFixed(1)} ms (file ${(fileBytes / 1024).toFixed(0)} KiB)`, ""],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pg.stop();
  }
}
