import type { Node } from "yaml";
import type { ConnectionType } from "../model";
import { asMap, deref, isMap, isScalar, isSeq, keyName, pairOf, pairsOf, spanOf, stringValue } from "../nodes";
import { problem, type Problem, type Span } from "../problem";
import { listOf } from "../suggest";
import type { PipelineOutline, StepOutline } from "../outline";
import { sameList, stepCheck, type Rule } from "./rule";
import { connectionTypes } from "./shared";

/** Keys (besides `connection`) that an extract or load may use for each connection type. */
export const EXTRACT_KEYS: Record<ConnectionType, readonly string[]> = {
  postgres: ["table", "query", "columns", "incremental"],
  s3: ["key", "format", "csv", "incremental", "partition_columns"],
  http: ["path", "method", "query", "body", "records", "paginate", "incremental"],
  file: ["path", "format", "csv", "incremental", "partition_columns"],
};
/** The `incremental` keys each connection type reads (`initial` and `lag` fit all), and the ones it needs. */
const INCREMENTAL_KEYS: Record<ConnectionType, { own: readonly string[]; needs: readonly string[] }> = {
  postgres: { own: ["column", "initial", "lag"], needs: ["column"] },
  s3: { own: ["by", "initial", "lag"], needs: ["by"] },
  http: { own: ["param", "from", "initial", "lag"], needs: ["param", "from"] },
  file: { own: ["by", "initial", "lag"], needs: ["by"] },
};
export const LOAD_KEYS: Record<ConnectionType, readonly string[]> = {
  postgres: ["table", "mode", "key", "create", "on_schema_change"],
  s3: ["key", "format"],
  http: [],
  file: ["path", "format"],
};
const REQUIRED: Record<"extract" | "load", Partial<Record<ConnectionType, string>>> = {
  extract: { s3: "key", file: "path" },
  load: { postgres: "table", s3: "key", file: "path" },
};

function isKnownType(t: string | undefined): t is ConnectionType {
  return t === "postgres" || t === "s3" || t === "http" || t === "file";
}

/** A step uses keys that do not fit the type of the connection it names. */
export const connectionType: Rule = {
  code: "connection-type",
  steps: stepCheck<{ outline: PipelineOutline; types: (string | undefined)[] }>({
    shared: ({ outline }) => ({ outline, types: connectionTypes(outline) }),
    same: (a, b) => sameList(a.types, b.types),
    step: (step, { outline }) => checkStep(outline, step),
  }),
};

const KNOWN_KEYS = new Set([...Object.values(EXTRACT_KEYS).flat(), ...Object.values(LOAD_KEYS).flat()]);

function checkStep(outline: PipelineOutline, step: StepOutline): Problem[] {
  const { doc } = outline;
  const kind = step.kinds[0];
  if (!kind || step.kinds.length !== 1 || kind.kind === "transform" || !step.connection) return [];
  const conn = outline.connections.get(step.connection.name);
  if (!conn || !isKnownType(conn.type)) return [];
  const type = conn.type;
  const body = asMap(doc, kind.node);
  if (!body) return [];
  const problems: Problem[] = [];
  const bad = (message: string, span: Span) => problems.push(problem("connection-type", "error", message, span));
  const about = `\`${conn.name}\` is a${type === "s3" ? "n" : ""} \`${type}\` connection`;
  if (kind.kind === "sql") {
    if (type !== "postgres") bad(`\`sql\` steps run in PostgreSQL, but ${about}`, step.connection.span);
    return problems;
  }
  if (kind.kind === "load" && type === "http") {
    bad(`records cannot be loaded into an HTTP API: ${about}; load into a postgres, s3 or file connection`, step.connection.span);
    return problems;
  }
  const allowed = (kind.kind === "extract" ? EXTRACT_KEYS : LOAD_KEYS)[type];
  for (const pair of pairsOf(doc, body)) {
    const key = keyName(pair);
    if (key === undefined || key === "connection" || allowed.includes(key)) continue;
    if (!KNOWN_KEYS.has(key)) continue; // unknown keys are the schema's to report
    bad(`\`${key}\` does not apply here: ${about}, whose ${kind.kind} keys are ${listOf(allowed, "and")}`, spanOf(pair.key as Node));
  }
  const required = REQUIRED[kind.kind][type];
  if (required && !pairOf(doc, body, required)) bad(`a ${kind.kind} from ${about} needs \`${required}\``, kind.keySpan);
  if (kind.kind === "extract" && type === "postgres") checkPostgresExtract(doc, body, kind.keySpan, about, bad);
  if (kind.kind === "extract") checkIncremental(doc, body, type, about, bad);
  checkShapes(doc, body, type, kind.kind, bad);
  return problems;
}

function checkPostgresExtract(doc: Parameters<typeof asMap>[0], body: NonNullable<ReturnType<typeof asMap>>, keySpan: Span, about: string, bad: (m: string, s: Span) => void): void {
  const table = pairOf(doc, body, "table");
  const query = pairOf(doc, body, "query");
  if (!table && !query) bad(`an extract from ${about} needs \`table\` or \`query\``, keySpan);
  if (table && query) bad("give either `table` or `query`, not both", spanOf(query.key as Node));
}

/** `incremental` holds the keys of the connection's type, and those it needs; `lag` does not fit `by: partition`. */
function checkIncremental(doc: Parameters<typeof asMap>[0], body: NonNullable<ReturnType<typeof asMap>>, type: ConnectionType, about: string, bad: (m: string, s: Span) => void): void {
  const pair = pairOf(doc, body, "incremental");
  const map = asMap(doc, pair?.value);
  if (!pair || !map) return;
  const { own, needs } = INCREMENTAL_KEYS[type];
  for (const p of pairsOf(doc, map)) {
    const key = keyName(p);
    if (key !== undefined && !own.includes(key)) bad(`incremental \`${key}\` does not apply here: ${about}, whose incremental keys are ${listOf(own, "and")}`, spanOf(p.key as Node));
  }
  const missing = needs.filter((k) => !pairOf(doc, map, k));
  if (missing.length > 0) bad(`${about}: an incremental extract from it needs ${listOf(missing, "and")}`, spanOf(pair.key as Node));
  const lag = pairOf(doc, map, "lag");
  if (lag && stringValue(doc, deref(doc, pairOf(doc, map, "by")?.value)) === "partition") {
    bad("`lag` does not apply to `by: partition` (a partition is read once, after the last one read); use `by: modified` to re-read a window", spanOf(lag.key as Node));
  }
}

/** Keys shared by several types whose value form depends on the type (`query`, `key`). */
function checkShapes(doc: Parameters<typeof asMap>[0], body: NonNullable<ReturnType<typeof asMap>>, type: ConnectionType, kind: "extract" | "load", bad: (m: string, s: Span) => void): void {
  const query = deref(doc, pairOf(doc, body, "query")?.value);
  if (query && type === "postgres" && stringValue(doc, query) === undefined) bad("a PostgreSQL `query` is SQL text (a string)", spanOf(query));
  if (query && type === "http" && !isMap(query)) bad("an HTTP `query` is a map of query parameters, e.g. `{status: open}`", spanOf(query));
  const key = deref(doc, pairOf(doc, body, "key")?.value);
  if (key && kind === "load" && type === "s3" && !isScalar(key)) bad("an S3 `key` is one object key (a string)", spanOf(key));
  if (key && kind === "load" && type === "postgres" && !isSeq(key) && !isScalar(key)) bad("a PostgreSQL `key` is a list of columns", spanOf(key));
}
