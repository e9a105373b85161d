// Regenerates `contributes.languageModelTools` in package.json from the MCP contract snapshot
// (test/golden/mcp/tools.json), so VS Code's tools keep the MCP tools' schemas (toolContract.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { languageModelToolsContribution, type McpToolContract } from "../client/src/agent/toolContract";

const root = join(__dirname, "..");
const contract = JSON.parse(readFileSync(join(root, "test", "golden", "mcp", "tools.json"), "utf8")) as { tools: McpToolContract[] };
const pkgPath = join(root, "package.json");
const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { contributes: Record<string, unknown> };
pkg.contributes.languageModelTools = languageModelToolsContribution(contract.tools);
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + "\n");
console.log(`wrote contributes.languageModelTools (${contract.tools.length} tools) in ${pkgPath}`);
