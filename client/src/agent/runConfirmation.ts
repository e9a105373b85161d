/**
 * What VS Code asks before the `agent-etl_run` tool runs: the pipeline, the steps and the targets
 * they will write, from the `plan` tool's result (a dry run: nothing read or written). Pure.
 */

export interface PlanStep {
  id: string;
  level: number;
  kind: string;
  writes: string[];
}

export interface PlanResult {
  pipeline: string;
  runId: string;
  staging: string;
  steps: PlanStep[];
}

/** The kinds of step that write outside the run's staging (targets). */
const TARGET_KINDS = new Set(["load", "sql"]);

/** The plan tool's arguments for a run's arguments: the same selection, without confirm or timeout. */
export function planArgs(runInput: Record<string, unknown>): Record<string, unknown> {
  const { confirm: _confirm, timeoutSeconds: _timeout, ...rest } = runInput;
  return rest;
}

export function runConfirmation(file: string, plan: PlanResult): { title: string; message: string } {
  const targets = plan.steps.filter((s) => TARGET_KINDS.has(s.kind)).flatMap((s) => s.writes.map((w) => `  - ${w} (step ${s.id})`));
  const lines = [
    `Pipeline ${plan.pipeline} (${file}), run ${plan.runId}.`,
    `Steps (${plan.steps.length}): ${plan.steps.map((s) => s.id).join(", ")}.`,
    targets.length > 0 ? `Writes to:\n${targets.join("\n")}` : "Writes to no target outside the run's staging.",
    `Staging: ${plan.staging}`,
  ];
  return { title: `Run the pipeline ${plan.pipeline}?`, message: lines.join("\n") };
}

/** When the plan fails, the run would too: the confirmation says why instead. */
export function failedPlanConfirmation(file: string, error: string): { title: string; message: string } {
  return { title: `Run the pipeline ${file}?`, message: `The dry-run plan failed, so the run will likely fail too:\n${error}` };
}
