/** `--dry-run`: what a run would do, step by step and level by level, touching no data. */
import { stepKind, type Check, type Connection, type Step } from "../pipeline/model";
import { renderTemplate, type TemplateValues } from "../pipeline/templates";
import { descriptorOf } from "../sources/registry";
import type { RunContext } from "./context";
import { connectionOf, inputOf } from "./context";
import { checkLabel } from "./checks/stepChecks";
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
    const drift = l.on_schema_change !== undefined && l.on_schema_change !== "fail" ? `, on_schema_change: ${l.on_schema_change}` : "";
    const where = l.table ? `${l.table}, ${l.mode}${drift}` : (filled(l.path ?? (typeof l.key === "string" ? l.key : undefined), values) ?? "");
    return `load ${inputOf(step) ?? "?"} into ${l.connection} (${where})`;
  }
  return `sql on ${step.sql?.connection ?? "?"}`;
}

function checkText(check: Check): string {
  return check.severity === "warn" ? `${checkLabel(check)} (warn)` : checkLabel(check);
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
      if (step.checks) lines.push(`    checks${ctx.skipChecks ? " (skipped: --skip-checks)" : ""}: ${step.checks.map(checkText).join("; ")}`);
    }
  });
  if (levels.length === 0) lines.push("Nothing to run: every selected step already succeeded.");
  lines.push("Dry run: no data was read or written.");
  return lines.join("\n");
}

/** One step of a dry-run plan, as data (the MCP `plan` tool; `planText` is the same for people). */
export interface PlannedStep {
  id: string;
  /** 0-based level: steps of one level run in parallel. */
  level: number;
  kind: "extract" | "transform" | "load" | "sql";
  connection?: string;
  /** The line `--dry-run` prints for the step. */
  does: string;
  /** What the step reads and writes: `staging:<key>`, `file:<absolute path>`, `postgres:<connection>:<table>`, `s3://bucket/key`, `http:<url>`. */
  reads: string[];
  writes: string[];
  policy: string;
}

/** A file or object location as the run resolves it, without reading anything. */
function place(conn: Connection | undefined, name: string, baseDir: string, where: string | undefined): string {
  if (!conn) return `${name}:${where ?? ""}`;
  return descriptorOf(conn).place(conn, name, baseDir, where);
}

function stepIo(ctx: RunContext, step: Step): { reads: string[]; writes: string[] } {
  const staged = (id: string) => `staging:${ctx.store.describe()}${ctx.runId}/${id}`;
  const name = connectionOf(step) ?? "";
  const conn = ctx.connections[name];
  const upstream = [...new Set([inputOf(step), ...(step.depends_on ?? [])].filter((id): id is string => id !== undefined))];
  if (step.extract) {
    const e = step.extract;
    const where = filled(e.path ?? e.key, ctx.templates) ?? e.table ?? (typeof e.query === "string" ? "query" : undefined);
    return { reads: [place(conn, name, ctx.baseDir, where)], writes: [staged(step.id)] };
  }
  if (step.load) {
    const l = step.load;
    const where = l.table ?? filled(l.path ?? (typeof l.key === "string" ? l.key : undefined), ctx.templates);
    return { reads: upstream.map(staged), writes: [place(conn, name, ctx.baseDir, where)] };
  }
  if (step.transform) return { reads: upstream.map(staged), writes: [staged(step.id)] };
  return { reads: [place(conn, name, ctx.baseDir, "sql")], writes: [place(conn, name, ctx.baseDir, "sql")] };
}

/** Where a load step writes, in `PlannedStep.writes` form (`file:<absolute path>`, `postgres:<connection>:<table>`, `s3://…`); undefined for other steps. */
export function loadTarget(ctx: RunContext, step: Step): string | undefined {
  return step.load ? stepIo(ctx, step).writes[0] : undefined;
}

export function planSteps(ctx: RunContext, levels: readonly (readonly string[])[]): PlannedStep[] {
  return levels.flatMap((level, i) =>
    level.map((id) => {
      const step = ctx.steps.get(id) as Step;
      const kind = stepKind(step);
      const connection = connectionOf(step);
      return { id, level: i, kind, ...(connection !== undefined ? { connection } : {}), does: describeStep(step, ctx.templates), ...stepIo(ctx, step), policy: policyText(ctx, step) };
    }),
  );
}
