/**
 * No credential leaks from the CLI, in any encoding, when servers quote requests back: a loopback
 * API answers with the request's Authorization header, URL and headers in 401, 500, HTML, JSON
 * error and record-less JSON bodies. `run --events`, `analyze` and `generate --from` are run with
 * secrets made now, and every output is scanned: stdout, stderr, the events file, everything under
 * the staging folder (state.json …) and the analysis cache.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startApi, type TestApi } from "../../support/httpServer";
import { CONNECTIONS, filesUnder, findLeaks, KINDS, leakyPipeline, makeSecrets, secretEnv, type LeakSecrets } from "../../support/secretScan";
import { project, readEvents, runCli } from "../runner/helpers";

let api: TestApi;
let secrets: LeakSecrets;
const p = project("leaks");
const cacheHome = mkdtempSync(join(tmpdir(), "etl-leaks-cache-"));

before(async () => {
  api = await startApi([{ id: 1 }]);
  secrets = makeSecrets();
  p.write("leaky.etl.yaml", leakyPipeline(api.url));
});
after(async () => {
  await api?.close();
  p.cleanup();
  rmSync(cacheHome, { recursive: true, force: true });
});

const env = () => ({ ...secretEnv(secrets), LOG_LEVEL: "debug", XDG_CACHE_HOME: cacheHome });

describe("credentials echoed by a server never reach an output", () => {
  it("run --events: stdout, stderr, the events file and every staged file are clean", async () => {
    const r = await runCli(["run", "leaky.etl.yaml", "--events", "events.jsonl", "--concurrency", String(CONNECTIONS.length * KINDS.length)], { cwd: p.dir, env: env() });
    assert.equal(r.code, 1, r.stderr);
    const events = readEvents(join(p.dir, "events.jsonl"));
    const failed = events.filter((e) => e.event === "step_failed");
    assert.equal(failed.length, CONNECTIONS.length * KINDS.length);
    // Every step started at once (a failure stops new ones); the echo was there, and was masked: not dropped.
    const basic401 = failed.find((e) => e.step === "basic_401");
    assert.match(String(basic401?.error), /HTTP 401: .*Authorization: Basic \*\*\*/);
    assert.match(String(failed.find((e) => e.step === "bearer_json400")?.error), /Bearer \*\*\*/);
    const outputs: Record<string, string> = { stdout: r.stdout, stderr: r.stderr, ...Object.fromEntries(filesUnder(p.dir).filter(([path]) => !path.endsWith(".etl.yaml"))) };
    assert.ok(Object.keys(outputs).some((k) => k.endsWith("state.json")), "the run's state is among the scanned files");
    assert.deepEqual(findLeaks(outputs, secrets), []);
    // The server did receive every secret: the test would prove nothing otherwise.
    const sent = (name: string) => api.requests.map((q) => (name === "sig" ? q.query.sig : q.headers[name]));
    assert.ok(sent("authorization").includes(`Basic ${Buffer.from(`${secrets.user}:${secrets.password}`).toString("base64")}`));
    assert.ok(sent("authorization").includes(`Bearer ${secrets.token}`));
    assert.ok(sent("x-api-key").includes(secrets.apiKey));
    assert.ok(sent("cookie").includes(`session=${secrets.cookie}`));
    // Written raw into base_url, the signature reaches the server as a URL parser reads it (`+` is a space there).
    assert.ok(sent("sig").includes(new URL(`http://x/?sig=${secrets.sig}`).searchParams.get("sig") ?? ""));
  });

  it("a base_url with user:password@ from the environment fails at once, not retried, naming no credential", async () => {
    const q = project("url-creds");
    try {
      q.write("creds.etl.yaml", ["version: 1", "name: creds", "defaults:", "  retries: 3", "  retry_delay: 10ms", "connections:", "  api:", "    type: http", "    base_url: ${env:LEAK_URL}", "steps:", "  - id: read", "    extract: {connection: api, path: /echo}", ""].join("\n"));
      api.clear();
      const url = api.url.replace("http://", `http://${encodeURIComponent(secrets.user)}:${encodeURIComponent(secrets.password)}@`);
      const r = await runCli(["run", "creds.etl.yaml", "--events", "events.jsonl"], { cwd: q.dir, env: { ...env(), LEAK_URL: url } });
      assert.equal(r.code, 1);
      const events = readEvents(join(q.dir, "events.jsonl"));
      const failed = events.find((e) => e.event === "step_failed");
      assert.equal(failed?.code, "http-url-credentials");
      assert.equal(failed?.attempts, 1);
      assert.equal(events.filter((e) => e.event === "step_retry").length, 0);
      assert.match(String(failed?.error), /`base_url` \(http:\/\/\*\*\*@127\.0\.0\.1:\d+\) holds credentials, which are never sent from a URL: remove them and add `auth: \{type: basic/);
      assert.equal(api.requests.length, 0);
      const outputs = { stdout: r.stdout, stderr: r.stderr, ...Object.fromEntries(filesUnder(q.dir).filter(([path]) => !path.endsWith(".etl.yaml"))) };
      assert.deepEqual(findLeaks(outputs, secrets), []);
      assert.ok(!Object.values(outputs).some((t) => t.includes(secrets.user)), "not even the user name");
    } finally {
      q.cleanup();
    }
  });

  it("analyze (text and JSON): stdout, stderr and the analysis cache are clean", async () => {
    const text = await runCli(["analyze", "leaky.etl.yaml", "--refresh"], { cwd: p.dir, env: env() });
    const json = await runCli(["analyze", "leaky.etl.yaml", "--format", "json"], { cwd: p.dir, env: env() });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /HTTP 401/);
    const report = JSON.parse(json.stdout) as { connections: { analyses: { error?: { message: string } }[] }[] };
    assert.ok(report.connections.flatMap((c) => c.analyses).some((a) => /Authorization: Basic \*\*\*/.test(a.error?.message ?? "")));
    const outputs = { "text stdout": text.stdout, "text stderr": text.stderr, "json stdout": json.stdout, "json stderr": json.stderr, ...Object.fromEntries(filesUnder(cacheHome)) };
    assert.deepEqual(findLeaks(outputs, secrets), []);
  });

  it("generate --from a URL with credentials in its userinfo and query: stdout and stderr are clean", async () => {
    const userinfo = `${encodeURIComponent(secrets.user)}:${encodeURIComponent(secrets.password)}`;
    const query = `token=${encodeURIComponent(secrets.token)}&api_key=${encodeURIComponent(secrets.apiKey)}&sig=${encodeURIComponent(secrets.sig)}`;
    const base = api.url.replace("http://", `http://${userinfo}@`);
    const outputs: Record<string, string> = {};
    for (const kind of KINDS) {
      const r = await runCli(["generate", "--from", `${base}/leak/${kind}?${query}`], { cwd: p.dir, env: env() });
      // A 200 JSON answer without records still makes a pipeline: its text is scanned too.
      assert.equal(r.code, kind === "json200" ? 0 : 1, `${kind}: ${r.stderr}`);
      Object.assign(outputs, { [`${kind} stdout`]: r.stdout, [`${kind} stderr`]: r.stderr });
    }
    assert.match(outputs["401 stderr"] ?? "", /HTTP 401/);
    const list = await runCli(["generate", "--list", "--from", `${base}/leak/json400?${query}`], { cwd: p.dir, env: env() });
    const broken = await runCli(["generate", "--from", `http://${userinfo}@[::1/leak?${query}`], { cwd: p.dir, env: env() });
    assert.equal(broken.code, 2, broken.stderr);
    assert.match(broken.stderr, /is not a URL/);
    Object.assign(outputs, { "list stdout": list.stdout, "list stderr": list.stderr, "bad URL stdout": broken.stdout, "bad URL stderr": broken.stderr });
    assert.deepEqual(findLeaks(outputs, secrets), []);
  });
});
