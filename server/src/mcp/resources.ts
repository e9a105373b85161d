/**
 * What an agent reads before writing a pipeline: the JSON Schema, the format reference
 * (docs/pipeline-spec.md) and the examples. The schema is bundled; the documents are read from the
 * package (the repository, or the installed extension, which ships them) when asked for.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import schemaJson from "../../../schemas/pipeline.schema.json";

/** The folder holding package.json and docs/: above the bundle (dist/) or the source (server/src/mcp). */
function packageRoot(from = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "schemas", "pipeline.schema.json"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** `examples/**\/*.etl.yaml`, relative to the package root. */
function exampleFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.etl\.ya?ml$/.test(entry.name)) out.push(relative(root, path));
    }
  };
  if (existsSync(join(root, "examples"))) walk(join(root, "examples"));
  return out.sort();
}

export function registerResources(server: McpServer): void {
  server.registerResource(
    "pipeline-schema",
    "agent-etl://schema/pipeline.schema.json",
    { title: "Pipeline JSON Schema", description: "The JSON Schema of *.etl.yaml files (version 1): every key, type and description.", mimeType: "application/schema+json" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "application/schema+json", text: JSON.stringify(schemaJson, null, 2) }] }),
  );
  const root = packageRoot();
  if (!root) return;
  const spec = join(root, "docs", "pipeline-spec.md");
  if (existsSync(spec)) {
    server.registerResource(
      "pipeline-spec",
      "agent-etl://docs/pipeline-spec.md",
      { title: "Pipeline format reference", description: "The pipeline file format, the diagnostics, and the CLI: the contract to write against.", mimeType: "text/markdown" },
      (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/markdown", text: readFileSync(spec, "utf8") }] }),
    );
  }
  for (const file of exampleFiles(root)) {
    const name = file.replace(/^examples\//, "");
    server.registerResource(
      `example-${name.replace(/\.etl\.ya?ml$/, "").replace(/[^A-Za-z0-9]+/g, "-")}`,
      `agent-etl://examples/${name}`,
      { title: `Example: ${name}`, description: "An example pipeline that validates and runs.", mimeType: "application/yaml" },
      (uri) => ({ contents: [{ uri: uri.href, mimeType: "application/yaml", text: readFileSync(join(root, file), "utf8") }] }),
    );
  }
}
