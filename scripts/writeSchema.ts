// Regenerates schemas/pipeline.schema.json from the zod model (server/src/pipeline/model.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildJsonSchema } from "../server/src/pipeline/jsonSchema";

const target = join(__dirname, "..", "schemas", "pipeline.schema.json");
writeFileSync(target, JSON.stringify(buildJsonSchema(), null, 2) + "\n");
console.log(`wrote ${target}`);
