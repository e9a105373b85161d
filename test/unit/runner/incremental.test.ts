/**
 * High-water marks in a real local staging store (a temp folder): a commit never moves a mark
 * backwards, and a resumed run's staged extract that another run's commit has overtaken is found.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { commitHighWater, ownCommittedMarks, readHighWater, recordOwnCommit, rerunAfterLoadMessage, rerunsAfterLoad, staleIncrementalSteps, staleResumeMessage } from "../../../server/src/runner/incremental";
import { stateKey, type RunState, type StepState } from "../../../server/src/runner/state";
import { writeJson } from "../../../server/src/runner/stagedData";
import { LocalStagingStore } from "../../../server/src/runner/staging/localStaging";

const dir = mkdtempSync(join(tmpdir(), "etl-incremental-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A fresh store per test, so marks and states do not leak between them. */
const freshStore = () => new LocalStagingStore(join(dir, `store-${++n}`));
/** Another store object on the same folder, as another process would have. */
const freshView = (store: LocalStagingStore) => new LocalStagingStore(store.root);

function runState(runId: string, steps: Record<string, StepState>, finishedAt = "2024-03-01T10:00:00Z"): RunState {
  const all = Object.values(steps).every((s) => s.status === "succeeded");
  return { version: 1, pipeline: "orders", file: "orders.etl.yaml", run_id: runId, ds: "2024-03-01", params: {}, status: all ? "succeeded" : "failed", started_at: "2024-03-01T09:00:00Z", finished_at: finishedAt, steps };
}

const ok = (extra: Partial<StepState> = {}): StepState => ({ status: "succeeded", rows: 2, ...extra });
const failed: StepState = { status: "failed", error: "load failed" };

const STEPS = validatePipeline(`version: 1
name: orders
connections:
  db: { type: postgres, url: "postgres://u@h/d" }
steps:
  - id: src
    extract: { connection: db, table: orders, incremental: { column: id } }
  - id: other
    extract: { connection: db, table: customers, incremental: { column: id } }
  - id: ld
    depends_on: [src]
    load: { connection: db, table: copy }
  - id: ld_other
    depends_on: [other]
    load: { connection: db, table: copy_customers }
`).pipeline?.steps ?? [];

describe("commitHighWater", () => {
  it("keeps the later mark: an old run's commit never moves it back", async () => {
    const store = freshStore();
    assert.deepEqual(await commitHighWater(store, runState("b", { src: ok({ high_water: 9, high_water_from: 5 }) })), { src: 9 });
    assert.deepEqual(await commitHighWater(store, runState("a", { src: ok({ high_water: 7, high_water_from: 5 }) })), { src: 7 }, "returns what the run read up to, not the stored mark");
    assert.equal(await readHighWater(store, "orders", "src"), 9);
    await commitHighWater(store, runState("c", { src: ok({ high_water: 12, high_water_from: 9 }) }));
    assert.equal(await readHighWater(store, "orders", "src"), 12);
  });

  it("commits by the run's settled status: a failed step since removed from the file does not hold the marks back", async () => {
    const store = freshStore();
    const settled = { ...runState("r", { src: ok({ high_water: 4 }), gone: failed }), status: "succeeded" as const };
    assert.deepEqual(await commitHighWater(store, settled), { src: 4 });
    assert.equal(await readHighWater(store, "orders", "src"), 4);
    assert.equal(await commitHighWater(store, runState("f", { src: ok({ high_water: 8 }), ld: failed })), undefined, "a failed run commits nothing");
    assert.equal(await readHighWater(store, "orders", "src"), 4);
  });

  it("concurrent commits of one pipeline keep every step's latest mark", async () => {
    const store = freshStore();
    await Promise.all(Array.from({ length: 20 }, (_, i) => commitHighWater(freshView(store), runState(`r${i}`, { [`s${i % 4}`]: ok({ high_water: i }) }))));
    assert.deepEqual(
      await Promise.all([0, 1, 2, 3].map((k) => readHighWater(store, "orders", `s${k}`))),
      [16, 17, 18, 19],
    );
  });

  it("compares timestamp marks as instants, and bigint text exactly", async () => {
    const store = freshStore();
    await commitHighWater(store, runState("b", { at: ok({ high_water: "2024-01-01T10:00:00.000002+00:00" }), big: ok({ high_water: "9007199254740993" }) }));
    await commitHighWater(store, runState("a", { at: ok({ high_water: "2024-01-01T11:00:00.000001+01:00" }), big: ok({ high_water: "9007199254740992" }) }));
    assert.equal(await readHighWater(store, "orders", "at"), "2024-01-01T10:00:00.000002+00:00");
    assert.equal(await readHighWater(store, "orders", "big"), "9007199254740993");
  });

  it("commits nothing while a step has not succeeded", async () => {
    const store = freshStore();
    assert.equal(await commitHighWater(store, runState("a", { src: ok({ high_water: 7 }), ld: failed })), undefined);
    assert.equal(await readHighWater(store, "orders", "src"), undefined);
  });
});

