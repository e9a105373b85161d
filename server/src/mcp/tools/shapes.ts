/** Output pieces several tools share. */
import { z } from "zod";

const position = z.object({ line: z.number().int().describe("1-based line"), column: z.number().int().describe("1-based column") });
export const range = z.object({ start: position, end: position });

export const pathArg = z.string().min(1).describe("Path of a pipeline file (*.etl.yaml), relative to the first workspace root or absolute inside the roots");

/** `--param K=V` as an object: values are passed as text, as on the command line. */
export const paramsArg = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .optional()
  .describe("Values for {{ params.NAME }} (override the file's params)");

export function paramPairs(params: Record<string, string | number | boolean> | undefined): string[] {
  return Object.entries(params ?? {}).map(([k, v]) => `${k}=${String(v)}`);
}

/** A run's status, and one step's as a run state records it (`run` and `runs` report both). */
export const runStatus = z.enum(["running", "succeeded", "failed"]);
export const stepResult = z.object({
  id: z.string(),
  status: z.enum(["pending", "running", "succeeded", "failed", "skipped"]),
  rows: z.number().int().optional(),
  durationMs: z.number().optional(),
  attempts: z.number().int().optional(),
  error: z.string().optional(),
});
