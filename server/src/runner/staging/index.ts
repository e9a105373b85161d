/**
 * Opens the run's StagingStore: the local folder `.etl/runs/` beside the pipeline file, or the
 * pipeline's `staging` connection (a `file` folder, or S3 so every Airflow worker sees the same
 * outputs). The S3 store is imported lazily: runs that stage locally never load the AWS SDK.
 */
import { isAbsolute, join, relative } from "node:path";
import { ConnectorError } from "../../errors";
import type { Connection, Pipeline } from "../../pipeline/model";
import { confinePath, fileRoot } from "../../sources/file";
import type { StagingStore } from "../../sources/staging";
import { LocalStagingStore } from "./localStaging";

export interface StagingOptions {
  /** The resolved staging connection. */
  connection: Connection;
  connectionName: string;
  /** The `staging.prefix`, "" when absent. */
  prefix: string;
  baseDir: string;
  secrets: readonly string[];
}

type Factory = (options: StagingOptions) => Promise<StagingStore>;

const FACTORIES: Partial<Record<Connection["type"], Factory>> = {
  file: async (o) => {
    const dir = confinePath(fileRoot(o.connection, o.baseDir), o.prefix || ".", o.connectionName);
    return new LocalStagingStore(dir, shownPath(dir));
  },
  s3: async (o) => {
    const { S3StagingStore } = await import("../../sources/s3/staging.js");
    return new S3StagingStore(o.connection as ConstructorParameters<typeof S3StagingStore>[0], { prefix: o.prefix, connectionName: o.connectionName, secrets: o.secrets });
  },
};

/** A folder as people want to read it: relative to the current folder when inside it, with a trailing `/`. */
function shownPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return `${rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : dir}/`;
}

export const DEFAULT_STAGING_DIR = join(".etl", "runs");

export async function openStaging(pipeline: Pipeline, baseDir: string, connections: Record<string, Connection>, secrets: readonly string[]): Promise<StagingStore> {
  if (!pipeline.staging) return new LocalStagingStore(join(baseDir, DEFAULT_STAGING_DIR), shownPath(join(baseDir, DEFAULT_STAGING_DIR)));
  const name = pipeline.staging.connection;
  const connection = connections[name];
  if (!connection) throw new ConnectorError("unknown-connection", `staging connection \`${name}\` is not defined under \`connections:\``);
  const factory = FACTORIES[connection.type];
  if (!factory) throw new ConnectorError("unsupported-staging", `staging on a \`${connection.type}\` connection is not supported in this build; use a \`file\` or \`s3\` connection`);
  return factory({ connection, connectionName: name, prefix: pipeline.staging.prefix ?? "", baseDir, secrets });
}
