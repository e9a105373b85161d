/**
 * Opens the run's StagingStore: the local folder `.etl/runs/` beside the pipeline file, or the
 * pipeline's `staging` connection, opened by its descriptor's `staging` (a `file` folder, or S3 so
 * every Airflow worker sees the same outputs). Stores are imported lazily: runs that stage locally
 * never load the AWS SDK.
 */
import { isAbsolute, join, relative } from "node:path";
import { ConnectorError } from "../../errors";
import type { Connection, Pipeline } from "../../pipeline/model";
import { descriptorFor, typesWhere } from "../../sources/registry";
import type { StagingStore } from "../../sources/staging";
import { LocalStagingStore } from "./localStaging";

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
  const staging = descriptorFor(connection.type)?.staging;
  if (!staging) throw new ConnectorError("unsupported-staging", `staging on a \`${connection.type}\` connection is not supported in this build; use a connection of type ${typesWhere((d) => d.staging).map((t) => `\`${t}\``).join(" or ")}`);
  const local = (dir: string) => new LocalStagingStore(dir, shownPath(dir));
  return staging.open({ connection, connectionName: name, prefix: pipeline.staging.prefix ?? "", baseDir, secrets }, local);
}
