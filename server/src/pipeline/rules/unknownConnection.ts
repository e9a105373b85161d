import type { Ref } from "../outline";
import { problem, type Problem } from "../problem";
import { closest } from "../suggest";
import type { Rule } from "./rule";

/** A step (or `staging`) names a connection that is not defined under `connections:`. */
export const unknownConnection: Rule = {
  code: "unknown-connection",
  check({ outline }) {
    const problems: Problem[] = [];
    const report = (r: Ref) => {
      if (outline.connections.has(r.name)) return;
      const names = [...outline.connections.keys()];
      const best = closest(r.name, names);
      const hint = best ? ` — did you mean \`${best}\`?` : names.length > 0 ? `; defined connections: ${names.map((n) => `\`${n}\``).join(", ")}` : "; add it under `connections:`";
      problems.push(problem("unknown-connection", "error", `no connection named \`${r.name}\`${hint}`, r.span, best ? { suggestion: best } : {}));
    };
    for (const s of outline.steps) if (s.connection) report(s.connection);
    if (outline.staging) report(outline.staging);
    return problems;
  },
};
