/** Opens the pipeline's run history: its `history` connection's table, else `.etl/history/` beside the file. */
import { join } from "node:path";
import { ConnectorError } from "../../errors";
import type { Connection, Pipeline } from "../../pipeline/model";
import { descriptorFor, typesWhere } from "../../sources/registry";
import { HISTORY_DIR, LocalHistory } from "./localHistory";
import type { HistoryStore } from "./store";

export type { HistoryStore } from "./store";

/** The connections `openHistory` needs resolved. */
export function historyConnectionNames(pipeline: Pipeline): string[] {
  return pipeline.history ? [pipeline.history.connection] : [];
}

export async function openHistory(pipeline: Pipeline, baseDir: string, connections: Record<string, Connection>, secrets: readonly string[]): Promise<HistoryStore> {
  if (!pipeline.history) {
    const dir = join(baseDir, HISTORY_DIR, pipeline.name);
    return new LocalHistory(dir, join(HISTORY_DIR, pipeline.name) + "/");
  }
  const name = pipeline.history.connection;
  const connection = connections[name];
  if (!connection) throw new ConnectorError("unknown-connection", `history connection \`${name}\` is not defined under \`connections:\``);
  if (!descriptorFor(connection.type)?.keepsRunHistory) {
    const types = typesWhere((d) => d.keepsRunHistory).map((t) => `\`${t}\``).join(" or ");
    throw new ConnectorError("unsupported-history", `the run history needs a ${types} connection; \`${name}\` is ${connection.type}. Remove \`history:\` to keep it in .etl/history/ beside the file`);
  }
  // Loaded here, not above: the PostgreSQL driver costs every local-history command its start-up.
  const { DEFAULT_HISTORY_SCHEMA, PostgresHistory } = await import("./postgresHistory.js");
  return PostgresHistory.open(connection, { schema: pipeline.history.schema ?? DEFAULT_HISTORY_SCHEMA, pipeline: pipeline.name, secrets });
}
