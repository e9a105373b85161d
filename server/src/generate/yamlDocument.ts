/**
 * The plan as a YAML document, built with the `yaml` Document API (never by pasting strings),
 * so every value is quoted as YAML needs and comments sit on the node they explain.
 */
import { Document, isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import type { PipelinePlan, PlanStep } from "./plan";
import { escapeControls } from "../controlChars";

/**
 * A comment's lines. They quote names from the source (files, columns, URLs), and YAML allows no
 * control character even in a comment: each is written as its `\uXXXX` escape, and a line break
 * inside a name cannot end the comment.
 */
const comment = (lines: readonly string[] | undefined) =>
  lines && lines.length > 0 ? lines.map((l) => ` ${escapeControls(l.replace(/\r\n?|\n|\u0085|\u2028|\u2029/g, " "))}`).join("\n") : undefined;

/** Short lists of scalars read best inline: `key: [id]`, `depends_on: [load_users]`. */
function flowShortLists(node: unknown): void {
  if (isSeq(node)) {
    if (node.items.every((i) => isScalar(i)) && node.items.length <= 8) node.flow = true;
    else for (const item of node.items) flowShortLists(item);
  } else if (isMap(node)) {
    for (const pair of node.items) flowShortLists(pair.value);
  }
}

function keyPair(map: YAMLMap, key: string) {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function stepValue(step: PlanStep): Record<string, unknown> {
  const out: Record<string, unknown> = { id: step.id };
  if (step.description) out.description = step.description;
  if (step.depends_on && step.depends_on.length > 0) out.depends_on = step.depends_on;
  out[step.kind] = step.body;
  return out;
}

function commentStep(doc: Document, index: number, step: PlanStep): void {
  const node = doc.getIn(["steps", index], true) as Node | undefined;
  const before = comment(step.comment);
  if (node && before) node.commentBefore = before;
  const body = doc.getIn(["steps", index, step.kind], true);
  if (!isMap(body)) return;
  for (const [key, lines] of Object.entries(step.keyComments ?? {})) {
    const pair = keyPair(body, key);
    const text = comment(lines);
    if (pair && isScalar(pair.key) && text) pair.key.commentBefore = text;
  }
}

/** The pipeline file's text. */
export function renderPlan(plan: PipelinePlan): string {
  const value = {
    version: 1,
    name: plan.name,
    description: plan.description,
    connections: Object.fromEntries(Object.entries(plan.connections).map(([name, c]) => [name, c.value])),
    steps: plan.steps.map(stepValue),
  };
  const doc = new Document(value);
  flowShortLists(doc.contents);
  doc.commentBefore = comment(plan.header) ?? null;
  const connections = doc.get("connections", true);
  if (isMap(connections)) {
    for (const [name, c] of Object.entries(plan.connections)) {
      const pair = keyPair(connections, name);
      const text = comment(c.comment);
      if (pair && isScalar(pair.key) && text) pair.key.commentBefore = text;
    }
  }
  plan.steps.forEach((step, i) => commentStep(doc, i, step));
  return doc.toString({ lineWidth: 0, indentSeq: true, flowCollectionPadding: false });
}
