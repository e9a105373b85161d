/**
 * Quick fixes from problems' own suggestions, in offsets: did-you-mean replacements (keys, values,
 * step ids, connections), a free id for a duplicate, `${env:NAME}` for a hardcoded secret,
 * `depends_on` for a missing input, a `cast` op or `$number(…)` for a text column used as a number,
 * `on_schema_change: evolve` or a column mapping for schema drift, quotes around a `${…}` that YAML
 * cannot read unquoted, and `key: value` for a line missing its
 * colon or the space after it. Pure: the language server (code actions) and the MCP server
 * (`validate`) both turn these into their own edits.
 */
import type { Node } from "yaml";
import { asMap, asSeq, pairOf, spanOf } from "./nodes";
import type { PipelineOutline } from "./outline";
import type { Problem, Span } from "./problem";

/** Replace `span` of the text with `newText` (an insertion when the span is empty). */
export interface TextEdit {
  span: Span;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  preferred: boolean;
  /**
   * A `${env:NAME}` fix: NAME is also worth adding to the `.env` beside the file (with an empty
   * value; the user fills it in there). Front ends that can edit that file offer it (`envAppendEdit`).
   */
  envName?: string;
}

function replaceWith(title: string, problem: Problem, newText: string): QuickFix {
  return { title, edits: [{ span: { start: problem.span.start, end: problem.span.end }, newText }], preferred: true };
}

/** The column of `offset` in `text` (characters since the line start). */
function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

