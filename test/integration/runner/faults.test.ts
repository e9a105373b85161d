import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { project, readEvents, runCli, startCli, waitFor } from "./helpers";

describe("faults", () => {
  const p = project("faults");
  after(() => p.cleanup());

  /** `rows` records as `folder`/data/big.jsonl, and pipeline `name` (`folder`/pipeline.etl.yaml) that loads them into out/big.csv. */
  function bigFileLoad(folder: string, name: string, rows: number, record: (i: number) => object): string {
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) lines.push(JSON.stringify(record(i)));
    p.write(`${folder}/data/big.jsonl`, lines.join("\n") + "\n");
    return p.write(`${folder}/pipeline.etl.yaml`, `version: 1
name: ${name}
connections:
  files: { type: file }
steps:
  - id: extract
    extract: { connection: files, path: data/big.jsonl }
  - id: load
    depends_on: [extract]
    load: { connection: files, path: out/big.csv }
`);
  }

  it("SIGKILL during a file load, then --resume, leaves exactly the right output", async () => {
    const n = 200_000;
    const file = bigFileLoad("kill", "killme", n, (i) => ({ id: i, name: `name ${i}`, note: i % 10 === 0 ? 'has "quotes", commas' : "plain" }));
    const before = p.write("kill/out/big.csv", "id,name,note\nold,row,kept\n");
    const outDir = join(p.dir, "kill", "out");
    const run = startCli(["run", file, "--run-id", "k1"], { cwd: p.dir });
    const temp = () => readdirSync(outDir).find((f) => f.endsWith(".tmp"));
    await waitFor(() => {
      const t = temp();
      return t !== undefined && statSync(join(outDir, t)).size > 0;
    }, 60_000, "the load's temporary file");
    run.child.kill("SIGKILL");
    const killed = await run.done;
    assert.equal(killed.signal, "SIGKILL");
    assert.equal(readFileSync(before, "utf8"), "id,name,note\nold,row,kept\n", "the target is untouched by the killed load");
    const state = JSON.parse(p.read("kill/.etl/runs/k1/state.json"));
    assert.equal(state.steps.extract.status, "succeeded");
    assert.equal(state.steps.load.status, "running");

    const resumed = await runCli(["run", file, "--resume", "--run-id", "k1"], { cwd: p.dir });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const expected = ["id,name,note", ...Array.from({ length: n }, (_, i) => `${i},name ${i},${i % 10 === 0 ? '"has ""quotes"", commas"' : "plain"}`)].join("\n") + "\n";
    assert.equal(readFileSync(before, "utf8"), expected);
    assert.deepEqual(readdirSync(outDir), ["big.csv"], "no temporary file is left behind");
  });

  it("SIGTERM (how Airflow, Docker and Kubernetes stop a task) rolls the load back, records the run as failed and exits 143", async () => {
    const n = 300_000;
    const file = bigFileLoad("term", "termme", n, (i) => ({ id: i, name: `name ${i}` }));
    const target = p.write("term/out/big.csv", "id,name\nold,row\n");
    const outDir = join(p.dir, "term", "out");
    const events = join(p.dir, "term-events.jsonl");
    const run = startCli(["run", file, "--run-id", "t1", "--events", events], { cwd: p.dir });
    // Stopped in the middle of the load: its temporary file has rows in it.
    await waitFor(() => readdirSync(outDir).some((f) => f.endsWith(".tmp") && statSync(join(outDir, f)).size > 0), 60_000, "the load's temporary file");
    run.child.kill("SIGTERM");
    const r = await run.done;
    assert.equal(r.code, 143, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(readFileSync(target, "utf8"), "id,name\nold,row\n", "the interrupted load changed nothing");
    assert.deepEqual(readdirSync(outDir), ["big.csv"], "the aborted load removed its temporary file");
    const state = JSON.parse(p.read("term/.etl/runs/t1/state.json"));
    assert.equal(state.status, "failed");
    assert.equal(state.steps.load.status, "failed");
    assert.equal(state.steps.load.error, "interrupted (SIGTERM)");
    const ev = readEvents(events);
    assert.equal(ev.at(-1)?.event, "run_finished");
    assert.equal(ev.at(-1)?.status, "failed");
    assert.match(r.stdout, /load\s+failed/);
    assert.match(r.stdout, /✖ run t1 failed at step load: interrupted \(SIGTERM\)\n.*\n {2}after fixing the cause, continue with: agent-etl run \S+ --resume --run-id t1/);
  });

  it("a secret from the environment never appears in output, logs, events or state", async () => {
    const secret = randomBytes(16).toString("hex");
    const file = p.write("secret/s.etl.yaml", `version: 1
name: secretive
connections:
  vault: { type: file, root: "\${env:VAULT_ROOT}" }
steps:
  - id: extract
    extract: { connection: vault, path: missing.csv }
  - id: load
    depends_on: [extract]
    load: { connection: vault, path: out.csv }
`);
    const events = join(p.dir, "secret-events.jsonl");
    const r = await runCli(["run", file, "--events", events, "--run-id", "s1"], { cwd: p.dir, env: { VAULT_ROOT: join(p.dir, `vault-${secret}`), LOG_LEVEL: "trace" } });
    assert.equal(r.code, 1);
    const everything = [r.stdout, r.stderr, readFileSync(events, "utf8"), p.read("secret/.etl/runs/s1/state.json")].join("\n");
    assert.match(everything, /file `missing.csv` does not exist under .*\*\*\*/);
    assert.ok(!everything.includes(secret), "the secret leaked");
  });

  it("a missing secret fails before any step starts", async () => {
    const file = p.write("nosecret/n.etl.yaml", `version: 1
name: nosecret
connections:
  vault: { type: file, root: "\${env:AGENT_ETL_TEST_UNSET_ROOT}" }
steps:
  - id: extract
    extract: { connection: vault, path: a.csv }
`);
    const events = join(p.dir, "nosecret.jsonl");
    const r = await runCli(["run", file, "--events", events], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /connections\.vault\.root: environment variable AGENT_ETL_TEST_UNSET_ROOT is not set/);
    assert.equal(existsSync(join(p.dir, "nosecret", ".etl")), false);
    assert.equal(existsSync(events), false);
  });
});
