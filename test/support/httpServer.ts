/**
 * Loopback JSON APIs for connector tests (node:http on 127.0.0.1, a free port). Every pagination
 * style is served over the same records, and faults can be queued for the next requests: a status
 * (429 with Retry-After, 500), a slow answer, or a dropped connection. Every request is recorded
 * with its arrival time so tests can check retries and rate limits.
 *
 *   GET  /page?page=N&per_page=S     → {"data": {"items": [...]}}            (empty page ends it)
 *   GET  /offset?offset=O&limit=L     → {"results": [...]}
 *   GET  /cursor?cursor=C             → {"items": [...], "meta": {"next_cursor": C' | null}}
 *   GET  /link?start=O                → [...] with `Link: </link?start=O'>; rel="next"`
 *   GET|POST /echo                    → [{method, query, body, authorization, headers}]
 *   GET|POST /leak/<kind>             → an error that quotes the request's Authorization header, URL and
 *                                       headers, as careless servers do: kind 401 (text), 500 (text),
 *                                       text (200, HTML), json400 (400, JSON), json200 (200, JSON, no records)
 *   GET|POST /redirect?to=URL&status=S → S (default 302) with `Location: URL`
 *   GET  /loop                        → 302 to itself
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = { status: number; retryAfter?: string; body?: string } | { delayMs: number } | { drop: true };

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface TestApi {
  url: string;
  requests: RecordedRequest[];
  /** Faults applied to the next requests, one each, in order (optionally only on one path). */
  fail(...faults: Fault[]): void;
  failOn(path: string, ...faults: Fault[]): void;
  /** Every request is answered with this fault from now on (until `clear()`). */
  always(fault: Fault | undefined): void;
  clear(): void;
  close(): Promise<void>;
}

const PAGE_SIZE = 10;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** What a careless server quotes back of a request: its credentials among the rest. */
function echoOf(req: IncomingMessage): { authorization: string | null; url: string; headers: IncomingMessage["headers"] } {
  return { authorization: req.headers.authorization ?? null, url: req.url ?? "", headers: req.headers };
}

function leak(kind: string, req: IncomingMessage, res: ServerResponse): void {
  const echo = echoOf(req);
  const text = `<html><body>Denied. Authorization: ${echo.authorization ?? "none"}; URL: ${echo.url}; headers: ${JSON.stringify(echo.headers)}</body></html>`;
  const plain = (status: number, type = "text/plain") => {
    res.writeHead(status, { "content-type": type });
    res.end(text);
  };
  if (kind === "401") return plain(401);
  if (kind === "500") return plain(500);
  if (kind === "text") return plain(200, "text/html");
  if (kind === "json400") return send(res, 400, { error: "bad request", request: echo });
  if (kind === "json200") return send(res, 200, { error: { message: `denied: ${echo.authorization ?? "none"} at ${echo.url}`, request: echo } });
  return send(res, 404, { error: `no leak kind ${kind}` });
}

function route(records: readonly Record<string, unknown>[], req: IncomingMessage, url: URL, body: string, res: ServerResponse): void {
  const q = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
  switch (url.pathname) {
    case "/page": {
      const size = q("per_page", PAGE_SIZE);
      const page = q("page", 1);
      return send(res, 200, { data: { items: records.slice((page - 1) * size, page * size) } });
    }
    case "/offset": {
      const offset = q("offset", 0);
      return send(res, 200, { results: records.slice(offset, offset + q("limit", PAGE_SIZE)) });
    }
    case "/cursor": {
      const cursor = url.searchParams.get("cursor");
      const start = cursor ? Number(Buffer.from(cursor, "base64url").toString()) : 0;
      const end = start + PAGE_SIZE;
      const next = end < records.length ? Buffer.from(String(end)).toString("base64url") : null;
      return send(res, 200, { items: records.slice(start, end), meta: { next_cursor: next } });
    }
    case "/link": {
      const start = q("start", 0);
      const end = start + PAGE_SIZE;
      const links = [`</link?start=0>; rel="first"`];
      if (end < records.length) links.unshift(`</link?start=${end}>; rel="next"`);
      return send(res, 200, records.slice(start, end), { link: links.join(", ") });
    }
    case "/echo":
      return send(res, 200, [{ method: req.method, query: Object.fromEntries(url.searchParams), body: body ? JSON.parse(body) : null, authorization: req.headers.authorization ?? null, headers: req.headers }]);
    case "/redirect": {
      res.writeHead(Number(url.searchParams.get("status") ?? 302), { location: url.searchParams.get("to") ?? "/" });
      return void res.end();
    }
    case "/loop":
      res.writeHead(302, { location: "/loop" });
      return void res.end();
    default:
      if (url.pathname.startsWith("/leak/")) return leak(url.pathname.slice("/leak/".length), req, res);
      return send(res, 404, { error: `no route ${url.pathname}` });
  }
}

/** Starts an API serving `records`; close it in `after()`. */
export async function startApi(records: readonly Record<string, unknown>[]): Promise<TestApi> {
  const queue: { path?: string; fault: Fault }[] = [];
  let standing: Fault | undefined;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ at: Date.now(), method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
      const index = queue.findIndex((f) => f.path === undefined || f.path === url.pathname);
      const fault = index === -1 ? standing : queue.splice(index, 1)[0]?.fault;
      if (fault && "drop" in fault) {
        req.socket.destroy();
        return;
      }
      if (fault && "status" in fault) {
        res.writeHead(fault.status, { "content-type": "application/json", ...(fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {}) });
        res.end(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }));
        return;
      }
      const answer = () => route(records, req, url, body, res);
      if (fault && "delayMs" in fault) {
        const timer = setTimeout(answer, fault.delayMs);
        res.on("close", () => clearTimeout(timer));
        return;
      }
      answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (...faults) => queue.push(...faults.map((fault) => ({ fault }))),
    failOn: (path, ...faults) => queue.push(...faults.map((fault) => ({ path, fault }))),
    always: (fault) => {
      standing = fault;
    },
    clear: () => {
      queue.length = 0;
      standing = undefined;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
