import { isScalar, visit, type Node } from "yaml";
import type { ConnectionOutline } from "../outline";
import { spanOf, type AnyDoc } from "../nodes";
import { problem, type Problem, type Span } from "../problem";
import { findSecretRefs } from "../secrets";
import type { Rule } from "./rule";

/** Visits every string scalar in a connection, with the offset where its content starts. */
export function forEachConnectionString(doc: AnyDoc, conn: ConnectionOutline, text: string, fn: (value: string, node: Node, keyPath: string[], contentOffset: (i: number) => Span) => void): void {
  if (!conn.node) return;
  visit(conn.node, {
    Scalar(key, node, path) {
      if (key === "key" || !isScalar(node) || typeof node.value !== "string") return;
      const span = spanOf(node);
      const source = text.slice(span.start, span.end);
      const keys = path.flatMap((p) => ("key" in p && isScalar(p.key) ? [String(p.key.value)] : []));
      // A reference's exact place: found in the source text when the scalar is written plainly.
      fn(node.value, node, keys, (i) => {
        const needle = node.value as string;
        const at = source.indexOf(needle);
        return at >= 0 ? { start: span.start + at + i, end: span.start + at + i } : span;
      });
    },
  });
  void doc;
}

/** `${env:NAME}` that is neither in the environment nor in a `.env` file. */
export const missingEnv: Rule = {
  code: "missing-env",
  check({ outline, context, text }) {
    const env = context.envNames;
    if (!env) return [];
    const problems: Problem[] = [];
    for (const conn of outline.connections.values()) {
      forEachConnectionString(outline.doc, conn, text, (value, node, _keys, at) => {
        for (const ref of findSecretRefs(value)) {
          if (ref.kind !== "env" || env.has(ref.name)) continue;
          const start = at(ref.start);
          const span = start.start === start.end ? { start: start.start, end: start.start + (ref.end - ref.start) } : spanOf(node);
          problems.push(problem("missing-env", "warning", `environment variable \`${ref.name}\` is not set and is not in a \`.env\` file; set it before running, or add \`${ref.name}=…\` to \`.env\``, span));
        }
      });
    }
    return problems;
  },
};
