import { z } from "zod";
import { PipelineSchema } from "./model";

export const SCHEMA_ID = "https://agent-etl.dev/schemas/pipeline.schema.json";

/**
 * The JSON Schema for pipeline files, generated from the zod model. Draft-07, because it is
 * what YAML and JSON tooling in editors (yaml-language-server, VS Code) understands best.
 */
export function buildJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(PipelineSchema, { target: "draft-07", io: "input", unrepresentable: "any" });
  return { $schema: "http://json-schema.org/draft-07/schema#", $id: SCHEMA_ID, ...generated };
}