describe("staleIncrementalSteps", () => {
  it("finds an extract read from an older mark than the committed one, and the run that committed it", async () => {
    const store = freshStore();
    const a = runState("run_a", { src: ok({ high_water: 7, high_water_from: 5 }), ld: failed });
    const b = runState("run_b", { src: ok({ high_water: 7, high_water_from: 5 }), ld: ok() });
    await writeJson(store, stateKey("run_a"), a);
    await writeJson(store, stateKey("run_b"), b);
    await commitHighWater(store, b);
    const stale = await staleIncrementalSteps(store, a);
    assert.deepEqual(stale, [{ step: "src", readFrom: 5, committed: 7, committedBy: "run_b" }]);
    assert.equal(
      staleResumeMessage(a, stale),
      "cannot resume run run_a: step src read its rows from mark 5, and run run_b has since committed mark 7; those rows were most likely loaded already, and resuming would load them again. " +
        "Start a fresh run instead: agent-etl run orders.etl.yaml (without --resume and --run-id)",
    );
  });

  it("names the run that moved the mark, not one that re-committed it without new rows", async () => {
    const store = freshStore();
    const a = runState("run_a", { src: ok({ high_water: 7, high_water_from: 5 }), ld: failed });
    const b = runState("run_b", { src: ok({ high_water: 8, high_water_from: 5 }), ld: ok() }, "2024-03-01T11:00:00Z");
    const c = runState("run_c", { src: ok({ rows: 0, high_water: 8, high_water_from: 8 }), ld: ok() }, "2024-03-01T12:00:00Z");
    for (const s of [a, b, c]) await writeJson(store, stateKey(s.run_id), s);
    await commitHighWater(store, b);
    await commitHighWater(store, c);
    assert.deepEqual(await staleIncrementalSteps(store, a), [{ step: "src", readFrom: 5, committed: 8, committedBy: "run_b" }]);
  });

  it("is empty when nothing was committed since the run extracted", async () => {
    const store = freshStore();
    await commitHighWater(store, runState("run_0", { src: ok({ high_water: 5, high_water_from: null }), ld: ok() }));
    assert.deepEqual(await staleIncrementalSteps(store, runState("run_a", { src: ok({ high_water: 7, high_water_from: 5 }), ld: failed })), []);
  });

  it("an extract that started with no committed mark is stale once any mark is committed; an unknown committer is left out", async () => {
    const store = freshStore();
    await commitHighWater(store, runState("gone", { src: ok({ high_water: 3, high_water_from: null }), ld: ok() }));
    const a = runState("run_a", { src: ok({ high_water: 3, high_water_from: null }), ld: failed });
    const stale = await staleIncrementalSteps(store, a);
    assert.deepEqual(stale, [{ step: "src", readFrom: null, committed: 3 }]);
    assert.match(staleResumeMessage(a, stale), /step src read its rows from the start \(no mark was committed then\), and another run has since committed mark 3/);
  });

  it("is empty for a run whose steps all succeeded: it committed its own marks", async () => {
    const store = freshStore();
    const a = runState("run_a", { src: ok({ high_water: 7, high_water_from: 5 }), ld: ok() });
    await commitHighWater(store, a);
    assert.deepEqual(await staleIncrementalSteps(store, a), []);
  });

  it("states written before high_water_from: judged by the mark the extract ended at and its rows", async () => {
    const store = freshStore();
    await commitHighWater(store, runState("run_b", { src: ok({ high_water: 7 }), other: ok({ high_water: 4 }), third: ok({ high_water: 9 }) }));
    const a = runState("run_a", {
      src: ok({ high_water: 7, rows: 2 }), // read rows up to 7, and 7 is committed: someone read them too
      other: ok({ high_water: 4, rows: 0 }), // read nothing from 4: nothing to load twice
      third: ok({ high_water: 12, rows: 3 }), // ended above the committed mark: started at or below it, unknown
      ld: failed,
    });
    assert.deepEqual((await staleIncrementalSteps(store, a)).map((s) => [s.step, s.readFrom]), [["src", undefined]]);
    const older = runState("run_old", { src: ok({ high_water: 6, rows: 0 }), ld: failed });
    assert.deepEqual((await staleIncrementalSteps(store, older)).map((s) => s.step), ["src"], "ended below the committed mark");
  });

  it("with the pipeline's steps and the steps to re-run: only extracts a re-run step reads from", async () => {
    const store = freshStore();
    await commitHighWater(store, runState("run_b", { src: ok({ high_water: 7, high_water_from: 5 }), other: ok({ high_water: 4, high_water_from: 2 }), ld: ok(), ld_other: ok() }));
    const a = runState("run_a", { src: ok({ high_water: 7, high_water_from: 5 }), other: ok({ high_water: 4, high_water_from: 2 }), ld: failed, ld_other: ok() });
    assert.deepEqual((await staleIncrementalSteps(store, a)).map((s) => s.step), ["src", "other"]);
    assert.deepEqual((await staleIncrementalSteps(store, a, { steps: STEPS, rerun: ["ld"] })).map((s) => s.step), ["src"], "other's load already succeeded in run_a");
    assert.deepEqual(await staleIncrementalSteps(store, a, { steps: STEPS, rerun: ["src", "ld"] }), [], "a re-run extract reads afresh from the committed mark");
  });
});

