// Issue 19: the MCP server's `validate` and `dag` tool calls on a 500-step file (median after
// start-up, target ≤ 50 ms) and its start time (spawn → initialized, target ≤ 300 ms), beside the
// same work through the CLI (one process per call, start-up included).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { buildBenchCli, generatePipeline, median, table } from "./_util";

async function connect(cli: string, cwd: string): Promise<{ client: Client; ms: number }> {
  const started = performance.now();
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, "mcp"], cwd, stderr: "ignore" }));
  return { client, ms: performance.now() - started };
}

async function timeCalls(client: Client, name: string, args: Record<string, unknown>, runs: number): Promise<number> {
  await client.callTool({ name, arguments: args });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const result = await client.callTool({ name, arguments: args });
    times.push(performance.now() - t);
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  }
  return median(times);
}

function timeCli(cli: string, args: string[], cwd: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, [cli, ...args], { cwd, stdio: "ignore" });
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-mcp-"));
  try {
    const cli = await buildBenchCli(dir, "cli");
    writeFileSync(join(dir, "big.etl.yaml"), generatePipeline(500));
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { client, ms } = await connect(cli, dir);
      starts.push(ms);
      await client.close();
    }
    const { client } = await connect(cli, dir);
    const validate = await timeCalls(client, "validate", { path: "big.etl.yaml" }, 30);
    const dag = await timeCalls(client, "dag", { path: "big.etl.yaml" }, 30);
    await client.close();
    const cliValidate = timeCli(cli, ["validate", "big.etl.yaml", "--format", "json"], dir, 5);
    const cliDag = timeCli(cli, ["dag", "big.etl.yaml", "--format", "json"], dir, 5);
    const start = median(starts);
    const mark = (ms: number, target: number) => `${ms.toFixed(1)} ${ms <= target ? "✓" : "✗"}`;
    table(
      ["work (500-step file)", "MCP tool call ms (median, server running)", "target", "CLI ms (process per call)"],
      [
        ["validate", mark(validate, 50), "≤ 50", cliValidate.toFixed(1)],
        ["dag", mark(dag, 50), "≤ 50", cliDag.toFixed(1)],
        ["server start (spawn → initialized)", mark(start, 300), "≤ 300", "—"],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
