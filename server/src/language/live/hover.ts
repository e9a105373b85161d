/** Hover on a step id: its output columns and types, when live analysis knows them. */
import type { Hover, MarkupContent } from "vscode-languageserver";
import type { Analysis } from "../analysis";
import { refAt } from "../refs";
import type { LiveView } from "./view";

const SHOWN = 40;

/** The markdown lines about a step's output columns. */
function outputColumnsText(view: LiveView, stepId: string): string | undefined {
  const step = view.propagation.steps.get(stepId);
  if (!step) return undefined;
  if (step.output === "unknown") return view.loading ? "_output columns: loading from the source…_" : "_output columns: not known (the source was not analysed, or a step before it cannot be described)_";
  const rows = step.output.slice(0, SHOWN).map((c) => `| \`${c.name}\` | ${c.type ?? "?"} |`);
  const more = step.output.length > SHOWN ? [`| … ${step.output.length - SHOWN} more | |`] : [];
  const stale = view.stale.size > 0 ? " _(cached, refreshing)_" : "";
  return [`**output columns** (${step.output.length})${stale}`, "", "| column | type |", "| --- | --- |", ...rows, ...more].join("\n");
}

/** Adds the output columns to the hover of a step id. */
export function withOutputColumns(base: Hover | null, analysis: Analysis, offset: number, view: LiveView | undefined): Hover | null {
  const ref = refAt(analysis.outline, offset);
  if (!base || !view || ref?.kind !== "step") return base;
  const text = outputColumnsText(view, ref.name);
  if (!text) return base;
  const contents = base.contents as MarkupContent;
  return { ...base, contents: { kind: "markdown", value: `${contents.value}\n\n${text}` } };
}
