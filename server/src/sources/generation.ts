/**
 * What a connector gives `agent-etl generate` (the descriptor's `generate` hook): it turns a
 * `--from`/`--to` value into a located connection and reads what a source offers, in one of the
 * shapes generate/ plans steps for — a catalog of tables, datasets of files, or an API endpoint.
 * generate/ never asks which type a location is; a new connector takes part by giving these.
 */
import type { Logger } from "pino";
import type { ColumnType, Connection } from "../pipeline/model";
import type { PostgresCatalog } from "./analysis/types";
import { ConnectorError } from "../errors";
import type { Dataset } from "./datasets";

/** A variable the written file references; `value` is for this process only, never printed. */
export interface EnvVar {
  name: string;
  value: string;
  why: string;
}

export type Role = "source" | "target";

/** An API endpoint as given: the extract's `path` and `query` (credentials left out) and the query sent now. */
export interface Endpoint {
  path: string;
  query: URLSearchParams;
  liveQuery: URLSearchParams;
}

/** A dataset's files with the columns inferred from one of them. */
export interface DatasetColumns extends Dataset {
  columns: { name: string; type: ColumnType }[];
  sampledKey: string;
  sampledRecords: number;
}

/** One response of an API endpoint. */
export interface HttpResponseSample {
  body: unknown;
  headers: Headers;
}

/** What a source offers, in a shape generate/ knows how to plan. */
export type Discovered =
  | { shape: "catalog"; catalog: PostgresCatalog }
  | { shape: "datasets"; datasets: DatasetColumns[]; truncated: boolean }
  | { shape: "endpoint"; sample: HttpResponseSample };

/**
 * A `--from`/`--to` value as two connections: the live one (real values, used to read metadata now)
 * and the written one, where every secret is an `${env:NAME}` reference listed in `env`.
 */
export interface Location {
  /** The connection's `type:`. */
  type: string;
  /** Short name of what it is (database, bucket, host, folder), for the pipeline's name. */
  label: string;
  /** What it is, for the file's header: "the PostgreSQL database shop". */
  what: string;
  live: Connection;
  written: Record<string, unknown>;
  env: EnvVar[];
  /** Things the user must know (e.g. a token left out of the file); discovery may add some. */
  notes: string[];
  /** Present when the location is one API endpoint (generate plans one extract of it). */
  endpoint?: Endpoint;
  /** Reads what the source offers: read-only and bounded. */
  discover(logger: Logger): Promise<Discovered>;
}

/** Where `--from`/`--to` values resolve. */
export interface LocateOptions {
  role: Role;
  /** Folder of the file being written (relative roots resolve against it). */
  baseDir: string;
  /** Folder relative paths resolve against. */
  cwd: string;
}

/** The descriptor's `generate` hook. */
export interface GenerateHook {
  /** URL schemes (before `://`, lower case) of the values that name a connection of this type. */
  readonly schemes: readonly string[];
  /**
   * Present on the one connector that takes a value without a scheme (a local path); it also
   * gives the default `--to`: the folder `./out` beside the written file.
   */
  readonly paths?: { defaultTarget(baseDir: string): Promise<Location> };
  /** How a user writes one, for messages: "a postgres:// URL". */
  readonly example: string;
  /** The location a `--from`/`--to` value names; throws `UsageError` saying how to write it. */
  locate(text: string, options: LocateOptions): Promise<Location>;
}

/** Query parameter names that carry credentials: left out of the written file, scrubbed from messages. */
export const SECRET_PARAM = /token|key|secret|password|passwd|pwd|signature|^sig$|auth|credential|session/i;

/** `SOURCE_DATABASE_URL`: the variable a role's secret is written as. */
export const envVarName = (role: Role, what: string): string => `${role.toUpperCase()}_${what}`;

/** The option a role's value came from, for messages. */
export const optionOf = (role: Role): string => (role === "source" ? "--from" : "--to");

/** Listing bounds: generation reads metadata, never a whole bucket. */
export const MAX_FILES = 20_000;
export const SAMPLE_BYTES = 64 * 1024;

/**
 * The sample, or undefined with a note when the dataset's data cannot be read as records (e.g. a
 * CSV header naming a column twice): one such file must not stop the pipeline for all the others.
 */
export async function unlessUnreadable<T>(notes: string[], name: string, sample: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await sample();
  } catch (err: unknown) {
    if (!(err instanceof ConnectorError) || err.code !== "bad-record") throw err;
    notes.push(`left out ${name}: ${err.message}`);
    return undefined;
  }
}
