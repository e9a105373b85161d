/**
 * The live view of a document: what the cache knows of each extract's source, propagated through
 * the pipeline, and which connections could not be analysed. Cache lookups never wait longer than
 * the caller allows; a source still loading counts as unknown (no warning rather than a false one).
 */
import { descriptorFor } from "../../sources/registry";
import { propagateColumns, type ColumnSet, type Propagation, type PropagationMemo } from "../../pipeline/columns";
import type { PipelineOutline } from "../../pipeline/outline";
import type { Span } from "../../pipeline/problem";
import type { AnalysisFailure, AnalysisRequest, CacheAnswer, TableInfo } from "../../sources/analysis/types";
import type { Analysis } from "../analysis";
import type { LiveCache } from "./cacheApi";
import type { LiveConnection } from "./connections";
import { columnsOf, extractRequest, findTable, requestKey, targetTable } from "./requests";

const CATALOG: AnalysisRequest = { kind: "catalog" };

export interface LiveView {
  propagation: Propagation;
  connections: Map<string, LiveConnection>;
  /** Connections whose source could not be reached (one diagnostic each). */
  failures: Map<string, AnalysisFailure>;
  /** Extract steps whose columns come from a stale answer. */
  stale: Set<string>;
  /** Some answer is still being fetched. */
  loading: boolean;
  /** Extracts not analysed (past `MAX_LIVE_REQUESTS`). */
  unanalysed?: Unanalysed;
  /** Load step id → its existing PostgreSQL target table, from the connection's catalog (`schema-drift`). */
  targets: Map<string, TableInfo>;
}

/**
 * Failures about what a step asks for rather than about reaching the source, and secrets that do
 * not resolve (`missing-env` already says so): the step's columns stay unknown, but the connection
 * is not reported unavailable.
 */
const REQUEST_FAILURES = new Set(["missing-secret", "secret-file-outside", "missing-env", "not-found", "path-outside-root", "template", "bad-record", "unknown-format", "http-records", "http-not-json", "analysis-request", "postgres-table-name", "postgres-no-table", "postgres-query", "postgres-extract", "bad-step", "no-match"]);

export function isUnavailable(failure: AnalysisFailure): boolean {
  // SQLSTATE class 42: the query or a name in it is wrong, the database answered.
  return !REQUEST_FAILURES.has(failure.code) && !/^postgres-42/.test(failure.code);
}

interface Need {
  connection: LiveConnection;
  request: AnalysisRequest;
  steps: string[];
  /** Loads whose target table this (catalog) request describes. */
  loads: string[];
}

/**
 * Most distinct source requests one document's view makes (steps asking the same thing share one;
 * a database's tables are one catalog). Past it, the other extracts' columns stay unknown: the
 * analysis cache holds a few hundred answers, and a file with thousands of extracts would otherwise
 * fetch them all on every open and evict its own answers while doing so.
 */
export const MAX_LIVE_REQUESTS = 200;

/** Extracts past `MAX_LIVE_REQUESTS`: how many, and the first of them. */
export interface Unanalysed {
  count: number;
  first: Span;
}

function needs(outline: PipelineOutline, connections: Map<string, LiveConnection>): { needs: Map<string, Need>; unanalysed?: Unanalysed } {
  const out = new Map<string, Need>();
  let unanalysed: Unanalysed | undefined;
  for (const step of outline.steps) {
    const id = step.id?.name;
    const connection = step.connection ? connections.get(step.connection.name) : undefined;
    if (!id || !connection?.ctx) continue;
    const load = targetTable(outline.doc, step, connection.type) !== undefined;
    const request = load ? CATALOG : extractRequest(outline.doc, step, connection.type);
    if (!request) continue;
    const key = `${connection.name}\u0000${requestKey(request)}`;
    const need = out.get(key);
    if (need) (load ? need.loads : need.steps).push(id);
    else if (out.size < MAX_LIVE_REQUESTS) out.set(key, { connection, request, steps: load ? [] : [id], loads: load ? [id] : [] });
    else if (unanalysed) unanalysed.count++;
    else unanalysed = { count: 1, first: step.id?.span ?? step.span };
  }
  return { needs: out, ...(unanalysed ? { unanalysed } : {}) };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function buildView(cache: LiveCache, analysis: Analysis, connections: Map<string, LiveConnection>, waitMs: number, memo?: PropagationMemo): Promise<LiveView> {
  const outline = analysis.outline;
  // Yield to queued requests before each long synchronous part (a file may have thousands of steps).
  await nextTurn();
  const wanted = needs(outline, connections);
  const all = [...wanted.needs.values()];
  const answers = await Promise.all(
    all.map((n) => cache.lookup(n.connection.ctx as NonNullable<LiveConnection["ctx"]>, n.request, { waitMs }).catch((err: unknown): CacheAnswer => ({ state: "failed", failure: { code: "analysis-error", message: err instanceof Error ? err.message : String(err) } }))),
  );
  let byId: Map<string, (typeof outline.steps)[number]> | undefined;
  const sources = new Map<string, ColumnSet>();
  const failures = new Map<string, AnalysisFailure>();
  const targets = new Map<string, TableInfo>();
  const stale = new Set<string>();
  let loading = false;
  all.forEach((need, i) => {
    const answer = answers[i] as CacheAnswer;
    if (answer.state === "loading") loading = true;
    if (answer.state === "failed" && isUnavailable(answer.failure) && !failures.has(need.connection.name)) failures.set(need.connection.name, answer.failure);
    if (answer.state !== "fresh" && answer.state !== "stale") return;
    byId ??= new Map(outline.steps.filter((s) => s.id).map((s) => [s.id?.name as string, s]));
    for (const id of need.loads) {
      const step = byId.get(id);
      const value = answer.value;
      const table = step && value.kind === "catalog" && driftChecked(need.connection.type) ? findTable(value.tables, value.defaultSchema, targetTable(outline.doc, step, need.connection.type)) : undefined;
      if (table) targets.set(id, table);
    }
    for (const id of need.steps) {
      const step = byId.get(id);
      if (!step) continue;
      sources.set(id, columnsOf(outline.doc, step, answer.value));
      if (answer.state === "stale") stale.add(id);
    }
  });
  for (const c of connections.values()) if (c.unresolved && isUnavailable(c.unresolved) && !failures.has(c.name)) failures.set(c.name, c.unresolved);
  if (all.length > 0) await nextTurn();
  // Nothing analysable (no extract the cache can describe): nothing to propagate or check.
  const propagation = all.length === 0 ? { steps: new Map(), refs: [] } : propagateColumns(outline, analysis.dag, sources, memo);
  return { propagation, connections, failures, stale, loading, targets, ...(wanted.unanalysed ? { unanalysed: wanted.unanalysed } : {}) };
}

/** Loads into this type compare their columns with the table's (`on_schema_change`), so `schema-drift` applies. */
function driftChecked(type: string | undefined): boolean {
  return descriptorFor(type)?.load?.keys.includes("on_schema_change") ?? false;
}
