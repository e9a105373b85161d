import { asMap, asSeq, deref, isScalar, pairOf, spanOf, type AnyDoc } from "../nodes";
import type { PipelineOutline, StepOutline } from "../outline";
import { problem, type Problem } from "../problem";
import { splitTableName, tooLongMessage } from "../tableName";
import { sameList, stepCheck, type Rule } from "./rule";
import { connectionTypes } from "./shared";
import { descriptorFor } from "../../sources/registry";

/** The string scalars of a value that is one name or a list of names. */
function names(doc: AnyDoc, value: unknown): { text: string; node: NonNullable<ReturnType<typeof deref>> }[] {
  const seq = asSeq(doc, value);
  const items = seq ? seq.items : [value];
  return items.flatMap((item) => {
    const node = deref(doc, item);
    return isScalar(node) && typeof node.value === "string" ? [{ text: node.value, node }] : [];
  });
}

function checkStep(outline: PipelineOutline, step: StepOutline): Problem[] {
  const { doc } = outline;
  const kind = step.kinds[0];
  if (!kind || step.kinds.length !== 1 || (kind.kind !== "extract" && kind.kind !== "load") || !step.connection) return [];
  if (!descriptorFor(outline.connections.get(step.connection.name)?.type)?.truncatesLongNames) return [];
  const map = asMap(doc, kind.node);
  if (!map) return [];
  const problems: Problem[] = [];
  const report = (what: string, name: string, node: Parameters<typeof spanOf>[0]) => {
    const message = tooLongMessage(what, name);
    if (message) problems.push(problem("name-too-long", "error", message, spanOf(node)));
  };
  for (const { text, node } of names(doc, pairOf(doc, map, "table")?.value)) {
    const table = splitTableName(text);
    if (table?.schema !== undefined) report("the schema name", table.schema, node);
    if (table) report("the table name", table.name, node);
  }
  for (const key of ["key", "columns"]) for (const { text, node } of names(doc, pairOf(doc, map, key)?.value)) report("the column name", text, node);
  const incremental = asMap(doc, pairOf(doc, map, "incremental")?.value);
  for (const { text, node } of names(doc, pairOf(doc, incremental, "column")?.value)) report("the column name", text, node);
  return problems;
}

/** A PostgreSQL table, schema or column name longer than the 63 bytes PostgreSQL keeps. */
export const nameTooLong: Rule = {
  code: "name-too-long",
  steps: stepCheck<{ outline: PipelineOutline; types: (string | undefined)[] }>({
    shared: ({ outline }) => ({ outline, types: connectionTypes(outline) }),
    same: (a, b) => sameList(a.types, b.types),
    step: (step, { outline }) => checkStep(outline, step),
  }),
};
