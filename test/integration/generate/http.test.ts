import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { project, runCli } from "../runner/helpers";
import { checkGenerated } from "./helpers";

const RECORDS = Array.from({ length: 35 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, created_at: `2024-01-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z`, tags: [i % 3] }));
const SIZE = 10;

/** A loopback API whose bodies look like real ones: each pagination style with its usual fields. */
function api(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const n = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const send = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(200, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case "/v1/page": {
        const page = n("page", 1);
        const size = Math.min(n("per_page", SIZE), 20);
        return send({ data: RECORDS.slice((page - 1) * size, page * size), page, per_page: size, total_pages: Math.ceil(RECORDS.length / size) });
      }
      case "/v1/offset": {
        const offset = n("offset", 0);
        const limit = Math.min(n("limit", SIZE), SIZE); // the API caps the limit
        return send({ results: RECORDS.slice(offset, offset + limit), offset, limit, total: RECORDS.length });
      }
      case "/v1/cursor": {
        const start = Number(url.searchParams.get("cursor") ?? 0);
        const next = start + SIZE < RECORDS.length ? String(start + SIZE) : null;
        return send({ items: RECORDS.slice(start, start + SIZE), meta: { next_cursor: next, count: SIZE } });
      }
      case "/v1/link": {
        const start = n("start", 0);
        const links: Record<string, string> = start + SIZE < RECORDS.length ? { link: `</v1/link?start=${start + SIZE}>; rel="next"` } : {};
        return send(RECORDS.slice(start, start + SIZE), links);
      }
      default:
        res.writeHead(404).end();
    }
  });
}

let server: Server;
let base: string;
const dir = project("generate-http");

before(async () => {
  server = api();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dir.cleanup();
});

const CASES = [
  { style: "page", paginate: { type: "page", param: "page", size_param: "per_page", size: 10 }, records: "data" },
  { style: "offset", paginate: { type: "offset", param: "offset", limit_param: "limit", limit: 10 }, records: "results" },
  { style: "cursor", paginate: { type: "cursor", param: "cursor", next: "meta.next_cursor" }, records: "items" },
  { style: "link", paginate: { type: "link" }, records: undefined },
] as const;

describe("generate from an HTTP API", () => {
  for (const c of CASES) {
    it(`detects ${c.style} pagination and the run fetches every record`, async () => {
      const file = `${c.style}.etl.yaml`;
      const res = await runCli(["generate", "--from", `${base}/v1/${c.style}`, "-o", file], { cwd: dir.dir });
      assert.equal(res.code, 0, res.stderr);
      const text = dir.read(file);
      const generated = checkGenerated(text, []);
      const extract = generated.steps[0]?.extract;
      assert.deepEqual(extract?.paginate, c.paginate);
      assert.equal(extract?.records, c.records);
      assert.deepEqual(generated.steps.find((s) => s.transform)?.transform, [{ cast: { created_at: "timestamp" } }]);
      const run = await runCli(["run", file], { cwd: dir.dir });
      assert.equal(run.code, 0, run.stderr);
      const rows = dir
        .read(`out/${c.style}.jsonl`)
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as { id: number; created_at: string });
      assert.deepEqual(rows.map((r) => r.id), RECORDS.map((r) => r.id));
      assert.equal(rows[0]?.created_at, "2024-01-01T10:00:00.000Z");
    });
  }
});
