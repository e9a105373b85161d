// `npm run bench [-- section…]`: runs each benchmark section (bench/<section>.ts exporting `run`).
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const sections = readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.startsWith("_"))
    .map((f) => basename(f, ".ts"))
    .sort((a, b) => (a === "validate" ? -1 : b === "validate" ? 1 : a.localeCompare(b)));
  const selected = wanted.length > 0 ? sections.filter((s) => wanted.includes(s)) : sections;
  for (const unknown of wanted.filter((w) => !sections.includes(w))) console.error(`no bench section "${unknown}"; sections: ${sections.join(", ")}`);
  for (const section of selected) {
    console.log(`\n## ${section}\n`);
    const mod = (await import(join(__dirname, `${section}.ts`))) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
