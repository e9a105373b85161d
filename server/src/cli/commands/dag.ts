import { basename } from "node:path";
import { z } from "zod";
import { DAG_FORMATS, renderDag } from "../../dag/render";
import { defineCommand, formatOption } from "../command";
import { loadEnv } from "../../env/load";
import { readPipelineFile, validateFile } from "../../runner/pipelineFile";
import { formatText, toFileDiagnostics } from "../format";

export const dagCommand = defineCommand({
  name: "dag",
  summary: "print the pipeline's DAG",
  usage: "agent-etl dag FILE [--format text|json|mermaid|dot]",
  help: `Prints the steps and their dependencies.

Options:
  --format text|json|mermaid|dot   text (default): steps by level (steps of a level can run in parallel)
                                   json: {nodes: [{id, kind, connection}], edges: [{from, to}], levels}
                                   mermaid / dot: for diagrams (Mermaid flowchart, Graphviz)

Errors in the file are printed to stderr; the DAG is still printed when it has no cycle.
Exit codes: 0 success, 1 the file has errors, 2 bad usage or unreadable file.`,
  options: { format: { type: "string" } },
  schema: z.object({ positionals: z.array(z.string()).length(1, "give exactly one pipeline file"), format: formatOption(DAG_FORMATS) }),
  async run(args, io) {
    const file = readPipelineFile(args.positionals[0] as string);
    const result = validateFile(file, { envNames: new Set(loadEnv(file.path, io.env, io.cwd).keys()) });
    const errors = result.problems.filter((p) => p.severity === "error");
    if (errors.length > 0) io.stderr(formatText(toFileDiagnostics(file.path, file.text, errors)));
    if (result.dag.cycles.length === 0 && result.dag.nodes.length > 0) {
      io.stdout(renderDag(result.dag, args.format, result.outline.name?.name ?? basename(file.path).replace(/\.etl\.ya?ml$/, "")));
    }
    return errors.length > 0 ? 1 : 0;
  },
});
