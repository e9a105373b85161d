/** `validate`: the language server's diagnostics and quick fixes, for a file or for YAML text. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { loadEnv } from "../../env/load";
import { LineIndex } from "../../pipeline/positions";
import type { Problem } from "../../pipeline/problem";
import { envAppendEdit, envFixTitle, quickFixes, type TextEdit } from "../../pipeline/quickFixes";
import { validatePipeline } from "../../pipeline/validate";
import { collectSecrets, loadPipeline } from "../pipelineFile";
import { ToolError } from "../toolError";
import type { ToolContext, ToolDefinition } from "../toolKit";
import { range } from "./shapes";

const edit = z.object({ file: z.string().optional().describe("The file to edit when it is not the validated one (the .env beside it)"), range, newText: z.string() });
const fix = z.object({ title: z.string(), preferred: z.boolean(), edits: z.array(edit) });
const diagnostic = z.object({
  code: z.string(),
  severity: z.enum(["error", "warning", "info", "hint"]),
  message: z.string(),
  range,
  related: z.array(z.object({ message: z.string(), range })).optional(),
  fixes: z.array(fix),
});

const input = {
  path: z.string().min(1).optional().describe("A pipeline file to check (inside the workspace roots)"),
  text: z.string().max(16 * 1024 * 1024).optional().describe("Pipeline YAML to check instead of a file (e.g. before writing it)"),
};
const output = { valid: z.boolean().describe("true when there are no errors (warnings allowed)"), errors: z.number().int(), warnings: z.number().int(), diagnostics: z.array(diagnostic) };

type Diagnostic = z.output<typeof diagnostic>;

function envFix(envFile: string, name: string, index: (text: string) => LineIndex): z.output<typeof fix> | undefined {
  let existing: string | undefined;
  try {
    existing = readFileSync(envFile, "utf8");
  } catch {
    existing = undefined;
  }
  const append = envAppendEdit(existing, name);
  if (!append) return undefined;
  const at = index(existing ?? "").positionAt(append.span.start);
  const pos = { line: at.line + 1, column: at.character + 1 };
  return { title: envFixTitle(name), preferred: false, edits: [{ file: envFile, range: { start: pos, end: pos }, newText: append.newText }] };
}

function toDiagnostics(text: string, problems: readonly Problem[], outline: Parameters<typeof quickFixes>[1], envFile: string | undefined): Diagnostic[] {
  const index = new LineIndex(text);
  const rangeOf = (span: { start: number; end: number }) => {
    const s = index.positionAt(span.start);
    const e = index.positionAt(span.end);
    return { start: { line: s.line + 1, column: s.character + 1 }, end: { line: e.line + 1, column: e.character + 1 } };
  };
  const toEdit = (e: TextEdit) => ({ range: rangeOf(e.span), newText: e.newText });
  return problems.map((p) => {
    const fixes = quickFixes(text, outline, p).flatMap((f) => {
      const env = f.envName !== undefined && envFile !== undefined ? envFix(envFile, f.envName, (t) => new LineIndex(t)) : undefined;
      return [{ title: f.title, preferred: f.preferred, edits: f.edits.map(toEdit) }, ...(env ? [env] : [])];
    });
    return { code: p.code, severity: p.severity, message: p.message, range: rangeOf(p.span), ...(p.related?.length ? { related: p.related.map((r) => ({ message: r.message, range: rangeOf(r.span) })) } : {}), fixes };
  });
}

async function checkText(text: string, ctx: ToolContext) {
  const root = (await ctx.workspace.roots())[0] as string;
  const env = loadEnv(join(root, "pipeline.etl.yaml"), ctx.env, root);
  const result = validatePipeline(text, { envNames: new Set(env.keys()) });
  await collectSecrets(text, env, result.pipeline, root, ctx);
  return { text, problems: result.problems, outline: result.outline, envFile: undefined };
}

async function checkFile(path: string, ctx: ToolContext) {
  const loaded = await loadPipeline(path, ctx);
  const problems = [...(loaded.fileProblem ? [loaded.fileProblem] : []), ...loaded.result.problems];
  return { text: loaded.text, problems, outline: loaded.result.outline, envFile: join(dirname(loaded.path), ".env") };
}

export const validateTool: ToolDefinition<typeof input, typeof output> = {
  name: "validate",
  title: "Validate a pipeline",
  description:
    "Check a pipeline file or YAML text: diagnostics (code, severity, message, 1-based range) with the quick fixes as text edits. Call it after every edit of a pipeline, and before plan or run.",
  input,
  output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, ctx) {
    if ((args.path === undefined) === (args.text === undefined)) throw new ToolError("bad-arguments", "give either `path` (a pipeline file) or `text` (pipeline YAML), not both and not neither");
    const checked = args.text !== undefined ? await checkText(args.text, ctx) : await checkFile(args.path as string, ctx);
    const diagnostics = toDiagnostics(checked.text, checked.problems, checked.outline, checked.envFile);
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.filter((d) => d.severity === "warning").length;
    return { valid: errors === 0, errors, warnings, diagnostics };
  },
};
