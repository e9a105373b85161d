import { problem } from "../problem";
import type { Rule } from "./rule";

/** The steps form a cycle: the message lists it; related information points at each edge. */
export const cycle: Rule = {
  code: "cycle",
  check({ dag }) {
    return dag.cycles.map((c) => {
      const path = c.path.join(" → ");
      const first = c.edges[0];
      const span = first?.span ?? { start: 0, end: 0 };
      const fix = c.path.length === 2 ? `remove \`${c.path[0]}\` from its own \`depends_on\`` : "remove one of these dependencies";
      return problem("cycle", "error", `steps depend on each other in a cycle: ${path}; ${fix}`, span, {
        related: c.edges.map((e) => ({ message: `\`${e.to}\` depends on \`${e.from}\``, span: e.span })),
      });
    });
  },
};
