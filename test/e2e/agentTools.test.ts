/**
 * Our language-model tools and MCP server definition in a real VS Code (code-server, VS Code ≥ 1.101),
 * called as an agent calls them: the agent probe (fixtures/agent-probe) invokes them through
 * `vscode.lm.invokeTool` and writes what it got to the workspace; `run` goes through VS Code's
 * confirmation, which this test reads and accepts in the workbench.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { openWorkbench, poll, startCodeServer, type CodeServer } from "../support/codeServer";
import { AGENT_PROBE_RESULTS, packageAgentProbe } from "./agentProbe";
import { FIXTURES, ROOT } from "./paths";
import { packageVsix } from "./vsix";
import { Workbench } from "./workbench";

interface Invoked {
  text?: string;
  error?: string;
}

interface ProbeResults {
  tools?: { name: string; inputSchema?: unknown }[];
  mcpServerDefinitions?: { label: string; command: string; args: string[] }[];
  lmMcpServerDefinitions?: string[] | null;
  validate?: Invoked;
  plan?: Invoked;
  badPath?: Invoked;
  run?: Invoked;
}

const contract = JSON.parse(readFileSync(join(ROOT, "test", "golden", "mcp", "tools.json"), "utf8")) as { tools: { name: string }[] };

describe("language-model tools and the MCP server in code-server", { timeout: 10 * 60_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let workspace: string;

  const results = (key: keyof ProbeResults) =>
    poll(`the agent probe's ${key} result`, () => {
      const file = join(workspace, AGENT_PROBE_RESULTS);
      if (!existsSync(file)) return undefined;
      try {
        const r = JSON.parse(readFileSync(file, "utf8")) as ProbeResults;
        return r[key] !== undefined ? r : undefined;
      } catch {
        return undefined; // being written
      }
    }, 120_000);

  before(async () => {
    const [vsix, probe] = [packageVsix(), await packageAgentProbe()];
    workspace = mkdtempSync(join(tmpdir(), "agent-etl-e2e-agent-"));
    cpSync(FIXTURES, workspace, { recursive: true });
    server = await startCodeServer({ workspace, vsix, alsoInstall: [probe] });
    ({ browser, page } = await openWorkbench(server));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("registers every MCP tool as agent-etl_<tool>, with the MCP input schema", async () => {
    const r = await results("tools");
    assert.deepEqual(r.tools?.map((t) => t.name).sort(), contract.tools.map((t) => `agent-etl_${t.name}`).sort());
    const validate = r.tools?.find((t) => t.name === "agent-etl_validate");
    assert.deepEqual(Object.keys((validate?.inputSchema as { properties?: object } | undefined)?.properties ?? {}).sort(), ["path", "text"]);
  });

  it("offers agent-etl mcp to VS Code's agent mode, run with the bundled CLI", async () => {
    const r = await results("mcpServerDefinitions");
    const defs = r.mcpServerDefinitions ?? [];
    assert.equal(defs.length, 1, JSON.stringify(defs));
    assert.equal(defs[0]?.label, "Agent ETL");
    assert.match(defs[0]?.args[0] ?? "", /agent-etl[^/]*\/dist\/cli\.js$/);
    assert.deepEqual(defs[0]?.args.slice(1, 3), ["mcp", "--root"]);
    // Where the editor exposes what its providers gave (not every version does), ours is there.
    if (Array.isArray(r.lmMcpServerDefinitions)) assert.ok(r.lmMcpServerDefinitions.includes("Agent ETL"), JSON.stringify(r.lmMcpServerDefinitions));
  });

  it("VS Code's own MCP: List Servers shows Agent ETL, with no mcp.json in the workspace", async () => {
    assert.ok(!existsSync(join(workspace, ".vscode", "mcp.json")));
    const wb = new Workbench(page);
    await wb.command("MCP: List Servers");
    const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: "Agent ETL" }).first();
    await row.waitFor({ state: "visible", timeout: 30_000 });
    await page.keyboard.press("Escape");
  });

  it("validate through vscode.lm.invokeTool reports the broken pipeline's unknown dependency", async () => {
    const r = await results("validate");
    assert.equal(r.validate?.error, undefined, r.validate?.error);
    const out = JSON.parse(r.validate?.text ?? "{}") as { valid?: boolean; diagnostics?: { message: string; range: { start: { line: number } } }[] };
    assert.equal(out.valid, false);
    const frist = out.diagnostics?.find((d) => d.message.includes("frist"));
    assert.ok(frist, JSON.stringify(out.diagnostics));
    const line = readFileSync(join(workspace, "broken.etl.yaml"), "utf8").split("\n").findIndex((l) => l.includes("[frist]")) + 1;
    assert.equal(frist.range.start.line, line);
  });

  it("plan through vscode.lm.invokeTool lists the steps in order and the file the load writes", async () => {
    const r = await results("plan");
    assert.equal(r.plan?.error, undefined, r.plan?.error);
    const plan = JSON.parse(r.plan?.text ?? "{}") as { pipeline?: string; levels?: string[][]; steps?: { id: string; writes: string[] }[] };
    assert.equal(plan.pipeline, "e2e_orders");
    assert.deepEqual(plan.levels, [["extract_orders"], ["big_orders"], ["load_big_orders"]]);
    assert.ok(plan.steps?.find((s) => s.id === "load_big_orders")?.writes.some((w) => w.endsWith("big_orders.csv")), JSON.stringify(plan.steps));
    assert.ok(!existsSync(join(workspace, "out", "big_orders.csv")), "a plan writes nothing");
  });

  it("a path outside the workspace is refused with a message that says so", async () => {
    const r = await results("badPath");
    assert.match(r.badPath?.error ?? r.badPath?.text ?? "", /outside the workspace roots/);
  });

  it("run asks first, naming the pipeline, its steps and the target, then runs once accepted", async () => {
    const dialog = page.locator(".monaco-dialog-box");
    await dialog.waitFor({ state: "visible", timeout: 120_000 });
    const text = (await dialog.innerText()).replace(/\s+/g, " ");
    assert.match(text, /Run the pipeline e2e_orders\?/);
    assert.match(text, /extract_orders, big_orders, load_big_orders/);
    assert.match(text, /big_orders\.csv \(step load_big_orders\)/);
    assert.ok(!existsSync(join(workspace, "out", "big_orders.csv")), "nothing runs before the user agrees");
    await dialog.locator(".monaco-button", { hasText: /^(Continue|Allow|Yes|OK)$/ }).first().click();
    const r = await results("run");
    assert.equal(r.run?.error, undefined, r.run?.error);
    const run = JSON.parse(r.run?.text ?? "{}") as { status?: string };
    assert.equal(run.status, "succeeded");
    const rows = readFileSync(join(workspace, "out", "big_orders.csv"), "utf8").trim().split("\n").slice(1);
    const expected = readFileSync(join(workspace, "data", "orders.csv"), "utf8").trim().split("\n").slice(1).filter((l) => Number(l.split(",")[2]) > 100);
    assert.equal(rows.length, expected.length);
  });
});
