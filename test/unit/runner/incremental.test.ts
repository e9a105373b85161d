/** High-water marks in a real local staging store (a temp folder): a commit never moves a mark backwards. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { commitHighWater, readHighWater } from "../../../server/src/runner/incremental";
import type { RunState, StepState } from "../../../server/src/runner/state";
import { LocalStagingStore } from "../../../server/src/runner/staging/localStaging";

const dir = mkdtempSync(join(tmpdir(), "etl-incremental-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A fresh store per test, so marks and states do not leak between them. */
const freshStore = () => new LocalStagingStore(join(dir, `store-${++n}`));

function runState(runId: string, steps: Record<string, StepState>, finishedAt = "2024-03-01T10:00:00Z"): RunState {
  const all = Object.values(steps).every((s) => s.status === "succeeded");
  return { version: 1, pipeline: "orders", file: "orders.etl.yaml", run_id: runId, ds: "2024-03-01", params: {}, status: all ? "succeeded" : "failed", started_at: "2024-03-01T09:00:00Z", finished_at: finishedAt, steps };
}

const ok = (extra: Partial<StepState> = {}): StepState => ({ status: "succeeded", rows: 2, ...extra });
const failed: StepState = { status: "failed", error: "load failed" };

describe("commitHighWater", () => {
  it("keeps the later mark: an old run's commit never moves it back", async () => {
    const store = freshStore();
    assert.equal(await commitHighWater(store, runState("b", { src: ok({ high_water: 9 }) })), true);
    assert.equal(await commitHighWater(store, runState("a", { src: ok({ high_water: 7 }) })), true);
    assert.equal(await readHighWater(store, "orders", "src"), 9);
    await commitHighWater(store, runState("c", { src: ok({ high_water: 12 }) }));
    assert.equal(await readHighWater(store, "orders", "src"), 12);
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
    assert.equal(await commitHighWater(store, runState("a", { src: ok({ high_water: 7 }), ld: failed })), false);
    assert.equal(await readHighWater(store, "orders", "src"), undefined);
  });
});
