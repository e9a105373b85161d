// Regenerates schemas/pipeline.schema.json from the zod model (server/src/pipeline/model.ts), the
// ahead-of-time compiled validators of that schema (server/src/pipeline/validators/), and the
// cache settings package.json contributes per connection type.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheTtlContributions } from "../server/src/language/settings";
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

// The extension's `agentEtl.cacheTtl.<type>` settings, one per registered connection type, in
// the place of the old ones.
const pkgPath = join(__dirname, "..", "package.json");
const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { contributes: { configuration: { properties: Record<string, unknown> } } };
const entries = Object.entries(pkg.contributes.configuration.properties);
const at = entries.findIndex(([key]) => key.startsWith("agentEtl.cacheTtl."));
const kept = entries.filter(([key]) => !key.startsWith("agentEtl.cacheTtl."));
kept.splice(at < 0 ? kept.length : at, 0, ...Object.entries(cacheTtlContributions()));
pkg.contributes.configuration.properties = Object.fromEntries(kept);
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + "\n");
console.log(`wrote the agentEtl.cacheTtl.* settings in ${pkgPath}`);
