/** `--dry-run`: what a run would do, step by step and level by level, touching no data. */
import type { Step } from "../pipeline/model";
import type { RunContext } from "./context";
import { inputOf } from "./context";
import { resolvePolicy } from "./policy";

function describeStep(step: Step): string {
  if (step.extract) {
    const e = step.extract;
    const what = e.path ?? e.key ?? e.table ?? (typeof e.query === "string" ? "query" : undefined) ?? "";
    return `extract from ${e.connection}${what ? ` (${what})` : ""}`;
  }
  if (step.transform) {
    const ops = step.transform.map((op) => Object.keys(op)[0]).join(", ");
    return `transform ${inputOf(step) ?? "?"}: ${ops}`;
  }
  if (step.load) {
    const l = step.load;
    return `load ${inputOf(step) ?? "?"} into ${l.connection} (${l.path ?? l.key ?? l.table ?? ""}${l.table ? `, ${l.mode}` : ""})`;
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
      lines.push(`  ${id}: ${describeStep(step)} — ${policyText(ctx, step)}`);
    }
  });
  if (levels.length === 0) lines.push("Nothing to run: every selected step already succeeded.");
  lines.push("Dry run: no data was read or written.");
  return lines.join("\n");
}
