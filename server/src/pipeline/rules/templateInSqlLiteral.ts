import type { Node } from "yaml";
import { asMap, deref, isScalar, pairOf, spanOf } from "../nodes";
import { problem, type Problem, type Span } from "../problem";
import { lexSql } from "../sqlLex";
import { misplacedTemplateMessage, sqlTemplateUses, type SqlTemplateUse } from "../sqlTemplates";
import { TEMPLATE_PATTERN } from "../templates";
import type { Rule } from "./rule";

/**
 * Where each template of a scalar's value is written in the file: the k-th `{{ … }}` of the value
 * is the k-th of its source text when they name the same variable (YAML escapes never touch
 * braces in practice); else the whole scalar.
 */
function templateSpans(text: string, node: Node, uses: readonly SqlTemplateUse[]): Span[] {
  const span = spanOf(node);
  const source = [...text.slice(span.start, span.end).matchAll(TEMPLATE_PATTERN)];
  return uses.map((use, k) => {
    const m = source[k];
    if (!m || m[1] !== use.name || source.length !== uses.length) return span;
    const at = span.start + (m.index ?? 0);
    return { start: at, end: at + m[0].length };
  });
}

/** The span of the whole literal `'{{ x }}'` and the template alone, when the literal is nothing else. */
function bareQuotedTemplate(sql: string, use: SqlTemplateUse): boolean {
  return use.region === "string" && sql[use.start - 1] === "'" && sql[use.end] === "'" && sql[use.start - 2] !== "'" && sql[use.end + 1] !== "'";
}

/** A template inside a SQL literal or comment of a `query` (extract or sql step): spliced there, it could run as SQL. */
export const templateInSqlLiteral: Rule = {
  code: "template-in-sql-literal",
  check({ outline, text }) {
    const problems: Problem[] = [];
    for (const step of outline.steps) {
      for (const kind of step.kinds) {
        if (kind.kind !== "extract" && kind.kind !== "sql") continue;
        const value = deref(outline.doc, pairOf(outline.doc, asMap(outline.doc, kind.node), "query")?.value);
        if (!isScalar(value) || typeof value.value !== "string" || !value.value.includes("{{")) continue;
        const sql = value.value;
        const uses = sqlTemplateUses(sql, lexSql(sql));
        const spans = templateSpans(text, value, uses);
        uses.forEach((use, k) => {
          if (use.region === "code") return;
          const at = spans[k] as Span;
          const exact = at.end - at.start === use.end - use.start;
          // `'{{ x }}'`: the fix drops the quotes, so the quick fix replaces the literal with the template.
          if (exact && bareQuotedTemplate(sql, use)) {
            problems.push(problem("template-in-sql-literal", "error", misplacedTemplateMessage(use), { start: at.start - 1, end: at.end + 1 }, { suggestion: sql.slice(use.start, use.end) }));
          } else problems.push(problem("template-in-sql-literal", "error", misplacedTemplateMessage(use), at));
        });
      }
    }
    return problems;
  },
};
