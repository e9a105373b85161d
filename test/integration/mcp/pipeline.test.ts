/**
 * An agent's whole path through the MCP server against a real PostgreSQL and a loopback API:
 * generate → validate → dag → plan → preview → run (refused, then confirmed) → runs, with the row count
 * checked in PostgreSQL, a failing run's fix, and every output scanned for the test's secrets.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startApi, type TestApi } from "../../support/httpServer";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { project } from "../runner/helpers";
import { errorText, ok, startMcp, type McpSession } from "./helpers";

const RECORDS = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, customer: `c${i % 4}`, amount: (i + 1) * 10 }));

let server: TestPostgres;
let api: TestApi;
let dbUrl: string;
let mcp: McpSession;
const token = `tok-${randomBytes(12).toString("hex")}`;
const p = project("mcp");

before(async () => {
  server = await startPostgres();
  dbUrl = await server.createDatabase("mcp_agent");
  api = await startApi(RECORDS);
  const apiUrl = new URL("/link", api.url);
  apiUrl.username = "agent";
  apiUrl.password = token;
  mcp = await startMcp({ cwd: p.dir, env: { API_SOURCE_URL: apiUrl.href, TARGET_URL: dbUrl } });
});

after(async () => {
  await mcp?.close();
  await api?.close();
  await server?.stop();
  p.cleanup();
});

/** `schema.table` or `table` as a quoted SQL name (the generator may name a table after a keyword, e.g. offset). */
function quoted(table: string): string {
  return table.split(".").map((part) => `"${part.replace(/"/g, '""')}"`).join(".");
}

async function tableExists(table: string): Promise<boolean> {
  const rows = await server.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [quoted(table)], "mcp_agent");
  return (rows[0]?.t ?? null) !== null;
}