const CHAIN = validatePipeline(`version: 1
name: orders
connections:
  db: { type: postgres, url: "postgres://u@h/d" }
steps:
  - id: src
    extract: { connection: db, table: orders, incremental: { column: id } }
  - id: other
    extract: { connection: db, table: customers, incremental: { column: id } }
  - id: shaped
    depends_on: [other, src]
    transform:
      - join: { with: src, on: id }
  - id: ld
    depends_on: [shaped]
    load: { connection: db, table: copy }
  - id: audit
    depends_on: [ld, src]
    sql: { connection: db, query: "SELECT 1" }
  - id: ordered_only
    depends_on: [other, src]
    load: { connection: db, table: copy_other }
`).pipeline?.steps ?? [];

describe("staleIncrementalSteps follows record edges only", () => {
  it("reaches a load through a transform's join.with, but not a sql step or a second depends_on", async () => {
    const store = freshStore();
    const b = runState("run_b", { src: ok({ high_water: 7, high_water_from: 5 }), other: ok({ high_water: 4, high_water_from: null }), shaped: ok(), ld: ok(), audit: ok(), ordered_only: ok() });
    await commitHighWater(store, b);
    const a = runState("run_a", { src: ok({ high_water: 7, high_water_from: 5 }), other: ok({ high_water: 4, high_water_from: null }), shaped: ok(), ld: ok(), audit: failed, ordered_only: ok() });
    const stale = async (rerun: string[]) => (await staleIncrementalSteps(store, a, { steps: CHAIN, rerun })).map((s) => s.step);
    assert.deepEqual(await stale(["audit"]), [], "a sql step reads no staged records");
    assert.deepEqual(await stale(["ld"]), ["src", "other"], "ld reads shaped, which joined src into other");
    assert.deepEqual(await stale(["ordered_only"]), ["other"], "ordered_only reads other; src only orders it");
  });
});

