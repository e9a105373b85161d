/**
 * Live source analysis (issue 5): what a connection's source contains, as plain data. One
 * `analyze` per connection type answers the requests below; the cache (`cache.ts`) sits in front
 * of them for the language server, and `agent-etl analyze` / `agent-etl generate` call them too.
 * Analysis is read-only and bounded: it runs no statement that can write, lists at most a page of
 * keys per folder, and reads only the first bytes of an object or file.
 */
import type { ColumnType, Connection } from "../../pipeline/model";
import type { RecordFormat } from "../formats";

/** A column as analysis sees it. `sqlType`: the source's own type name (PostgreSQL's, Parquet's). */
export interface ColumnInfo {
  name: string;
  type: ColumnType;
  nullable?: boolean;
  sqlType?: string;
  /** PostgreSQL: the table fills it itself (a default, identity or generated column). */
  filled?: boolean;
}

export interface ForeignKeyInfo {
  /** Constraint name. */
  name: string;
  columns: string[];
  references: { schema: string; table: string; columns: string[] };
}

export interface TableInfo {
  schema: string;
  name: string;
  kind: "table" | "view" | "materialized_view" | "foreign_table" | "partitioned_table";
  columns: ColumnInfo[];
  /** Primary key columns in key order; empty when there is none. */
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
  /** `pg_class.reltuples`; null when the table was never analyzed. */
  rowEstimate: number | null;
  /** For a partition: its partitioned (parent) table, whose rows include this one's. */
  partitionOf?: { schema: string; table: string };
}

/** Everything a database holds that a pipeline may name; one catalog query per kind, not per table. */
export interface Catalog {
  kind: "catalog";
  /** The user schemas (no system schemas: pg_catalog, information_schema, pg_toast …). */
  schemas: string[];
  /** The connection's default schema (`schema` key, else the first of the search path). */
  defaultSchema: string;
  tables: TableInfo[];
}

/** The columns of a `query` (described, never executed for rows: `LIMIT 0` in a read-only transaction). */
export interface QueryColumns {
  kind: "query-columns";
  columns: ColumnInfo[];
}

/** One folder level of an S3 prefix or a local folder under `root`, like a file picker. */
export interface FolderListing {
  kind: "folder";
  /** The folder listed, relative to the connection's prefix/root, `""` or ending in `/`. */
  prefix: string;
  /** Sub-folders, relative, each ending in `/`. */
  folders: string[];
  files: { key: string; size: number; lastModified?: string }[];
  /** More entries exist than the limit allowed. */
  truncated: boolean;
}

/** Columns of a data file/object (the first match of a glob), from its first bytes. */
export interface DataColumns {
  kind: "data-columns";
  /** The object key / file path actually sampled (relative). */
  key: string;
  format: RecordFormat;
  columns: ColumnInfo[];
  sampledRecords: number;
  bytesRead: number;
}

/** Fields of the records in one sample response of an HTTP extract. */
export interface HttpSample {
  kind: "http-sample";
  columns: ColumnInfo[];
  sampledRecords: number;
  /** The dotted path where the records were found (the extract's `records`, or a detected one). */
  records: string | null;
  /** What a generator needs to detect pagination: the top-level keys of the body and the response headers' names. */
  bodyKeys: string[];
  linkNext: boolean;
}

export type AnalysisRequest =
  | { kind: "catalog" }
  | { kind: "query-columns"; query: string }
  | { kind: "folder"; prefix: string; limit?: number }
  | { kind: "data-columns"; key: string; format?: RecordFormat; csv?: { delimiter?: string; header?: boolean } }
  | { kind: "http-sample"; path: string; method?: "GET" | "POST"; query?: Record<string, unknown>; body?: unknown; records?: string };

/** A PostgreSQL database's catalog (the name `generate/` reads it by). */
export type PostgresCatalog = Catalog;

export type AnalysisResult = Catalog | QueryColumns | FolderListing | DataColumns | HttpSample;

/** The result type that answers a request kind. */
export type ResultFor<R extends AnalysisRequest> = Extract<AnalysisResult, { kind: R["kind"] }>;

export interface AnalyzeContext {
  /** The connection with `${env:}`/`${file:}` already resolved (`resolveForAnalysis`). */
  connection: Connection;
  connectionName: string;
  /** Folder of the pipeline file (file `root` and relative paths resolve against it). */
  baseDir: string;
  /** Resolved secret values, scrubbed out of every error message. */
  secrets: readonly string[];
  signal?: AbortSignal;
  /** Per-request time limit (PostgreSQL `statement_timeout`, HTTP timeout); default 10 s. */
  timeoutMs?: number;
}

/** Why analysis could not answer: shown as one `source-unavailable` diagnostic, secrets scrubbed. */
export interface AnalysisFailure {
  code: string;
  message: string;
}

/**
 * What the cache answers: never waits on the network longer than the caller allows.
 * `fresh` — within its time-to-live; `stale` — older, a refresh is under way;
 * `loading` — nothing cached yet, a fetch is under way; `failed` — the last fetch failed.
 */
export type CacheAnswer<T extends AnalysisResult = AnalysisResult> =
  | { state: "fresh" | "stale"; value: T; fetchedAt: number }
  | { state: "loading" }
  | { state: "failed"; failure: AnalysisFailure; value?: T; fetchedAt?: number };
