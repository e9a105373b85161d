/** `--dry-run`: what a run would do, step by step and level by level, touching no data. */
import type { Step } from "../pipeline/model";
import { renderTemplate, type TemplateValues } from "../pipeline/templates";
import type { RunContext } from "./context";
import { inputOf } from "./context";
import { resolvePolicy } from "./policy";

/** A path or key as the run will use it: with its templates filled in (the run has checked them already). */
function filled(text: string | undefined, values: TemplateValues): string | undefined {
  return text === undefined ? undefined : renderTemplate(text, values);
}

function describeStep(step: Step, values: TemplateValues): string {
  if (step.extract) {
    const e = step.extract;
    const what = filled(e.path ?? e.key, values) ?? e.table ?? (typeof e.query === "string" ? "query" : undefined) ?? "";
    return `extract from ${e.connection}${what ? ` (${what})` : ""}`;
  }
  if (step.transform) {
    const ops = step.transform.map((op) => Object.keys(op)[0]).join(", ");
    return `transform ${inputOf(step) ?? "?"}: ${ops}`;
  }
  if (step.load) {
    const l = step.load;
    // A table's load names its table (its `key` is the merge key); a file's or object's its path or key.
    const where = l.table ? `${l.table}, ${l.mode}` : (filled(l.path ?? (typeof l.key === "string" ? l.key : undefined), values) ?? "");
    return `load ${inputOf(step) ?? "?"} into ${l.connection} (${where})`;
  }
  return `sql on ${step.sql?.connection ?? "?"}`;
}

function policyText(ctx: RunContext, step: Step): string {
  const p = resolvePolicy(ctx.pipeline, step);
  const parts = [p.retries > 0 ? `retries ${p.retries} (${p.backoff}, from ${p.retryDelayMs / 1000}s)` : "no retries"];
  if (p.timeoutMs !== undefined) parts.push(`timeout ${p.timeoutMs / 1000}s`);
  return parts.join(", ");
}

export function planText(ctx: RunContext, levels: readonly (readonly string[])[], concurrency: number): string {
  const lines = [
    `Plan for pipeline ${ctx.pipeline.name}: run ${ctx.runId}, ds ${ctx.templates.ds}, concurrency ${concurrency}`,
    `Staging: ${ctx.store.describe()}${ctx.runId}/`,
  ];
  levels.forEach((level, i) => {
    lines.push(`Level ${i + 1}${level.length > 1 ? ` (${level.length} steps in parallel)` : ""}:`);
    for (const id of level) {
      const step = ctx.steps.get(id) as Step;
      lines.push(`  ${id}: ${describeStep(step, ctx.templates)} — ${policyText(ctx, step)}`);
    }
  });
  if (levels.length === 0) lines.push("Nothing to run: every selected step already succeeded.");
  lines.push("Dry run: no data was read or written.");
  return lines.join("\n");
}
