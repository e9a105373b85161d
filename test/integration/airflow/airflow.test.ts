/**
 * `agent-etl export airflow` against real Apache Airflow (installed by test/support/airflow.ts):
 * every export loads in DagBag on Airflow 3.x and 2.x with our graph, and `airflow dags test`
 * runs an exported pipeline through the built CLI with the same result as `agent-etl run`.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { AIRFLOW_VERSIONS, airflowHome, ensureAirflow, exec, type Airflow, type AirflowHome } from "../../support/airflow";
import { allPipelines, assertDagMatches, CLI_JS, dagBag, exportTo, FIXTURES, ROOT } from "./helpers";

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
      // The hostile pipeline once more, with a CLI and a pipeline path that Jinja and the shell would love to interpret.
      const hostileDir = mkdtempSync(join(tmpdir(), "agent-etl-hostile-"));
      const hostile = join(hostileDir, "hostile_paths.etl.yaml");
      writeFileSync(hostile, readFileSync(join(ROOT, "test", "golden", "airflow", "hostile_strings.etl.yaml"), "utf8").replace("name: hostile_strings", "name: hostile_paths"));
      const command = { cli: ["node", "/x/{{ ds }}/{% if 1 %}$(id)`id`'\"/cli.js", "--flag={#"], pipelinePath: "/p/{{ run_id }}/\"q\" $HOME;rm -rf ~/.etl.yaml" };
      ids.set(await exportTo(hostile, home.dags, ["--cli", command.cli.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" "), "--pipeline-path", command.pipelinePath]), hostile);
      const started = Date.now();
      const report = await dagBag(airflow, home, home.dags);
      timings.push(`airflow ${version} DagBag over ${ids.size} exports: ${seconds(started)} (parse ${report.seconds.toFixed(2)} s)`);
      assert.equal(report.airflow, version);
      assert.deepEqual(report.import_errors, {}, "import errors");
      assert.deepEqual(report.warnings, {}, "warnings while parsing the exports");
      assert.deepEqual(Object.keys(report.dags).sort(), [...ids.keys()].sort());
      for (const [id, file] of ids) assertDagMatches(file, report.dags[id] as never, file === hostile ? command : undefined);
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
        const copy = (label: string) => {
          const dir = mkdtempSync(join(tmpdir(), `agent-etl-${label}-`));
          cpSync(join(ROOT, "examples", "quickstart"), dir, { recursive: true, filter: (src) => !/[/\\](out|\.etl)$/.test(src) });
          return dir;
        };
        const direct = copy("quickstart-direct");
        const viaAirflow = copy("quickstart-airflow");
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
