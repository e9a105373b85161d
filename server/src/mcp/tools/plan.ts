/** `plan`: what `agent-etl run --dry-run` shows, as data: steps by level, what each reads and writes. */
import { z } from "zod";
import { planSteps, planText } from "../../runner/plan";
import { levelsFor } from "../../runner/scheduler";
import type { ToolDefinition } from "../toolKit";
import { prepareToolRun, runArgs } from "./runArgs";

const step = z.object({
  id: z.string(),
  level: z.number().int(),
  kind: z.enum(["extract", "transform", "load", "sql"]),
  connection: z.string().optional(),
  does: z.string(),
  reads: z.array(z.string()),
  writes: z.array(z.string()),
  policy: z.string().describe("Retries and timeout"),
});

const output = {
  pipeline: z.string(),
  runId: z.string(),
  ds: z.string(),
  concurrency: z.number().int(),
  staging: z.string().describe("Where the run stages step outputs and its state"),
  levels: z.array(z.array(z.string())),
  steps: z.array(step),
  text: z.string().describe("The plan as `agent-etl run --dry-run` prints it"),
};

export const planTool: ToolDefinition<typeof runArgs, typeof output> = {
  name: "plan",
  title: "Plan a run (dry run)",
  description: "The dry-run plan of a run: steps in order and by level, what each reads and writes (resolved paths, tables, staging keys); reads and writes no data. Call it before run and show it to the user.",
  input: runArgs,
  output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, ctx) {
    const { opts, prepared } = await prepareToolRun(args, ctx);
    const levels = levelsFor(opts.dag.levels, prepared.selected);
    const c = prepared.ctx;
    return {
      pipeline: c.pipeline.name,
      runId: c.runId,
      ds: c.templates.ds,
      concurrency: opts.concurrency,
      staging: `${c.store.describe()}${c.runId}/`,
      levels: levels.map((l) => [...l]),
      steps: planSteps(c, levels),
      text: planText(c, levels, opts.concurrency),
    };
  },
};