function missingInputFix(text: string, outline: PipelineOutline, problem: Problem, upstream: string): QuickFix | undefined {
  const offset = problem.span.start;
  const step = outline.steps.find((s) => s.kinds.some((k) => k.keySpan.start === offset));
  if (!step || step.dependsOnKey) return undefined;
  const indent = " ".repeat(columnOf(text, offset));
  return { title: `Add \`depends_on: [${upstream}]\``, edits: [{ span: { start: offset, end: offset }, newText: `depends_on: [${upstream}]\n${indent}` }], preferred: true };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `type-mismatch` on a text column (`suggestion`: its name): a `cast` op inserted before the op
 * (block lists only, where the item's `- ` can be repeated), and `$number(…)` around the reference.
 */
function typeMismatchFixes(text: string, outline: PipelineOutline, problem: Problem, column: string): QuickFix[] {
  const fixes: QuickFix[] = [];
  const at = problem.span.start;
  const step = outline.steps.find((s) => s.kinds[0]?.kind === "transform" && s.span.start <= at && at < s.span.end);
  const item = asSeq(outline.doc, step?.kinds[0]?.node)?.items.find((i) => {
    const span = spanOf(i as Node);
    return span.start <= at && at < span.end;
  });
  if (item) {
    const start = spanOf(item as Node).start;
    const lead = text.slice(text.lastIndexOf("\n", start - 1) + 1, start);
    const key = PLAIN_KEY.test(column) ? column : JSON.stringify(column);
    if (/^\s*-\s+$/.test(lead)) fixes.push({ title: `Cast \`${column}\` to number before this op`, edits: [{ span: { start, end: start }, newText: `cast: {${key}: number}\n${lead}` }], preferred: true });
  }
  const written = text.slice(problem.span.start, problem.span.end);
  if (written === column || written === `\`${column}\``) fixes.push({ ...replaceWith(`Write \`$number(${written})\``, problem, `$number(${written})`), preferred: false });
  return fixes;
}

/** `on_schema_change: evolve` on the load whose `table` value is the problem's span (a flow or a block map). */
function evolveFix(text: string, outline: PipelineOutline, problem: Problem): QuickFix | undefined {
  const at = problem.span.start;
  const step = outline.steps.find((s) => s.kinds[0]?.kind === "load" && s.span.start <= at && at < s.span.end);
  const load = asMap(outline.doc, step?.kinds[0]?.node);
  const table = pairOf(outline.doc, load, "table");
  if (!load || !table) return undefined;
  const title = "Set `on_schema_change: evolve` (add columns and widen types inside the load)";
  const existing = pairOf(outline.doc, load, "on_schema_change")?.value as Node | undefined;
  if (existing) return { title, edits: [{ span: spanOf(existing), newText: "evolve" }], preferred: true };
  const end = spanOf(table.value as Node).end;
  const newText = load.flow ? ", on_schema_change: evolve" : `\n${" ".repeat(columnOf(text, spanOf(table.key as Node).start))}on_schema_change: evolve`;
  return { title, edits: [{ span: { start: end, end }, newText }], preferred: true };
}

const yamlName = (name: string) => (PLAIN_KEY.test(name) ? name : JSON.stringify(name));

/** A `rename` and `select` appended to the transform the load reads from (a block list), mapping its columns to the table's. */
function mappingFix(text: string, outline: PipelineOutline, problem: Problem, suggestion: string): QuickFix | undefined {
  let map: { rename?: Record<string, string>; select?: string[] };
  try {
    map = JSON.parse(suggestion) as typeof map;
  } catch {
    return undefined;
  }
  if (!map.select) return undefined;
  const at = problem.span.start;
  const load = outline.steps.find((s) => s.kinds[0]?.kind === "load" && s.span.start <= at && at < s.span.end);
  const from = load?.input?.name ?? load?.dependsOn[0]?.name;
  const upstream = outline.steps.find((s) => s.id?.name === from && s.kinds[0]?.kind === "transform");
  const ops = asSeq(outline.doc, upstream?.kinds[0]?.node);
  const first = ops?.items[0] as Node | undefined;
  if (!ops || ops.flow || !first) return undefined;
  const start = spanOf(first).start;
  const lead = text.slice(text.lastIndexOf("\n", start - 1) + 1, start);
  if (!/^\s*-\s+$/.test(lead)) return undefined;
  const renames = Object.entries(map.rename ?? {});
  const lines = [...(renames.length > 0 ? [`rename: {${renames.map(([a, b]) => `${yamlName(a)}: ${yamlName(b)}`).join(", ")}}`] : []), `select: [${map.select.map(yamlName).join(", ")}]`];
  // A block item's span takes in the line break after it: insert after its last character.
  let end = spanOf(ops.items[ops.items.length - 1] as Node).end;
  while (end > start && /\s/.test(text[end - 1] ?? "")) end--;
  const title = `Map the columns to the table in step \`${from}\`: ${lines.join(", ")}`;
  return { title, edits: [{ span: { start: end, end }, newText: lines.map((l) => `\n${lead}${l}`).join("") }], preferred: false };
}

/** The fixes a problem offers (none without a suggestion). */
export function quickFixes(text: string, outline: PipelineOutline, problem: Problem): QuickFix[] {
  const suggestion = problem.suggestion;
  if (suggestion === undefined) return [];
  switch (problem.code) {
    case "hardcoded-secret": {
      const name = /^\$\{env:([A-Za-z0-9_]+)\}$/.exec(suggestion)?.[1];
      return [{ ...replaceWith(`Replace the secret with \`${suggestion}\``, problem, suggestion), ...(name ? { envName: name } : {}) }];
    }
    case "missing-input": {
      const fix = missingInputFix(text, outline, problem, suggestion);
      return fix ? [fix] : [];
    }
    case "template-in-sql-literal":
      return [replaceWith("Remove the quotes: bind the template as a value", problem, suggestion)];
    case "type-mismatch":
      return typeMismatchFixes(text, outline, problem, suggestion);
    case "schema-drift":
      return [evolveFix(text, outline, problem), mappingFix(text, outline, problem, suggestion)].filter((f): f is QuickFix => f !== undefined);
    case "yaml-syntax":
      // The hints suggest either a `${…}` quoted (inside `{…}`) or a line rewritten as `key: value`.
      return [replaceWith(suggestion.startsWith('"${') ? `Quote the value: \`${suggestion}\`` : `Change to \`${suggestion}\``, problem, suggestion)];
    case "duplicate-step-id":
      return [replaceWith(`Rename to \`${suggestion}\``, problem, suggestion)];
    default:
      return [replaceWith(`Change to \`${suggestion}\``, problem, suggestion)];
  }
}

/**
 * The edit that appends `NAME=` to a `.env` file whose text is `existing` (undefined: the file
 * does not exist yet and is created with it); undefined when the file already sets NAME.
 */
export function envAppendEdit(existing: string | undefined, name: string): TextEdit | undefined {
  if (existing !== undefined && new RegExp(`^\\s*(export\\s+)?${name}\\s*=`, "m").test(existing)) return undefined;
  const end = existing?.length ?? 0;
  const prefix = existing && !existing.endsWith("\n") ? "\n" : "";
  return { span: { start: end, end }, newText: `${prefix}${name}=\n` };
}

/** The title of the `.env` fix, shared so every front end words it alike. */
export function envFixTitle(name: string): string {
  return `Add \`${name}=\` to .env (fill in the value there)`;
}
