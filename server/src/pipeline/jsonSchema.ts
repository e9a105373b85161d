import { z } from "zod";
import { PipelineSchema } from "./model";

const SCHEMA_ID = "https://agent-etl.dev/schemas/pipeline.schema.json";

/**
 * The JSON Schema for pipeline files, generated from the zod model. Draft-07, because it is
 * what YAML and JSON tooling in editors (yaml-language-server, VS Code) understands best.
 */
export function buildJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(PipelineSchema, { target: "draft-07", io: "input", unrepresentable: "any", override: objectUnions });
  return { $schema: "http://json-schema.org/draft-07/schema#", $id: SCHEMA_ID, ...generated };
}

/**
 * A discriminated union accepts only maps, but its `oneOf` alone says nothing of a value that is not
 * one: ajv's `discriminator` skips non-objects (so `out: 5` under `connections` passed), while zod
 * rejects them. `type: object` on the union makes ajv report such a value as a `type` error.
 */
function objectUnions(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string; discriminator?: unknown } } })._zod?.def;
  if (def?.type === "union" && typeof def.discriminator === "string") ctx.jsonSchema["type"] = "object";
}
