import type { PipelineOutline, Ref } from "../outline";
import { problem, type Problem } from "../problem";
import { closest } from "../suggest";
import { sameList, stepCheck, type Rule } from "./rule";
import { connectionTypes } from "./shared";

/** The first few names, quoted: a message lists a handful, not thousands. */
function someNames(names: Iterable<string>, most = 8): string {
  const out: string[] = [];
  for (const n of names) {
    if (out.length === most) return `${out.join(", ")} …`;
    out.push(`\`${n}\``);
  }
  return out.join(", ");
}

function unknown(outline: PipelineOutline, r: Ref): Problem[] {
  if (outline.connections.has(r.name)) return [];
  const best = closest(r.name, outline.connections.keys());
  const hint = best ? ` — did you mean \`${best}\`?` : outline.connections.size > 0 ? `; defined connections: ${someNames(outline.connections.keys())}` : "; add it under `connections:`";
  return [problem("unknown-connection", "error", `no connection named \`${r.name}\`${hint}`, r.span, best ? { suggestion: best } : {})];
}

/** A step (or `staging`, or `history`) names a connection that is not defined under `connections:`. */
export const unknownConnection: Rule = {
  code: "unknown-connection",
  steps: stepCheck<{ outline: PipelineOutline; types: (string | undefined)[] }>({
    shared: ({ outline }) => ({ outline, types: connectionTypes(outline) }),
    same: (a, b) => sameList(a.types, b.types),
    step: (step, { outline }) => (step.connection ? unknown(outline, step.connection) : []),
  }),
  check: ({ outline }) => [outline.staging, outline.history].flatMap((r) => (r ? unknown(outline, r) : [])),
};
