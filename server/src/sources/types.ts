/**
 * One interface for every connection type (ARCHITECTURE.md): open a record stream, write a record
 * stream, analyze. Connectors stream: none loads a whole source into memory.
 */
import type { Logger } from "pino";
import type { ColumnType, Connection, ConnectionType, Extract, Load } from "../pipeline/model";
import type { SchemaChangePolicy } from "../pipeline/schemaDrift";
import type { TemplateValues } from "../pipeline/templates";
import type { CsvOptions, OnBadLine, TextFormat } from "./formats";

/** A record: a flat JSON object. */
export type DataRecord = Record<string, unknown>;

export interface SourceContext {
  /** The connection with `${env:}`/`${file:}` references already resolved (only the runner does that). */
  connection: Connection;
  connectionName: string;
  /** Folder of the pipeline file; relative paths resolve against it. */
  baseDir: string;
  templates: TemplateValues;
  signal: AbortSignal;
  logger: Logger;
  /** Resolved secret values, for scrubbing them out of error messages (`scrubSecrets`). */
  secrets: readonly string[];
}

export interface ExtractRequest extends SourceContext {
  extract: Extract;
  /** `incremental`: the high-water mark of the last successful run, if any. */
  highWater?: string | number;
  /**
   * A preview's read (`runner/preview`): at most `limit` records, as cheaply as the source allows
   * (a SQL `LIMIT`, one object, one page). The preview stops reading once it has enough anyway.
   */
  preview?: { limit: number };
  /**
   * `on_error: quarantine`: where a CSV or JSON Lines line that does not parse goes, instead of
   * failing the read (connectors that parse such formats pass it to `readRecordBatches`).
   */
  onBadLine?: OnBadLine;
}

export interface ExtractResult {
  records: AsyncIterable<DataRecord>;
  /** Known column types (e.g. from the database catalog), when the source has them. */
  columns?: Record<string, ColumnType>;
  /** `incremental`: the new high-water mark, read after `records` is fully consumed. */
  highWater?: () => string | number | undefined;
  /** A preview's read that left part of the source out (objects, pages): which part, for the preview's notes. */
  skipped?: () => string | undefined;
}

export interface LoadRequest extends SourceContext {
  load: Load;
  records: AsyncIterable<DataRecord>;
  /** Column types of the records when known (from casts or the source); else the connector infers them. */
  columns?: Record<string, ColumnType>;
  runId: string;
  stepId: string;
  /** Says what the load does once its records are all read, when that takes a while (a merge's statement). */
  onPhase?: (note: string) => void;
}

export interface LoadResult {
  rows: number;
  /** What `on_schema_change` changed or left out (one line each), when the records and the table differed. */
  schemaChanges?: { policy: SchemaChangePolicy; changes: string[] };
}

/** An extract's source when it is exactly one local file (the runner stages a copy and reads the records from it). */
export interface SingleFileSource {
  path: string;
  /** The file as people name it in messages (relative to the connection's root). */
  shown: string;
  format: TextFormat;
  csv?: CsvOptions;
}

/**
 * What identifies the data an extract reads, taken when it is staged, so `--resume` can tell
 * whether the source changed since: each file's or object's name, size and version (a file's
 * modification time, an object's ETag). Sources that cannot say (a database, an API) have none.
 */
export interface SourceVersion {
  items: { name: string; size: number; version: string }[];
}

export interface Connector {
  readonly type: ConnectionType;
  extract(request: ExtractRequest): Promise<ExtractResult>;
  /** The one local file this extract would read, if that is what it reads (no glob, no query). */
  singleFile?(request: ExtractRequest): Promise<SingleFileSource | undefined>;
  /** The version of the data this extract would read now, for sources that can tell (files, objects). */
  sourceVersion?(request: ExtractRequest): Promise<SourceVersion>;
  load(request: LoadRequest): Promise<LoadResult>;
  /** Runs a `sql` step's query, for types whose descriptor has `sql`; `rows` is the last statement's row count. */
  runSql?(request: SourceContext & { query: string }): Promise<{ rows?: number }>;
  /** Releases pools and sockets. */
  close?(): Promise<void>;
}
