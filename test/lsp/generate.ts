/** Generated pipelines for LSP tests and the `lsp` benchmark: `steps` steps, about 6 lines each. */
export function generatePipeline(steps: number): string {
  const lines = [
    "version: 1",
    "name: generated",
    "description: A generated pipeline for tests and benchmarks",
    "schedule: \"0 6 * * *\"",
    "connections:",
    "  warehouse:",
    "    type: postgres",
    "    url: ${env:DATABASE_URL}",
    "  lake:",
    "    type: s3",
    "    bucket: data-lake",
    "steps:",
  ];
  for (let i = 0; i < steps; i++) {
    const id = `step_${i}`;
    const kind = i % 3;
    lines.push(`  - id: ${id}`);
    if (kind === 0) {
      lines.push(`    description: Reads slice ${i}`, "    extract:", "      connection: warehouse", `      table: public.orders_${i}`);
    } else if (kind === 1) {
      lines.push(`    depends_on: [step_${i - 1}]`, "    transform:", "      - filter: amount > 0", `      - derive: { cents: "amount * 100" }`);
    } else {
      lines.push(`    depends_on: [step_${i - 1}]`, "    load:", "      connection: lake", `      key: out/part_${i}.csv`);
    }
  }
  return lines.join("\n") + "\n";
}