async function count(table: string): Promise<number> {
  const rows = await server.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoted(table)}`, [], "mcp_agent");
  return rows[0]?.n ?? -1;
}

interface Plan {
  runId: string;
  steps: { id: string; kind: string; reads: string[]; writes: string[] }[];
}

describe("an agent builds and runs a pipeline through agent-etl mcp", () => {
  let table = "";

  it("generate writes a new pipeline whose secrets are ${env:} references, and never overwrites", async () => {
    const out = ok<{ yaml: string; path: string; env: { name: string }[]; steps: number }>(
      await mcp.call("generate", { sourceEnv: "API_SOURCE_URL", targetEnv: "TARGET_URL", name: "orders", path: "orders.etl.yaml" }),
    );
    assert.ok(existsSync(join(p.dir, "orders.etl.yaml")));
    assert.ok(out.steps >= 2);
    const names = out.env.map((e) => e.name).sort();
    assert.ok(names.length === 2, `two variables to set: ${names.join(", ")}`);
    assert.match(out.yaml, /\$\{env:/);
    // The user puts the values in the .env beside the file, as generate told the agent to ask.
    p.write(".env", `${names[0]}=${names[0]?.includes("PASSWORD") ? token : dbUrl}\n${names[1]}=${names[1]?.includes("PASSWORD") ? token : dbUrl}\n`);
    assert.match(errorText(await mcp.call("generate", { sourceEnv: "API_SOURCE_URL", path: "orders.etl.yaml" })), /already exists/);
  });

  it("validate finds no errors; dag shows the extract before the load", async () => {
    const v = ok<{ valid: boolean; errors: number }>(await mcp.call("validate", { path: "orders.etl.yaml" }));
    assert.equal(v.valid, true);
    const dag = ok<{ nodes: { id: string; kind?: string; level?: number }[]; edges: { from: string; to: string }[] }>(await mcp.call("dag", { path: "orders.etl.yaml" }));
    const extract = dag.nodes.find((n) => n.kind === "extract");
    const load = dag.nodes.find((n) => n.kind === "load");
    assert.ok(extract && load);
    assert.ok((load.level ?? 0) > (extract.level ?? 0));
  });

  it("plan names the table the run will write, and touches no data", async () => {
    const plan = ok<Plan>(await mcp.call("plan", { path: "orders.etl.yaml" }));
    const load = plan.steps.find((s) => s.kind === "load");
    const target = load?.writes.find((w) => w.startsWith("postgres:"));
    assert.ok(target, JSON.stringify(plan.steps));
    table = target.split(":").slice(2).join(":");
    assert.equal(await tableExists(table), false, "the plan created nothing");
  });

  it("preview shows the first records the load would load, from one page of the API, and writes nothing", async () => {
    const plan = ok<Plan>(await mcp.call("plan", { path: "orders.etl.yaml" }));
    const load = plan.steps.find((s) => s.kind === "load");
    assert.ok(load);
    const before = api.requests.length;
    const preview = ok<{ step: string; limit: number; rows: Record<string, unknown>[]; columns: { name: string }[]; truncated: boolean; notes: string[] }>(await mcp.call("preview", { path: "orders.etl.yaml", step: load.id, limit: 5 }));
    assert.equal(preview.step, load.id);
    assert.equal(preview.rows.length, 5);
    assert.equal(preview.truncated, true);
    // The generated steps may rename columns: each row still carries its source record's values, in order.
    preview.rows.forEach((row, i) => {
      const values = Object.values(row).map(String);
      assert.ok(values.includes(String(RECORDS[i]?.customer)) && values.includes(String(RECORDS[i]?.amount)), `row ${i}: ${JSON.stringify(row)}`);
    });
    assert.ok(preview.columns.length >= 3);
    // 15 rows would need a second page of 10: a preview reads one page, and says so.
    const wider = ok<{ rows: unknown[]; truncated: boolean; notes: string[] }>(await mcp.call("preview", { path: "orders.etl.yaml", step: load.id, limit: 15 }));
    assert.equal(wider.rows.length, 10);
    assert.equal(wider.truncated, true);
    assert.match(wider.notes.join("\n"), /first page/);
    assert.equal(api.requests.length - before, 2, "one request per preview");
    assert.equal(await tableExists(table), false, "the preview loaded nothing");
    assert.equal(existsSync(join(p.dir, ".etl")), false, "the preview staged nothing");
    assert.match(errorText(await mcp.call("preview", { path: "orders.etl.yaml", step: `${load.id}x` })), /\[unknown-step\].*did you mean/);
  });

  it("run without confirm is refused and loads nothing", async () => {
    assert.match(errorText(await mcp.call("run", { path: "orders.etl.yaml" })), /ask.*confirm: true/s);
    assert.equal(await tableExists(table), false);
  });

  it("run with confirm loads every record; runs lists the run and its steps", async () => {
    const run = ok<{ runId: string; status: string; steps: { id: string; status: string; rows?: number }[]; failures: unknown[] }>(await mcp.call("run", { path: "orders.etl.yaml", confirm: true }));
    assert.equal(run.status, "succeeded", JSON.stringify(run));
    assert.deepEqual(run.failures, []);
    assert.equal(await tableExists(table), true);
    assert.equal(await count(table), RECORDS.length);
    const runs = ok<{ runs: { runId: string; status: string }[] }>(await mcp.call("runs", { path: "orders.etl.yaml" }));
    assert.equal(runs.runs[0]?.runId, run.runId);
    assert.equal(runs.runs[0]?.status, "succeeded");
    const one = ok<{ run: { steps: { id: string; status: string; rows?: number }[] } }>(await mcp.call("runs", { path: "orders.etl.yaml", runId: run.runId }));
    assert.deepEqual(one.run.steps.map((s) => s.status), run.steps.map(() => "succeeded"));
    assert.ok(one.run.steps.some((s) => s.rows === RECORDS.length));
  });

  it("a failed run returns the failure with its fix, and runs shows the failed step's error", async () => {
    const text = p.read("orders.etl.yaml").replace(/path: \/link/, "path: /missing");
    assert.notEqual(text, p.read("orders.etl.yaml"), "the extract reads /link");
    p.write("broken.etl.yaml", text.replace(/^name: \w+/m, "name: broken"));
    const run = ok<{ runId: string; status: string; failures: { step: string; error: string; fix: string }[] }>(await mcp.call("run", { path: "broken.etl.yaml", confirm: true }));
    assert.equal(run.status, "failed");
    assert.match(run.failures[0]?.fix ?? "", /resume: true/);
    const one = ok<{ run: { steps: { status: string; error?: string; fix?: string }[] } }>(await mcp.call("runs", { path: "broken.etl.yaml", runId: run.runId }));
    const failed = one.run.steps.find((s) => s.status === "failed");
    assert.match(failed?.error ?? "", /404/);
    assert.match(failed?.fix ?? "", /--resume --run-id/);
  });

  it("run with skipChecks loads what a failing check stopped, and says which checks it skipped", async () => {
    p.write("checked/orders.csv", "id,status\n1,paid\n2,lost\n");
    p.write(
      "checked.etl.yaml",
      ["version: 1", "name: checked", "connections:", "  files: {type: file, root: ./checked}", "steps:", "  - id: orders", "    extract: {connection: files, path: orders.csv}", "    checks:", "      - accepted_values: {column: status, values: [paid]}", "  - id: keep", "    depends_on: [orders]", "    load: {connection: files, path: out.jsonl}", ""].join("\n"),
    );
    type Run = { status: string; checksSkipped: string[]; failures: { step: string; error: string }[] };
    const checked = ok<Run>(await mcp.call("run", { path: "checked.etl.yaml", confirm: true }));
    assert.equal(checked.status, "failed");
    assert.equal(checked.failures[0]?.step, "orders");
    assert.match(checked.failures[0]?.error ?? "", /"lost"/);
    assert.equal(existsSync(join(p.dir, "checked", "out.jsonl")), false, "nothing loaded");
    const skipped = ok<Run>(await mcp.call("run", { path: "checked.etl.yaml", confirm: true, skipChecks: true }));
    assert.equal(skipped.status, "succeeded");
    assert.deepEqual(skipped.checksSkipped, ["orders"]);
    assert.equal(p.read("checked/out.jsonl").trim().split("\n").length, 2);
  });

  it("analyze reports the API's fields and the database", async () => {
    const report = ok<{ ok: boolean; connections: { name: string; type: string; error?: unknown }[] }>(await mcp.call("analyze", { path: "orders.etl.yaml" }));
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.connections.map((c) => c.type).sort(), ["http", "postgres"]);
  });

  it("bad arguments and paths outside the workspace are isError results, and the server keeps serving", async () => {
    assert.match(errorText(await mcp.call("validate", {})), /either `path`.*or `text`/);
    assert.match(errorText(await mcp.call("dag", { path: 5 })), /path/);
    assert.match(errorText(await mcp.call("plan", { path: "nope.etl.yaml" })), /no such file/);
    assert.match(errorText(await mcp.call("runs", { path: "orders.etl.yaml", runId: "manual_none" })), /no run/);
    assert.match(errorText(await mcp.call("validate", { path: "../../etc/passwd" })), /outside the workspace roots/);
    symlinkSync("/etc", join(p.dir, "escape"));
    assert.match(errorText(await mcp.call("validate", { path: "escape/passwd" })), /outside the workspace roots/);
    assert.match(errorText(await mcp.call("generate", { source: "/etc" })), /outside the workspace roots/);
    assert.equal(ok<{ valid: boolean }>(await mcp.call("validate", { path: "orders.etl.yaml" })).valid, true);
  });

  it("a secret a source echoes back (a URL in an error) is scrubbed from run, runs and analyze", async () => {
    p.write(".env", `${p.read(".env")}LEAK_TOKEN=${token}\n`);
    p.write(
      "leaky.etl.yaml",
      ["version: 1", "name: leaky", "connections:", "  api:", "    type: http", `    base_url: ${api.url}/secret-\${env:LEAK_TOKEN}`, "  out:", "    type: file", "steps:", "  - id: pull", "    extract:", "      connection: api", "      path: /items", "  - id: keep", "    depends_on: [pull]", "    load:", "      connection: out", "      path: leaky.jsonl", ""].join("\n"),
    );
    assert.equal(ok<{ valid: boolean }>(await mcp.call("validate", { path: "leaky.etl.yaml" })).valid, true);
    const run = ok<{ runId: string; status: string; failures: { error: string }[] }>(await mcp.call("run", { path: "leaky.etl.yaml", confirm: true }));
    assert.equal(run.status, "failed");
    assert.match(run.failures[0]?.error ?? "", /\*\*\*/, "the failure names the URL, with the secret replaced");
    const runs = await mcp.call("runs", { path: "leaky.etl.yaml", runId: run.runId });
    assert.match(JSON.stringify(runs), /\*\*\*/);
    assert.match(errorText(await mcp.call("preview", { path: "leaky.etl.yaml", step: "keep" })), /\*\*\*/, "the preview's failure too");
    const report = ok<{ ok: boolean }>(await mcp.call("analyze", { path: "leaky.etl.yaml", refresh: true }));
    assert.equal(report.ok, false);
  });

  it("a tool waiting on a slow source stops at its timeout and when the client cancels", async () => {
    api.always({ delayMs: 20_000 });
    try {
      const started = Date.now();
      assert.match(errorText(await mcp.call("analyze", { path: "orders.etl.yaml", refresh: true, timeoutSeconds: 1 })), /longer than 1 s/);
      assert.ok(Date.now() - started < 10_000, "answered at the timeout, not when the source did");
      const extract = ok<Plan>(await mcp.call("plan", { path: "orders.etl.yaml" })).steps.find((s) => s.kind === "extract");
      const previewStarted = Date.now();
      assert.match(errorText(await mcp.call("preview", { path: "orders.etl.yaml", step: extract?.id, timeoutSeconds: 1 })), /preview took longer than 1 s/);
      assert.ok(Date.now() - previewStarted < 10_000, "the preview too");
      const controller = new AbortController();
      const call = mcp.client.callTool({ name: "analyze", arguments: { path: "orders.etl.yaml", refresh: true } }, undefined, { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await assert.rejects(call, /abort/i);
    } finally {
      api.always(undefined);
    }
    assert.equal(ok<{ valid: boolean }>(await mcp.call("validate", { path: "orders.etl.yaml" })).valid, true, "the server still serves");
  });

  it("no tool output contains the PostgreSQL password or the API token", () => {
    assert.ok(mcp.outputs.length >= 15);
    for (const out of mcp.outputs) {
      assert.ok(!out.includes(server.password), `the PostgreSQL password leaked: ${out.slice(0, 200)}`);
      assert.ok(!out.includes(token), `the API token leaked: ${out.slice(0, 200)}`);
    }
    assert.ok(!mcp.stderr().includes(token) && !mcp.stderr().includes(server.password), "nor does the server's log");
  });
});

describe("roots", () => {
  it("--root folders confine paths when the client declares none", async () => {
    p.write("rooted/r.etl.yaml", "version: 1\nname: r\nsteps: []\n");
    const session = await startMcp({ cwd: p.dir, args: ["--root", "rooted"] });
    try {
      assert.match(errorText(await session.call("validate", { path: join(p.dir, "orders.etl.yaml") })), /outside the workspace roots/);
      assert.equal(typeof ok<{ errors: number }>(await session.call("validate", { path: "r.etl.yaml" })).errors, "number");
    } finally {
      await session.close();
    }
  });

  it("the roots the client declares confine paths", async () => {
    const inside = join(p.dir, "inside");
    p.write("inside/a.etl.yaml", "version: 1\nname: a\nsteps: []\n");
    const session = await startMcp({ cwd: p.dir, roots: [inside] });
    try {
      assert.match(errorText(await session.call("validate", { path: join(p.dir, "orders.etl.yaml") })), /outside the workspace roots/);
      const v = ok<{ errors: number }>(await session.call("validate", { path: "a.etl.yaml" }));
      assert.equal(typeof v.errors, "number");
    } finally {
      await session.close();
    }
  });
});
