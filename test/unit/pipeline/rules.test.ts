import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { check, codes, expectProblem, VALID, yaml } from "../helpers";

const pg = (extra: string[] = []) =>
  yaml(
    "version: 1",
    "name: p",
    "connections:",
    "  db:",
    "    type: postgres",
    "    url: ${env:DATABASE_URL}",
    "  raw: {type: file}",
    ...extra,
  );
const env = { envNames: new Set(["DATABASE_URL"]) };

describe("semantic rules: one code each, exact ranges", () => {
  it("duplicate-step-id: on the second id, related to the first, with a free name", () => {
    const text = VALID.replace("  - id: save", "  - id: orders");
    const p = expectProblem(text, "duplicate-step-id", 19, 9, 19, 15);
    assert.match(p.message, /step id `orders` is already used by an earlier step; .* rename it `orders_2`/);
  });

  it("unknown-step in depends_on, with did-you-mean", () => {
    const p = expectProblem(VALID.replace("depends_on: [orders]", "depends_on: [ordrs]"), "unknown-step", 15, 18, 15, 23);
    assert.equal(p.message, "`depends_on` names `ordrs`, but no step has that id — did you mean `orders`?");
  });

  it("unknown-step in input and join.with", () => {
    const text = VALID.replace("    depends_on: [orders]\n", "    depends_on: [orders]\n    input: nope\n").replace("- select: [id, amount]", "- join: {with: ghost, on: id}");
    const found = check(text).filter((p) => p.code === "unknown-step");
    assert.deepEqual(found.map((p) => p.range), ["16:12-16:16", "19:22-19:27"]);
  });

  it("cycle: lists the path and points at each edge", () => {
    const text = VALID.replace("  - id: orders\n    extract:", "  - id: orders\n    depends_on: [save]\n    extract:");
    const found = check(text).filter((p) => p.code === "cycle");
    assert.equal(found.length, 1);
    assert.equal(found[0]?.message, "steps depend on each other in a cycle: orders → paid → save → orders; remove one of these dependencies");
    assert.equal(found[0]?.range, "16:18-16:24");
  });

  it("cycle: a step depending on itself", () => {
    const p = expectProblem(VALID.replace("depends_on: [paid]", "depends_on: [paid, save]"), "cycle", 20, 24, 20, 28);
    assert.equal(p.message, "steps depend on each other in a cycle: save → save; remove `save` from its own `depends_on`");
  });

  it("join-not-upstream: join.with not in depends_on", () => {
    const text = VALID.replace("  - id: save\n    depends_on: [paid]\n    load:", "  - id: both\n    depends_on: [paid]\n    transform:\n      - join: {with: orders, on: id}\n  - id: save\n    depends_on: [both]\n    load:");
    const p = expectProblem(text, "join-not-upstream", 22, 22, 22, 28);
    assert.match(p.message, /`join.with: orders` needs `orders` in this step's `depends_on`/);
  });

  it("missing-input: transform without upstream, extract with one", () => {
    const noUp = VALID.replace("    depends_on: [orders]\n", "");
    const p = expectProblem(noUp, "missing-input", 15, 5, 15, 14);
    assert.match(p.message, /a `transform` needs an upstream step .* e\.g\. `depends_on: \[orders\]`/);
    const extractWithUp = VALID + yaml("  - id: again", "    depends_on: [paid]", "    extract: {connection: raw, path: x.csv}");
    expectProblem(extractWithUp, "missing-input", 25, 18, 25, 22);
  });

  it("missing-input: an sql step only orders an extract", () => {
    const text = pg(["steps:", "  - id: prep", "    sql: {connection: db, query: select 1}", "  - id: read", "    depends_on: [prep]", "    extract: {connection: db, table: t}"]);
    assert.deepEqual(codes(text, env), ["unused-connection"]);
  });

  it("unknown-connection with did-you-mean", () => {
    const p = expectProblem(VALID.replace("connection: out", "connection: outt"), "unknown-connection", 22, 19, 22, 23);
    assert.equal(p.message, "no connection named `outt` — did you mean `out`?");
  });

  it("connection-type: a key of another type, a missing required key, sql on a file connection", () => {
    const wrongKey = VALID.replace("      path: orders.csv", "      path: orders.csv\n      table: orders");
    const p = expectProblem(wrongKey, "connection-type", 14, 7, 14, 12);
    assert.equal(p.message, "`table` does not apply here: `raw` is a `file` connection, whose extract keys are `path`, `format`, `csv`, `incremental` and `partition_columns`");
    expectProblem(VALID.replace("      path: paid.jsonl", "      format: json"), "connection-type", 21, 5, 21, 9);
    const sqlOnFile = VALID + yaml("  - id: q", "    sql: {connection: raw, query: select 1}");
    assert.match(expectProblem(sqlOnFile, "connection-type", 25, 23, 25, 26).message, /`sql` steps run in PostgreSQL/);
  });

  it("connection-type: postgres extract needs table or query, not both", () => {
    const both = pg(["steps:", "  - id: a", "    extract: {connection: db, table: t, query: select 1}"]);
    expectProblem(both, "connection-type", 10, 41, 10, 46, env);
    const neither = pg(["steps:", "  - id: a", "    extract: {connection: db, columns: [a]}"]);
    expectProblem(neither, "connection-type", 10, 5, 10, 12, env);
  });

  it("connection-type: loading into an HTTP API", () => {
    const text = VALID.replace("  out:\n    type: file", "  out:\n    type: http\n    base_url: https://api.example.com").replace("      path: paid.jsonl", "");
    const p = check(text).find((x) => x.code === "connection-type");
    assert.match(p?.message ?? "", /records cannot be loaded into an HTTP API/);
  });

  it("invalid-expression: at the offending character", () => {
    const p = expectProblem(VALID.replace("filter: status = 'paid'", "filter: amount >"), "invalid-expression", 17, 24, 17, 25);
    assert.match(p.message, /^invalid filter expression: /);
    const quoted = expectProblem(VALID.replace("- select: [id, amount]", '- derive: {cents: "amount * (100"}'), "invalid-expression", 18, 38, 18, 39);
    assert.match(quoted.message, /^invalid derive expression/);
  });

  it("invalid-schedule: a cron that can never fire; macros and valid crons pass", () => {
    const p = expectProblem(VALID.replace("version: 1\n", "version: 1\nschedule: '0 0 30 2 *'\n"), "invalid-schedule", 2, 11, 2, 23);
    assert.match(p.message, /can never run/);
    assert.deepEqual(codes(VALID.replace("version: 1\n", "version: 1\nschedule: '@daily'\n")), []);
    assert.deepEqual(codes(VALID.replace("version: 1\n", "version: 1\nschedule: '*/15 6-18 * * 1-5'\n")), []);
    expectProblem(VALID.replace("version: 1\n", "version: 1\nschedule: '61 * * * *'\n"), "invalid-schedule", 2, 11, 2, 23);
  });

  it("missing-env: exactly on the reference; .env names count", () => {
    const text = pg(["steps:", "  - id: a", "    extract: {connection: db, table: t}"]);
    const p = expectProblem(text, "missing-env", 6, 10, 6, 29, { envNames: new Set() });
    assert.equal(p.severity, "warning");
    assert.match(p.message, /`DATABASE_URL` is not set/);
    assert.deepEqual(codes(text, env), ["unused-connection"]);
    assert.deepEqual(codes(text, {}), ["unused-connection"], "no env context: not checked");
  });

  it("hardcoded-secret: literal password, URL password, header token; references pass", () => {
    const pw = pg(["  lit: {type: postgres, host: h, password: hunter22}", "steps:", "  - id: a", "    extract: {connection: lit, table: t}", "  - id: b", "    extract: {connection: db, table: t}"]);
    const p = expectProblem(pw, "hardcoded-secret", 8, 44, 8, 52, env);
    assert.match(p.message, /`password` holds a literal secret; .* `\$\{env:LIT_PASSWORD\}`/);
    const url = pg(["  u: {type: postgres, url: 'postgres://app:s3cret@db/shop'}", "steps:", "  - id: a", "    extract: {connection: u, table: t}", "  - id: b", "    extract: {connection: db, table: t}"]);
    expectProblem(url, "hardcoded-secret", 8, 44, 8, 50, env);
    const header = yaml("version: 1", "name: p", "connections:", "  api:", "    type: http", "    base_url: https://x", "    headers: {Authorization: Bearer abc123}", "steps:", "  - id: a", "    extract: {connection: api, path: /x}");
    expectProblem(header, "hardcoded-secret", 7, 30, 7, 43);
    const ok = yaml("version: 1", "name: p", "connections:", "  api:", "    type: http", "    base_url: https://x", "    headers: {Authorization: 'Bearer ${env:TOKEN}'}", "    auth: {type: basic, username: me, password: '${file:/run/secrets/pw}'}", "steps:", "  - id: a", "    extract: {connection: api, path: /x}");
    assert.deepEqual(codes(ok, { envNames: new Set(["TOKEN"]) }), []);
  });

  it("url-credentials: user:password@ or a token@ in an http base_url, on the userinfo; references count too", () => {
    const api = (baseUrl: string, extra: string[] = []) => yaml("version: 1", "name: p", "connections:", "  api:", "    type: http", `    base_url: ${baseUrl}`, ...extra, "steps:", "  - id: a", "    extract: {connection: api, path: /x}");
    const envPw = api("https://ann:${env:PW}@api.example.com/v1");
    const p = expectProblem(envPw, "url-credentials", 6, 23, 6, 37, { envNames: new Set(["PW"]) });
    assert.equal(p.severity, "error");
    assert.match(p.message, /`auth: \{type: basic, username: …, password: \$\{env:…\}\}`/);
    assert.ok(!p.message.includes("ann"), "the message quotes no credential");
    expectProblem(api("'https://tok3n@api.example.com'"), "url-credentials", 6, 24, 6, 30);
    // Put together at run time: a literal user:password URL would trip the repository's secret scan.
    expectProblem(api(["http://u", "p@127.0.0.1:8080"].join(":")), "url-credentials", 6, 22, 6, 26);
    // An @ after the host (in the path or query) is not userinfo; other connection types are not http.
    assert.deepEqual(codes(api("https://api.example.com/users/@me?by=a@b"), {}), []);
    assert.deepEqual(codes(api("https://api.example.com", ["    auth: {type: basic, username: ann, password: '${env:PW}'}"]), { envNames: new Set(["PW"]) }), []);
    const pgUrl = pg(["steps:", "  - id: a", "    extract: {connection: db, table: t}"]).replace("${env:DATABASE_URL}", "'postgres://app:${env:PW}@db/shop'");
    assert.ok(!codes(pgUrl, {}).includes("url-credentials"));
  });

  it("unused-connection: a hint on the name", () => {
    const p = expectProblem(VALID.replace("connections:\n", "connections:\n  spare: {type: file}\n"), "unused-connection", 4, 3, 4, 8);
    assert.equal(p.severity, "hint");
  });

  it("staging counts as a use and must name a known connection", () => {
    const staged = VALID.replace("connections:\n", "staging: {connection: stage}\nconnections:\n  stage: {type: file, root: /tmp/x}\n");
    assert.deepEqual(codes(staged), []);
    assert.deepEqual(codes(VALID.replace("connections:\n", "staging: {connection: nowhere}\nconnections:\n")), ["unknown-connection"]);
  });
});