describe("a run's own commit", () => {
  it("does not make its own extract stale when one of its steps is retried, but another run's later commit does", async () => {
    const store = freshStore();
    const x = runState("run_x", { src: ok({ high_water: 7, high_water_from: 5 }), ld: ok() });
    const committed = await commitHighWater(store, x);
    assert.ok(committed);
    recordOwnCommit(x, committed);
    assert.deepEqual(ownCommittedMarks(x), { src: 7 });
    const retried: RunState = { ...x, steps: { ...x.steps, ld: failed } };
    assert.deepEqual(await staleIncrementalSteps(store, retried, { steps: STEPS, rerun: ["ld"] }), []);

    const y = runState("run_y", { src: ok({ high_water: 9, high_water_from: 7 }), ld: ok() });
    await writeJson(store, stateKey("run_y"), y);
    await commitHighWater(store, y);
    assert.deepEqual(await staleIncrementalSteps(store, retried, { steps: STEPS, rerun: ["ld"] }), [{ step: "src", readFrom: 5, committed: 9, committedBy: "run_y" }]);
  });

  it("still counts as stale when another run read the same rows and committed the same mark", async () => {
    const store = freshStore();
    const x = runState("run_x", { src: ok({ high_water: 7, high_water_from: 5 }), ld: failed });
    recordOwnCommit(x, { src: 7 });
    const b = runState("run_b", { src: ok({ high_water: 7, high_water_from: 5 }), ld: ok() });
    await writeJson(store, stateKey("run_b"), b);
    await commitHighWater(store, b);
    assert.deepEqual(await staleIncrementalSteps(store, x), [{ step: "src", readFrom: 5, committed: 7, committedBy: "run_b" }]);
  });
});

describe("rerunsAfterLoad", () => {
  it("finds a succeeded incremental extract re-run after a load of its records succeeded in the run", () => {
    const done = runState("run_x", { src: ok({ high_water: 7 }), other: ok({ high_water: 4 }), shaped: ok(), ld: ok(), audit: ok(), ordered_only: { status: "failed" } });
    assert.deepEqual(rerunsAfterLoad(CHAIN, done, ["src"]), [{ extract: "src", load: "ld" }]);
    assert.deepEqual(rerunsAfterLoad(CHAIN, done, ["other"]), [{ extract: "other", load: "ld" }]);
    const message = rerunAfterLoadMessage(done, rerunsAfterLoad(CHAIN, done, ["src"]));
    assert.match(message, /^cannot re-run step src \(its records were loaded by step ld, which already succeeded in this run\) in run run_x: .*Start a fresh run instead, which reads from the committed mark: agent-etl run orders\.etl\.yaml \(without --run-id\)$/);
  });

  it("lets an extract run for the first time in a run, or again while no load of its records has succeeded", () => {
    const pending: StepState = { status: "pending" };
    assert.deepEqual(rerunsAfterLoad(CHAIN, runState("run_p", { src: pending, other: pending, shaped: pending, ld: pending, audit: pending, ordered_only: pending }), ["src"]), []);
    const extracted = runState("run_p", { src: ok({ high_water: 7 }), other: ok({ high_water: 4 }), shaped: ok(), ld: failed, audit: pending, ordered_only: failed });
    assert.deepEqual(rerunsAfterLoad(CHAIN, extracted, ["src", "other"]), []);
    assert.deepEqual(rerunsAfterLoad(CHAIN, { ...extracted, steps: { ...extracted.steps, audit: ok() } }, ["src"]), [], "a sql step is no load");
  });
});
