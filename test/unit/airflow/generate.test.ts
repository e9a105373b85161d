/** The generator's options, checks and warnings, and the `export` command around it. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import pino from "pino";
import { generateAirflowDag, type AirflowExportOptions } from "../../../server/src/airflow/generate";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { checkRunId } from "../../../server/src/runner/setup";
import { yaml } from "../helpers";

const OPTIONS: AirflowExportOptions = { source: "p.etl.yaml", pipelinePath: "/srv/p.etl.yaml", cli: ["node", "/opt/agent etl/cli.js"] };

function pipelineText(...extra: string[]): string {
  return yaml(
    "version: 1",
    "name: orders",
    ...extra,
    "connections:",
    "  here: {type: file}",
    "  lake: {type: s3, bucket: b}",
    "steps:",
    "  - id: a",
    "    extract: {connection: here, path: in.csv}",
    "  - id: b",
    "    depends_on: [a]",
    "    timeout: 90s",
    "    retry_backoff: fixed",
    "    load: {connection: here, path: out.csv}",
  );
}

function generate(text: string, options = OPTIONS) {
  const { pipeline, dag, problems } = validatePipeline(text);
  assert.ok(pipeline, JSON.stringify(problems));
  return generateAirflowDag(pipeline, dag, options);
}

function code(text: string, options = OPTIONS): string {
  const r = generate(text, options);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value.code;
}

describe("generateAirflowDag", () => {
  it("passes the CLI words and the pipeline path through env, one variable per word", () => {
    const c = code(pipelineText());
    assert.match(c, /^CLI = \["node", "\/opt\/agent etl\/cli.js"\]$/m);
    assert.match(c, /^PIPELINE = "\/srv\/p.etl.yaml"$/m);
    assert.match(c, /"AGENT_ETL_CLI_1": literal\(CLI\[1\]\),/);
    assert.match(c, /"AGENT_ETL_PIPELINE": literal\(PIPELINE\),/);
    assert.match(c, /^BASH_COMMAND = "\\"\$AGENT_ETL_CLI_0\\" \\"\$AGENT_ETL_CLI_1\\" run \\"\$AGENT_ETL_PIPELINE\\" --step/m);
  });

  it("hands hostile values to the command as whole arguments through a real bash", () => {
    const pipelinePath = `/p/"q" $HOME;$(id) \`id\` *`;
    const c = code(pipelineText(), { ...OPTIONS, cli: ["printf", "[%s]\\n"], pipelinePath });
    const line = c.split("\n").find((l) => l.startsWith("BASH_COMMAND = ")) ?? "";
    const py = spawnSync("python3", ["-c", "import ast, sys; print(ast.literal_eval(sys.stdin.read()), end='')"], { input: line.slice("BASH_COMMAND = ".length), encoding: "utf8" });
    assert.equal(py.status, 0, py.stderr);
    const env = { PATH: process.env.PATH ?? "", AGENT_ETL_CLI_0: "printf", AGENT_ETL_CLI_1: "[%s]\\n", AGENT_ETL_PIPELINE: pipelinePath, AGENT_ETL_STEP: "a", AGENT_ETL_RUN_ID: "manual__1", AGENT_ETL_DS: "", AGENT_ETL_TS: "" };
    const run = (extra: Record<string, string>) => spawnSync("bash", ["-c", py.stdout], { env: { ...env, ...extra }, encoding: "utf8" }).stdout;
    assert.equal(run({}), ["run", pipelinePath, "--step", "a", "--run-id", "manual__1"].map((a) => `[${a}]\n`).join(""));
    assert.match(run({ AGENT_ETL_DS: "2024-01-02" }), /\[--ds\]\n\[2024-01-02\]\n$/);
    assert.match(run({ AGENT_ETL_DS: "2024-01-02", AGENT_ETL_TS: "2024-01-02T05:00:00+00:00" }), /\[--ds\]\n\[2024-01-02\]\n\[--ts\]\n\[2024-01-02T05:00:00\+00:00\]\n$/);
  });

  it("gives each pipeline its own run ids: its name (as data, not a template) before Airflow's run_id", () => {
    const c = code(pipelineText());
    assert.match(c, /^PIPELINE_NAME = "orders"$/m);
    assert.match(c, /^ {4}"AGENT_ETL_RUN_ID": no_jinja\(PIPELINE_NAME\) \+ "__\{\{ run_id \}\}",$/m);
    // The longest pipeline name before the longest run ids Airflow 2 and 3 make is still a run id the CLI takes.
    const longest = `p${"_".repeat(62)}`;
    for (const airflowRunId of ["manual__2024-05-06T07:08:09+00:00", "scheduled__2024-01-01T00:00:00+00:00", "asset_triggered__2024-05-06T07:08:09.123456+00:00_AbCd1234", "dataset_triggered__2024-05-06T07:08:09.123456+00:00"]) {
      for (const name of ["orders", longest]) assert.equal(checkRunId(`${name}__${airflowRunId}`), `${name}__${airflowRunId}`);
    }
  });

  it("uses schedule=, a fixed default start_date, catchup=False and never schedule_interval", () => {
    const c = code(pipelineText());
    assert.match(c, /schedule=None,/);
    assert.match(c, /start_date=datetime\.datetime\(2024, 1, 1, tzinfo=datetime\.timezone\.utc\)/);
    assert.match(c, /catchup=False,/);
    assert.match(c, /max_active_runs=1,/);
    assert.doesNotMatch(c, /schedule_interval/);
    const dated = code(pipelineText('schedule: "@daily"', "start_date: 2023-12-31"));
    assert.match(dated, /schedule="@daily",/);
    assert.match(dated, /start_date=datetime\.datetime\(2023, 12, 31,/);
  });

  it("maps defaults to default_args and step keys to task overrides", () => {
    const c = code(pipelineText("defaults: {retries: 3, retry_delay: 2m, timeout: 1h}"));
    assert.match(c, /"retries": 3,\n {4}"retry_delay": datetime\.timedelta\(minutes=2\),\n {4}"retry_exponential_backoff": True,\n {4}"execution_timeout": datetime\.timedelta\(hours=1\),/);
    assert.match(c, /step_task\(\n {8}"b",\n {8}retry_exponential_backoff=False,\n {8}execution_timeout=datetime\.timedelta\(seconds=90\),\n {4}\)/);
    assert.match(c, /tasks\["a"\] = step_task\("a"\)/);
    assert.match(c, /tasks\["a"\] >> tasks\["b"\]/);
  });

  it("warns about local staging, not about s3 staging", () => {
    const local = generate(pipelineText());
    assert.ok(local.ok && /local folder \.etl\/runs\//.test(local.value.warnings.join()));
    const file = generate(pipelineText("staging: {connection: here}"));
    assert.ok(file.ok && /shared mount/.test(file.value.warnings.join()));
    const s3 = generate(pipelineText("staging: {connection: lake, prefix: staging/}"));
    assert.ok(s3.ok && s3.value.warnings.length === 0);
  });

  it("refuses what Airflow would refuse, with a message", () => {
    const long = generate(pipelineText(`tags: ["${"x".repeat(101)}"]`));
    assert.ok(!long.ok && /longer than 100 characters/.test(long.errors.join()));
    const empty = generate(pipelineText(), { ...OPTIONS, cli: [] });
    assert.ok(!empty.ok && /CLI command is empty/.test(empty.errors.join()));
    const nul = generate(pipelineText(), { ...OPTIONS, pipelinePath: "/a\0b" });
    assert.ok(!nul.ok && /NUL/.test(nul.errors.join()));
  });

  it("names the file after the sanitized pipeline name and writes no secret", () => {
    const text = yaml(
      "version: 1",
      "name: json",
      "connections:",
      "  db: {type: postgres, url: '${env:DATABASE_URL}', password: '${file:/run/secrets/pg}'}",
      "steps:",
      "  - id: q",
      "    sql: {connection: db, query: select 1}",
    );
    const r = generate(text);
    assert.ok(r.ok);
    assert.equal(r.value.fileName, "json_dag.py");
    assert.equal(r.value.dagId, "json_dag");
    assert.doesNotMatch(r.value.code, /DATABASE_URL|run\/secrets|select 1/);
  });
});

describe("agent-etl export", () => {
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-export-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "p.etl.yaml");
  writeFileSync(file, pipelineText("staging: {connection: lake}"));

  async function run(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const io: Io = { stdout: (t) => (stdout += t + "\n"), stderr: (t) => (stderr += t + "\n"), logger: pino({ level: "silent" }), env: {}, cwd: dir };
    return { code: await main(args, io), stdout, stderr };
  }

  it("writes DIR/<name>.py, and --check tells whether it is current", async () => {
    const w = await run("export", "airflow", "p.etl.yaml", "-o", "dags", "--cli", "agent-etl", "--pipeline-path", "/srv/p.etl.yaml");
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /wrote dags\/orders\.py \(dag_id orders\)/);
    const written = readFileSync(join(dir, "dags", "orders.py"), "utf8");
    assert.match(written, /from "p\.etl\.yaml"/);
    assert.match(written, /^PIPELINE = "\/srv\/p\.etl\.yaml"$/m);
    const same = await run("export", "airflow", "p.etl.yaml", "-o", "dags", "--cli", "agent-etl", "--pipeline-path", "/srv/p.etl.yaml", "--check");
    assert.equal(same.code, 0, same.stderr);
    const other = await run("export", "airflow", "p.etl.yaml", "-o", "dags", "--check");
    assert.equal(other.code, 1);
    assert.match(other.stderr, /dags\/orders\.py differs from the pipeline/);
    assert.equal(readFileSync(join(dir, "dags", "orders.py"), "utf8"), written, "--check writes nothing");
    const missing = await run("export", "airflow", "p.etl.yaml", "-o", "nowhere", "--check");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
  });

  it("defaults to node <repo>/dist/cli.js and the file's absolute path; - prints to stdout", async () => {
    const r = await run("export", "airflow", "p.etl.yaml", "-o", "-");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CLI = \["node", ".*\/dist\/cli\.js"\]$/m);
    assert.ok(r.stdout.includes(`PIPELINE = ${JSON.stringify(file)}`));
  });

  it("prints the local-staging warning on stderr", async () => {
    writeFileSync(join(dir, "local.etl.yaml"), pipelineText().replace("name: orders", "name: local"));
    const r = await run("export", "airflow", "local.etl.yaml", "-o", "-");
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: .*local folder \.etl\/runs\//);
  });

  it("exits 1 on pipeline errors and 2 on bad usage", async () => {
    writeFileSync(join(dir, "bad.etl.yaml"), yaml("version: 1", "name: bad", "steps:", "  - id: a", "    depends_on: [nope]", "    sql: {connection: x, query: q}"));
    const bad = await run("export", "airflow", "bad.etl.yaml", "-o", "-");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown-step|unknown-connection/);
    assert.equal((await run("export", "dagster", "p.etl.yaml")).code, 2);
    assert.equal((await run("export", "airflow")).code, 2);
    assert.equal((await run("export", "airflow", "missing.etl.yaml")).code, 2);
    const quote = await run("export", "airflow", "p.etl.yaml", "--cli", "node 'x");
    assert.equal(quote.code, 2);
    assert.match(quote.stderr, /unclosed ' quote/);
  });
});
