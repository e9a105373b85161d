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
import { envVarsToSet, GENERATE_FROM_VAR, GENERATE_TO_VAR, generateArgs, generateListArgs, parseSourceList, redactSource, type CliCall } from "../../../client/src/run/cliArgs";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";

const DATA = join(__dirname, "../../../examples/quickstart/data");

async function cli(call: CliCall): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), logger: pino({ level: "silent" }), env: call.env, cwd: tmpdir() };
  const code = await main(call.args, io);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("the extension's Generate Pipeline command", () => {
  it("builds argument arrays; the typed source and target travel in the environment, never in the arguments", () => {
    assert.deepEqual(generateListArgs("s3://b/p"), { args: ["generate", "--from-env", GENERATE_FROM_VAR, "--list", "--format", "json"], env: { [GENERATE_FROM_VAR]: "s3://b/p" } });
    assert.deepEqual(generateArgs({ from: "postgres://u@h/db", outFile: "/w/g.etl.yaml" }), { args: ["generate", "--from-env", GENERATE_FROM_VAR, "-o", "/w/g.etl.yaml"], env: { [GENERATE_FROM_VAR]: "postgres://u@h/db" } });
    assert.deepEqual(generateArgs({ from: "data", to: "postgres://h/t", include: ["a b", "c;rm -rf"], outFile: "/w/g.etl.yaml" }), {
      args: ["generate", "--from-env", GENERATE_FROM_VAR, "--to-env", GENERATE_TO_VAR, "--include", "a b,c;rm -rf", "-o", "/w/g.etl.yaml"],
      env: { [GENERATE_FROM_VAR]: "data", [GENERATE_TO_VAR]: "postgres://h/t" },
    });
    const password = `pw${process.pid}x${Date.now()}`;
    for (const call of [generateListArgs(`postgres://u:${password}@h/db`), generateArgs({ from: `postgres://u:${password}@h/db`, to: `s3://b/p?secret=${password}`, outFile: "/w/g.etl.yaml" })]) {
      assert.ok(!call.args.join(" ").includes(password), call.args.join(" "));
    }
  });

  it("the CLI reads --from-env/--to-env, and says what is wrong with them", async () => {
    const bad = async (call: CliCall) => {
      const r = await cli(call);
      assert.equal(r.code, 2);
      return r.stderr;
    };
    assert.match(await bad({ args: ["generate", "--from-env", "NOPE_NOT_SET", "--list"], env: {} }), /--from-env NOPE_NOT_SET: the environment variable NOPE_NOT_SET is not set \(or is empty\)/);
    assert.match(await bad({ args: ["generate", "--from", DATA, "--from-env", "X"], env: { X: DATA } }), /give --from or --from-env, not both/);
    assert.match(await bad({ args: ["generate", "--from-env", "1bad"], env: {} }), /--from-env: give the name of an environment variable/);
    assert.match(await bad({ args: ["generate", "--list"], env: {} }), /--from: required: the source/);
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
