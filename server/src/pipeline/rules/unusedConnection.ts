import { problem, type Problem } from "../problem";
import type { Rule } from "./rule";

/** A connection that no step (nor `staging`, nor `history`) uses. */
export const unusedConnection: Rule = {
  code: "unused-connection",
  check({ outline }) {
    if (outline.connections.size === 0) return [];
    const used = new Set<string>();
    for (const s of outline.steps) if (s.connection) used.add(s.connection.name);
    if (outline.staging) used.add(outline.staging.name);
    if (outline.history) used.add(outline.history.name);
    const problems: Problem[] = [];
    for (const c of outline.connections.values()) {
      if (!used.has(c.name)) problems.push(problem("unused-connection", "hint", `connection \`${c.name}\` is not used by any step; remove it if it is not needed`, c.keySpan));
    }
    return problems;
  },
};
