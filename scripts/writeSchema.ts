// Regenerates schemas/pipeline.schema.json from the zod model (server/src/pipeline/model.ts), and the
// ahead-of-time compiled validators of that schema (server/src/pipeline/validators/).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildJsonSchema } from "../server/src/pipeline/jsonSchema";

const target = join(__dirname, "..", "schemas", "pipeline.schema.json");
writeFileSync(target, JSON.stringify(buildJsonSchema(), null, 2) + "\n");
console.log(`wrote ${target}`);

// Imported after the schema is written: the validators are compiled from the file on disk.
void import("../server/src/pipeline/validators/generateValidators.js").then(({ generatedValidators }) => {
  const validators = join(__dirname, "..", "server", "src", "pipeline", "validators", "schemaValidators.generated.ts");
  writeFileSync(validators, generatedValidators());
  console.log(`wrote ${validators}`);
});
