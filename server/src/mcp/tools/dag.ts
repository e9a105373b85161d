/** `dag`: the graph the CLI's `agent-etl dag` prints, with each node's output columns where they are known without a source. */
import { z } from "zod";
import { buildDag } from "../../dag/graph";
import { propagateColumns } from "../../pipeline/columns";
import { buildOutline } from "../../pipeline/outline";
import { parseYaml } from "../../pipeline/parse";
import { collectSecrets, readPipeline } from "../pipelineFile";
import type { ToolDefinition } from "../toolKit";
import { pathArg } from "./shapes";

const column = z.object({ name: z.string(), type: z.string().optional() });
const node = z.object({
  id: z.string(),
  kind: z.enum(["extract", "transform", "load", "sql"]).optional(),
  connection: z.string().optional(),
  connectionType: z.string().optional(),
  description: z.string().optional(),
  level: z.number().int().optional().describe("0-based level; steps of one level can run in parallel (absent for steps in a cycle)"),
  upstream: z.array(z.string()),
  outputColumns: z.array(column).optional().describe("The columns the step outputs, when known from the file (absent: depends on the source; call analyze)"),
});

const input = { path: pathArg };
const output = {
  name: z.string().optional(),
  nodes: z.array(node),
  edges: z.array(z.object({ from: z.string(), to: z.string() })),
  levels: z.array(z.array(z.string())),
  cycles: z.array(z.array(z.string())).describe("Each cycle as a path of step ids, first repeated at the end"),
  yamlErrors: z.number().int().describe("YAML syntax errors (the graph is then partial); the file is not otherwise checked here: call validate"),
};

export const dagTool: ToolDefinition<typeof input, typeof output> = {
  name: "dag",
  title: "Pipeline graph",
  description: "The pipeline's steps as a graph: nodes (kind, connection, output columns where known), edges, parallel levels and cycles. Use it to understand or explain a pipeline's structure.",
  input,
  output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, ctx) {
    // The graph and the columns need no schema check or rules: validate's work is left to validate (issue 19's ≤ 50 ms on 500 steps).
    const read = await readPipeline(args.path, ctx);
    await collectSecrets(read.text, read.env, undefined, read.baseDir, ctx);
    const parsed = parseYaml(read.text);
    const outline = buildOutline(parsed.doc);
    const dag = buildDag(outline);
    const propagation = propagateColumns(outline, dag, new Map());
    const levelOf = new Map(dag.levels.flatMap((ids, i) => ids.map((id) => [id, i] as const)));
    const connectionTypes = new Map([...outline.connections].map(([name, c]) => [name, c.type]));
    const nodes = dag.nodes.map((n) => {
      const columns = propagation.steps.get(n.id)?.output;
      const type = n.connection !== undefined ? connectionTypes.get(n.connection) : undefined;
      const level = levelOf.get(n.id);
      return {
        id: n.id,
        ...(n.kind ? { kind: n.kind } : {}),
        ...(n.connection !== undefined ? { connection: n.connection } : {}),
        ...(type ? { connectionType: type } : {}),
        ...(n.description !== undefined ? { description: n.description } : {}),
        ...(level !== undefined ? { level } : {}),
        upstream: dag.upstream.get(n.id) ?? [],
        ...(columns && columns !== "unknown" ? { outputColumns: columns.map((c) => ({ name: c.name, ...(c.type ? { type: c.type } : {}) })) } : {}),
      };
    });
    const yamlErrors = parsed.problems.filter((p) => p.severity === "error").length + (read.fileProblem ? 1 : 0);
    return { ...(outline.name?.name ? { name: outline.name.name } : {}), nodes, edges: dag.edges.map((e) => ({ from: e.from, to: e.to })), levels: dag.levels, cycles: dag.cycles.map((c) => c.path), yamlErrors };
  },
};
