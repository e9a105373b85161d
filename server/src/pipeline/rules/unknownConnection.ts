import { problem } from "../problem";
import { closest } from "../suggest";
import type { Rule } from "./rule";

/** A step (or `staging`) names a connection that is not defined under `connections:`. */
export const unknownConnection: Rule = {
  code: "unknown-connection",
  check({ outline }) {
    const names = [...outline.connections.keys()];
    const refs = [...outline.steps.flatMap((s) => (s.connection ? [s.connection] : [])), ...(outline.staging ? [outline.staging] : [])];
    return refs
      .filter((r) => !outline.connections.has(r.name))
      .map((r) => {
        const best = closest(r.name, names);
        const hint = best ? ` — did you mean \`${best}\`?` : names.length > 0 ? `; defined connections: ${names.map((n) => `\`${n}\``).join(", ")}` : "; add it under `connections:`";
        return problem("unknown-connection", "error", `no connection named \`${r.name}\`${hint}`, r.span, best ? { suggestion: best } : {});
      });
  },
};
