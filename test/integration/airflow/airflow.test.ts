/**
 * `agent-etl export airflow` against real Apache Airflow (installed by test/support/airflow.ts):
 * every export loads in DagBag on Airflow 3.x and 2.x with our graph, and `airflow dags test`
 * runs an exported pipeline through the built CLI with the same result as `agent-etl run`.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { AIRFLOW_VERSIONS, airflowHome, ensureAirflow, exec, type Airflow, type AirflowHome } from "../../support/airflow";
import { allPipelines, assertDagMatches, CLI_JS, dagBag, exportTo, FIXTURES, REPORT_RUN_ID, ROOT } from "./helpers";

const DS = "2024-05-06";
const timings: string[] = [];
after(() => {
  if (timings.length > 0) console.log(`airflow timings:\n  ${timings.join("\n  ")}`);
});

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** A copy of the fixture folder, so Airflow's run and the direct run write to different places. */
function fixtureCopy(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `agent-etl-${label}-`));
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

/** The copy of examples/quickstart an Airflow run works in (without its outputs and run state). */
function quickstartCopy(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `agent-etl-${label}-`));
  cpSync(join(ROOT, "examples", "quickstart"), dir, { recursive: true, filter: (src) => !/[/\\](out|\.etl)$/.test(src) });
  return dir;
}

