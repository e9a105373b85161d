/**
 * What a connection type is, in one value: the keys of its connection and steps, what it can do,
 * and where its code is. Each connector declares one in `sources/<type>/descriptor.ts` and
 * `sources/registry.ts` lists them; every other module asks the registry (capabilities and
 * methods) and never compares a type name (docs/architecture.md, "Add a connector").
 *
 * The pure core reads descriptors (the model builds `ConnectionSchema` from their schemas, rules
 * read their keys), so a descriptor file imports only zod, `pipeline/` and types; its runtime parts
 * (`pg`, the AWS SDK, the file system) are loaded lazily with `await import(…)` when called.
 */
import type { z } from "zod";
import type { Connection, Extract } from "../pipeline/model";
import type { GenerateHook } from "./generation";
import type { AnalysisRequest, AnalysisResult, AnalyzeContext } from "./analysis/types";
import type { StagingStore } from "./staging";
import type { Connector } from "./types";

/** Answers one analysis request of a connection of this type. */
export type Analyzer = (ctx: AnalyzeContext, request: AnalysisRequest) => Promise<AnalysisResult>;

/** What `runner/staging` gives a staging store when it opens one on a connection. */
export interface StagingOptions {
  /** The resolved staging connection. */
  connection: Connection;
  connectionName: string;
  /** The `staging.prefix`, "" when absent. */
  prefix: string;
  baseDir: string;
  secrets: readonly string[];
}

/** A key whose value must have one form for this type (`query` is SQL text for one type, a map for another). */
export interface KeyForm {
  key: string;
  form: "string" | "map" | "scalar" | "list-or-scalar";
  /** The `connection-type` problem's message when it has another form. */
  message: string;
}

/** The keys of an extract or a load from a connection of this type (besides `connection`). */
export interface StepKeys {
  keys: readonly string[];
  /** Keys of which exactly one must be given (`table` or `query`); one key when it is simply required. */
  oneOf?: readonly string[];
  forms?: readonly KeyForm[];
  /** Extracts that can read incrementally: the `incremental` keys it reads (`initial` and `lag` fit all), and those it needs. */
  incremental?: { own: readonly string[]; needs: readonly string[] };
}

export interface ConnectorDescriptor<S extends z.ZodObject = z.ZodObject> {
  /** `type:` in a pipeline file. */
  readonly type: string;
  /** What a connection of this type is, for messages: "a PostgreSQL database". */
  readonly noun: string;
  /** The connection's keys and their documentation (hover text, `schemas/pipeline.schema.json`). */
  readonly schema: S;
  /** Completion snippets that write a new connection of this type (body lines as at column 0). */
  readonly snippets: readonly { label: string; detail: string; body: readonly string[] }[];
  /** Keys whose values are secrets (the `hardcoded-secret` rule flags a literal). */
  readonly secretKeys: readonly string[];
  /** Keys holding a URL whose `user:password@` is never sent (the `url-credentials` rule). */
  readonly urlKeysWithoutCredentials?: readonly string[];
  /** Values sent together as HTTP basic authentication, scrubbed as their encoded pair too. */
  basicAuth?(connection: Connection): { username: string; password: string } | undefined;
  /** True when the store silently cuts table and column names past 63 bytes, as PostgreSQL does (the `name-too-long` rule). */
  readonly truncatesLongNames?: boolean;
  /** True when `history: {connection}` may name it: the shared run history is a table written with SQL (runner/history/). */
  readonly keepsRunHistory?: boolean;

  /** Extract steps read from it with these keys. */
  readonly extract: StepKeys & {
    /** Keys (paths under the extract) that name columns of the source: checked against live analysis. */
    columnPaths?: readonly (readonly string[])[];
  };
  /** Load steps write into it with these keys; absent: it cannot be loaded into. */
  readonly load?: StepKeys & {
    /** Keys (paths under the load) that name columns of the target. */
    columnPaths?: readonly (readonly string[])[];
    /** True when a load can start while its upstream step still produces records (`run` streams them in). */
    streamsIn: boolean;
  };
  /** Present when `sql` steps run on it. */
  readonly sql?: { noun: string };
  /** Present when it can keep a run's step outputs (`staging: {connection: …}`). */
  readonly staging?: {
    /** False when the store is on one machine: Airflow workers elsewhere cannot see it. */
    shared: boolean;
    /** Opens the store; `localFolder` makes the runner's store for a folder on this machine. */
    open(options: StagingOptions, localFolder: (dir: string) => StagingStore): Promise<StagingStore>;
  };
  /** Present when its data are local files under a root folder (links, workspace confinement). */
  readonly localFiles?: { rootKey: string; pathKey: string };
  /** What `--dry-run` and the MCP `plan` tool say a step reads or writes: `s3://bucket/key`. */
  place(connection: Connection, name: string, baseDir: string, where: string | undefined): string;

  /** Live analysis (`agent-etl analyze`, the editor). */
  readonly analysis: {
    /** Request kinds it answers. */
    requests: readonly AnalysisRequest["kind"][];
    /**
     * True when analysis stays on this machine and draws on no credential of the user's, so an
     * untrusted workspace may have it analysed.
     */
    localOnly: boolean;
    /** True when the connection says where to go; false leaves it unanalysed (no guessing a default server). */
    addressed(connection: Connection): boolean;
    /** The request made once per connection (a catalog, the root folder). */
    connectionRequest?: AnalysisRequest;
    /** The request `agent-etl analyze` makes for one extract step. */
    stepRequest(extract: Extract): AnalysisRequest | undefined;
    /** The request the editor makes for one extract (plain values of the YAML); undefined while templates hide it. */
    liveRequest(extract: Record<string, unknown>): AnalysisRequest | undefined;
    /** Seconds an answer stays fresh unless `agentEtl.cacheTtl.<type>` says otherwise. */
    cacheTtlSeconds: number;
    analyzer(): Promise<Analyzer>;
  };
  /**
   * The extract or load key that names a table (live completion offers the catalog's tables);
   * the columns keys are the steps' `columnPaths`.
   */
  readonly tableKey?: string;
  /**
   * The extract or load key that names a data file or object (`path`, `key`): its format comes from
   * `format:` or the name's extension, and live completion offers the folder listing.
   */
  readonly dataFileKey?: string;

  /** Present when `agent-etl generate` reads from it or writes into it (sources/generation.ts). */
  readonly generate?: GenerateHook;

  /** The connector that extracts and loads (loaded on first use). */
  connector(): Promise<Connector>;
}

/** Plain values of a step body that are a non-empty string. */
export const nonEmpty = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

/** True when a value holds a template (`{{ ds }}`), which analysis cannot fill before a run. */
export const hasTemplate = (v: unknown): boolean => JSON.stringify(v ?? null).includes("{{");

/** The request for the columns of a data file or object, from an extract's `format` and `csv`. */
export function dataColumnsRequest(key: string, format: unknown, csv: unknown): AnalysisRequest {
  return { kind: "data-columns", key, ...(format ? { format: format as "csv" } : {}), ...(csv ? { csv: csv as { delimiter?: string; header?: boolean } } : {}) };
}

const FORMATS = new Set(["csv", "jsonl", "json"]);

/** The editor's request for a data file's columns: only a format it knows and a `csv` map are passed on. */
export function liveDataRequest(key: string, extract: Record<string, unknown>): AnalysisRequest {
  const format = typeof extract["format"] === "string" && FORMATS.has(extract["format"]) ? extract["format"] : undefined;
  const csv = extract["csv"] && typeof extract["csv"] === "object" ? extract["csv"] : undefined;
  return dataColumnsRequest(key, format, csv);
}
