import { problem } from "../problem";
import type { Rule } from "./rule";

/** `history.connection` names a connection that is not PostgreSQL: the shared history is a table. */
export const historyConnection: Rule = {
  code: "connection-type",
  check({ outline }) {
    const ref = outline.history;
    const type = ref ? outline.connections.get(ref.name)?.type : undefined;
    if (!ref || type === undefined || type === "postgres") return [];
    return [problem("connection-type", "error", `the run history is a PostgreSQL table: \`${ref.name}\` is a \`${type}\` connection; name a \`postgres\` connection, or remove \`history:\` to keep it in .etl/history/ beside the file`, ref.span)];
  },
};
