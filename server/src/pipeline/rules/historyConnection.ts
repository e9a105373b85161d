import { problem } from "../problem";
import { descriptorFor, typesWhere } from "../../sources/registry";
import type { Rule } from "./rule";

/** `history.connection` names a connection that is not PostgreSQL: the shared history is a table. */
export const historyConnection: Rule = {
  code: "connection-type",
  check({ outline }) {
    const ref = outline.history;
    const type = ref ? outline.connections.get(ref.name)?.type : undefined;
    if (!ref || type === undefined || descriptorFor(type)?.keepsRunHistory) return [];
    const types = typesWhere((d) => d.keepsRunHistory).map((t) => `\`${t}\``).join(" or ");
    return [problem("connection-type", "error", `the run history is a database table: \`${ref.name}\` is a \`${type}\` connection; name a ${types} connection, or remove \`history:\` to keep it in .etl/history/ beside the file`, ref.span)];
  },
};
