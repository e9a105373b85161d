import { problem } from "../problem";
import type { Rule } from "./rule";

/** A connection that no step (nor `staging`) uses. */
export const unusedConnection: Rule = {
  code: "unused-connection",
  check({ outline }) {
    const used = new Set([...outline.steps.flatMap((s) => (s.connection ? [s.connection.name] : [])), ...(outline.staging ? [outline.staging.name] : [])]);
    return [...outline.connections.values()]
      .filter((c) => !used.has(c.name))
      .map((c) => problem("unused-connection", "hint", `connection \`${c.name}\` is not used by any step; remove it if it is not needed`, c.keySpan));
  },
};