/** The run ids in the home's metadata database, per DAG. */
async function dagRunIds(airflow: Airflow, home: AirflowHome): Promise<Record<string, string[]>> {
  const script = "import json, sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nruns = {}\nfor d, r in c.execute('select dag_id, run_id from dag_run order by run_id'): runs.setdefault(d, []).append(r)\nprint(json.dumps(runs))";
  const r = await exec(airflow.python, ["-c", script, join(home.home, "airflow.db")]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, string[]>;
}

/** `{task_id: [state, try_number]}` of the single run in the home's metadata database. */
async function taskStates(airflow: Airflow, home: AirflowHome, dagId: string): Promise<Record<string, [string, number]>> {
  const script = "import json, sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nprint(json.dumps({t: [s, n] for t, s, n in c.execute('select task_id, state, try_number from task_instance where dag_id = ?', (sys.argv[2],))}))";
  const r = await exec(airflow.python, ["-c", script, join(home.home, "airflow.db"), dagId]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, [string, number]>;
}

async function dagsTest(airflow: Airflow, home: AirflowHome, dagId: string, env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const r = await exec(airflow.airflow, ["dags", "test", dagId, DS], { env: { ...home.env, ...env }, timeoutMs: 8 * 60_000 });
  timings.push(`airflow ${airflow.version} dags test ${dagId}: ${seconds(started)} (exit ${r.code})`);
  return r;
}

for (const version of AIRFLOW_VERSIONS) {
  describe(`Airflow ${version}`, () => {
    let airflow: Airflow;
    let home: AirflowHome;

    before(async () => {
      const started = Date.now();
      airflow = await ensureAirflow(version);
      timings.push(`airflow ${version} venv: ${airflow.installSeconds > 0 ? `installed in ${airflow.installSeconds.toFixed(1)} s` : `cached (${seconds(started)})`}`);
      home = await airflowHome(airflow);
    });
    after(() => home?.cleanup());

    it("loads every exported pipeline (examples/ and ours) with no import errors, our graph and our settings", async () => {
      const files = allPipelines();
      const ids = new Map<string, string>();
      for (const file of files) {
        const id = await exportTo(file, home.dags);
        assert.ok(!ids.has(id), `${file} and ${ids.get(id)} both export as ${id}.py; rename one pipeline`);
        ids.set(id, file);
      }
      // The hostile pipeline once more, with a CLI and a pipeline path that Jinja and the shell would love to interpret,
      // and line breaks Jinja would rewrite: a carriage return (it makes it a line feed) and a trailing line feed (it drops it).
      const hostileDir = mkdtempSync(join(tmpdir(), "agent-etl-hostile-"));
      const hostile = join(hostileDir, "hostile_paths.etl.yaml");
      writeFileSync(hostile, readFileSync(join(ROOT, "test", "golden", "airflow", "hostile_strings.etl.yaml"), "utf8").replace("name: hostile_strings", "name: hostile_paths"));
      const command = { cli: ["node", "/x/{{ ds }}/{% if 1 %}$(id)`id`'\"/cli.js", "--flag={#\r", "trail\r\n\n"], pipelinePath: "/p/{{ run_id }}/\"q\" $HOME;rm -rf ~/.etl.yaml\r\n" };
      ids.set(await exportTo(hostile, home.dags, ["--cli", command.cli.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" "), "--pipeline-path", command.pipelinePath]), hostile);
      const started = Date.now();
      const report = await dagBag(airflow, home, home.dags);
      timings.push(`airflow ${version} DagBag over ${ids.size} exports: ${seconds(started)} (parse ${report.seconds.toFixed(2)} s)`);
      assert.equal(report.airflow, version);
      assert.deepEqual(report.import_errors, {}, "import errors");
      assert.deepEqual(report.warnings, {}, "warnings while parsing the exports");
      assert.deepEqual(Object.keys(report.dags).sort(), [...ids.keys()].sort());
      for (const [id, file] of ids) assertDagMatches(file, report.dags[id] as never, file === hostile ? command : undefined);
      // Every DAG was rendered under the same Airflow run_id; each still hands its pipeline its own run id.
      const runIds = new Set(Object.values(report.dags).flatMap((d) => Object.values(d.tasks).map((t) => t.env["AGENT_ETL_RUN_ID"])));
      assert.equal(runIds.size, ids.size, `one run id per DAG under Airflow run_id ${REPORT_RUN_ID}: ${[...runIds].join(", ")}`);
      rmSync(hostileDir, { recursive: true, force: true });
    });

    // One `dags test` per version keeps the suite short: Airflow 3 spends most of a minute starting
    // its in-process execution API. 2.x runs the quickstart, 3.x the PostgreSQL pipeline with a retry.
    describe("dags test", () => {
      let pg: TestPostgres | undefined;
      let runHome: AirflowHome;
      before(async () => {
        if (version === "3.3.2") pg = await startPostgres();
        runHome = await airflowHome(airflow);
      });
      after(async () => {
        runHome?.cleanup();
        await pg?.stop();
      });

      if (version === "2.10.5") it("runs the exported quickstart through the CLI; its outputs equal a direct `agent-etl run`", async () => {
        const direct = quickstartCopy("quickstart-direct");
        const viaAirflow = quickstartCopy("quickstart-airflow");
        const file = (dir: string) => join(dir, "quickstart.etl.yaml");
        const run = await exec("node", [CLI_JS, "run", file(direct), "--ds", DS]);
        assert.equal(run.code, 0, `agent-etl run failed:\n${run.stderr}\n${run.stdout}`);
        const dagId = await exportTo(file(viaAirflow), runHome.dags);
        const r = await dagsTest(airflow, runHome, dagId);
        assert.equal(r.code, 0, `airflow dags test failed:\n${r.stderr.slice(-5000)}`);
        const states = await taskStates(airflow, runHome, dagId);
        assert.ok(Object.values(states).every(([s, n]) => s === "success" && n === 1), JSON.stringify(states));
        for (const out of ["out/paid_orders.jsonl", "out/revenue_by_country.csv"]) {
          const expected = readFileSync(join(direct, out), "utf8");
          assert.ok(expected.trim().split("\n").length >= 2, `${out}: ${expected}`);
          assert.equal(readFileSync(join(viaAirflow, out), "utf8"), expected, out);
        }
        for (const dir of [direct, viaAirflow]) rmSync(dir, { recursive: true, force: true });
      });

      if (version === "2.10.5") it("runs two pipelines of one folder as two DAGs under the same Airflow run_id, each in its own run folder", async () => {
        const dir = quickstartCopy("twins");
        const twins = ["twin_a", "twin_b"];
        const quickstart = readFileSync(join(dir, "quickstart.etl.yaml"), "utf8");
        rmSync(join(dir, "quickstart.etl.yaml"));
        for (const name of twins) {
          const text = quickstart.replace("name: quickstart", `name: ${name}`).replace("root: out", `root: out_${name}`);
          assert.notEqual(text, quickstart);
          writeFileSync(join(dir, `${name}.etl.yaml`), text);
        }
        const home = await airflowHome(airflow);
        try {
          for (const name of twins) {
            const dagId = await exportTo(join(dir, `${name}.etl.yaml`), home.dags);
            const r = await dagsTest(airflow, home, dagId);
            assert.equal(r.code, 0, `airflow dags test ${dagId} failed:\n${r.stderr.slice(-5000)}`);
            const states = await taskStates(airflow, home, dagId);
            assert.ok(Object.keys(states).length > 0 && Object.values(states).every(([s, n]) => s === "success" && n === 1), `${dagId}: ${JSON.stringify(states)}`);
          }
          const runs = await dagRunIds(airflow, home);
          const airflowRunId = runs["twin_a"]?.[0] ?? "";
          assert.deepEqual(runs, { twin_a: [airflowRunId], twin_b: [airflowRunId] }, "both DAGs ran under the same Airflow run_id");
          const runDirs = readdirSync(join(dir, ".etl", "runs")).sort();
          assert.deepEqual(runDirs, twins.map((name) => `${name}__${airflowRunId}`));
          for (const name of twins) {
            const state = JSON.parse(readFileSync(join(dir, ".etl", "runs", `${name}__${airflowRunId}`, "state.json"), "utf8")) as { pipeline: string; file: string; run_id: string; status: string };
            assert.deepEqual([state.pipeline, state.file, state.run_id, state.status], [name, join(dir, `${name}.etl.yaml`), `${name}__${airflowRunId}`, "succeeded"]);
          }
          for (const out of ["paid_orders.jsonl", "revenue_by_country.csv"]) {
            const a = readFileSync(join(dir, "out_twin_a", out), "utf8");
            assert.ok(a.trim().split("\n").length >= 2, `${out}: ${a}`);
            assert.equal(readFileSync(join(dir, "out_twin_b", out), "utf8"), a, out);
          }
        } finally {
          home.cleanup();
          rmSync(dir, { recursive: true, force: true });
        }
      });

      if (version === "3.3.2") it("runs a PostgreSQL pipeline with secrets from the worker's environment; a failing step fails its task and the retry re-runs only that step", async () => {
        const db = pg;
        assert.ok(db, "PostgreSQL was not started");
        const direct = fixtureCopy("direct");
        const viaAirflow = fixtureCopy("airflow");
        const directUrl = await db.createDatabase("airflow_direct");
        const airflowUrl = await db.createDatabase("airflow_dag");
        const file = (dir: string) => join(dir, "airflow_e2e.etl.yaml");
        const run = await exec("node", [CLI_JS, "run", file(direct), "--ds", DS], { env: { ...process.env, AGENT_ETL_TEST_PG_URL: directUrl, AIRFLOW_CTX_TRY_NUMBER: "1" } });
        assert.equal(run.code, 0, `agent-etl run failed:\n${run.stderr}\n${run.stdout}`);

        const dagId = await exportTo(file(viaAirflow), runHome.dags);
        const exported = readFileSync(join(runHome.dags, `${dagId}.py`), "utf8");
        assert.ok(!exported.includes(airflowUrl) && !exported.includes(db.password), "no secret in the DAG file");
        // The first try of load_per_try finds a file where its folder should be and fails; the retry writes to try_2/.
        writeFileSync(join(viaAirflow, "try_1"), "not a folder");
        // The connection URL (with its password) reaches the tasks only through the worker's environment.
        await dagsTest(airflow, runHome, dagId, { AGENT_ETL_TEST_PG_URL: airflowUrl });
        const states = await taskStates(airflow, runHome, dagId);
        const { load_per_try: retried, ...others } = states;
        assert.deepEqual(retried, ["success", 2], JSON.stringify(states));
        assert.ok(Object.values(others).every(([s, n]) => s === "success" && n === 1), `only the failed step runs again: ${JSON.stringify(states)}`);
        assert.equal(readFileSync(join(viaAirflow, "try_1"), "utf8"), "not a folder");

        assert.equal(readFileSync(join(viaAirflow, "try_2", "clean.jsonl"), "utf8"), readFileSync(join(direct, "try_1", "clean.jsonl"), "utf8"));
        const out = `out/totals_${DS.replace(/-/g, "")}.jsonl`;
        const expected = readFileSync(join(direct, out), "utf8");
        assert.equal(expected.trim().split("\n").length, 3, expected);
        assert.equal(readFileSync(join(viaAirflow, out), "utf8"), expected);
        const rows = (name: string) => db.query("select * from country_totals order by country_name", [], name);
        const directRows = await rows("airflow_direct");
        assert.equal(directRows.length, 3);
        assert.deepEqual(await rows("airflow_dag"), directRows);
        for (const dir of [direct, viaAirflow]) rmSync(dir, { recursive: true, force: true });
      });
    });
  });
}
