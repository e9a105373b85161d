/**
 * The extension's Generate command drives `agent-etl generate`: its arguments, and reading back what
 * the real CLI prints (the `--list` JSON for the picker, the variables to set on stderr).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import { envVarsToSet, generateArgs, generateListArgs, parseSourceList, redactSource } from "../../../client/src/run/cliArgs";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";

const DATA = join(__dirname, "../../../examples/quickstart/data");

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), logger: pino({ level: "silent" }), env: {}, cwd: tmpdir() };
  const code = await main(args, io);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("the extension's Generate Pipeline command", () => {
  it("builds argument arrays: source, target and selection as separate arguments", () => {
    assert.deepEqual(generateListArgs("s3://b/p"), ["generate", "--from", "s3://b/p", "--list", "--format", "json"]);
    assert.deepEqual(generateArgs({ from: "postgres://u@h/db", outFile: "/w/g.etl.yaml" }), ["generate", "--from", "postgres://u@h/db", "-o", "/w/g.etl.yaml"]);
    assert.deepEqual(generateArgs({ from: "data", to: "postgres://h/t", include: ["a b", "c;rm -rf"], outFile: "/w/g.etl.yaml" }),
      ["generate", "--from", "data", "--to", "postgres://h/t", "--include", "a b,c;rm -rf", "-o", "/w/g.etl.yaml"]);
  });

  it("reads the CLI's --list output into picker items", async () => {
    const r = await cli(generateListArgs(DATA));
    assert.equal(r.code, 0, r.stderr);
    const list = parseSourceList(r.stdout);
    assert.equal(list.source, "file");
    assert.deepEqual(list.items.map((i) => i.name).sort(), ["customers", "orders"]);
    assert.ok(list.items.every((i) => i.kind === "dataset" && i.detail.length > 0));
  });

  it("says what is wrong with output that is not the --list JSON", () => {
    assert.throws(() => parseSourceList("agent-etl: could not connect"), /printed no JSON: agent-etl: could not connect/);
    assert.throws(() => parseSourceList("{\"items\": 3}"), /without `source` and `items`/);
  });

  it("finds the variables to set in what generate prints, never their values", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "agent-etl-gen-")), "g.etl.yaml");
    const password = `pw${process.pid}x${Date.now()}`;
    const r = await cli(generateArgs({ from: DATA, to: `postgres://loader:${password}@127.0.0.1:5432/warehouse`, include: ["orders"], outFile: out }));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(envVarsToSet(r.stderr), ["TARGET_DATABASE_URL"]);
    assert.ok(!r.stderr.includes(password) && !r.stdout.includes(password));
    assert.deepEqual(envVarsToSet("wrote x (3 steps)"), []);
  });

  it("masks a password or a secret-looking query parameter in a source before showing or logging it", () => {
    const password = `p${process.pid}w`;
    assert.equal(redactSource(`postgres://etl:${password}@db.internal:5432/shop`), "postgres://etl:***@db.internal:5432/shop");
    assert.equal(redactSource(`https://api.example.test/v1/orders?api_key=${password}&page=2`), "https://api.example.test/v1/orders?api_key=***&page=2");
    for (const plain of ["postgres://etl@db/shop", "s3://bucket/raw/", "/home/me/data", "data/orders.csv", "-o"]) assert.equal(redactSource(plain), plain);
  });
});
