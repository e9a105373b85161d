/**
 * HTTP `incremental: {param, from, initial, lag}` through the CLI against a loopback API that
 * filters its records by the parameter: each run sends the last run's mark (less `lag`) and takes
 * the next mark from the records it read; pages keep the parameter.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { project, runCli } from "../runner/helpers";

interface Order {
  id: number;
  meta: { updated_at: string };
}

const orders: Order[] = [];
const seen: URLSearchParams[] = [];
let server: Server;
let base = "";
const p = project("http-incremental");

before(async () => {
  // GET /orders?updated_since=T&offset=O&limit=L → {items: orders updated after T, in order}
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    seen.push(url.searchParams);
    const since = url.searchParams.get("updated_since");
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const limit = Number(url.searchParams.get("limit") ?? 100);
    const newer = orders.filter((o) => since === null || Date.parse(o.meta.updated_at) > Date.parse(since)).sort((a, b) => a.meta.updated_at.localeCompare(b.meta.updated_at));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ items: newer.slice(offset, offset + limit) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  p.cleanup();
});

const PIPELINE = `version: 1
name: api_sync
connections:
  api: { type: http, base_url: "\${env:API_URL}" }
  out: { type: file, root: out }
steps:
  - id: orders
    extract:
      connection: api
      path: /orders
      records: items
      paginate: { type: offset, limit: 2 }
      incremental: { param: updated_since, from: meta.updated_at, initial: "2024-01-01T00:00:00Z", lag: 5m }
  - id: save
    depends_on: [orders]
    load: { connection: out, path: "orders-{{ run_id }}.jsonl" }
`;

async function runOnce(file: string, runId: string): Promise<number[]> {
  seen.length = 0;
  const result = await runCli(["run", file, "--run-id", runId], { cwd: p.dir, env: { API_URL: base } });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  return p.read(`out/orders-${runId}.jsonl`).trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as Order).id);
}

describe("HTTP incremental extracts (dist/cli.js, loopback API)", () => {
  it("sends the mark as a parameter on every page and takes the next mark from the records", async () => {
    const file = p.write("api.etl.yaml", PIPELINE);
    orders.push({ id: 1, meta: { updated_at: "2024-01-02T10:00:00Z" } }, { id: 2, meta: { updated_at: "2024-01-02T11:00:00Z" } }, { id: 3, meta: { updated_at: "2024-01-02T12:00:00Z" } });
    assert.deepEqual(await runOnce(file, "r1"), [1, 2, 3]);
    assert.deepEqual([...new Set(seen.map((q) => q.get("updated_since")))], ["2024-01-01T00:00:00Z"], "the first run sends `initial`, on each page");
    assert.ok(seen.length >= 2, "paginated");

    orders.push({ id: 4, meta: { updated_at: "2024-01-02T13:00:00Z" } });
    // Written late: stamped within the lag before the mark (12:00).
    orders.push({ id: 5, meta: { updated_at: "2024-01-02T11:58:00Z" } });
    assert.deepEqual(await runOnce(file, "r2"), [5, 3, 4]);
    assert.deepEqual([...new Set(seen.map((q) => q.get("updated_since")))], ["2024-01-02T11:55:00.000000Z"], "the committed mark 12:00 less 5m");

    assert.deepEqual(await runOnce(file, "r3"), [4], "the mark moved to 13:00; only the window behind it is read again");
    assert.deepEqual([...new Set(seen.map((q) => q.get("updated_since")))], ["2024-01-02T12:55:00.000000Z"]);
  });
});
