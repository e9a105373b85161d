/**
 * The pieces of hourly backfills: `--every` durations, the chunks of a range with their `{{ ts }}`
 * and run ids, and the logical instant a run gets from --ts, --ds, the run it continues, or now.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backfillChunkCount, backfillChunks, backfillRunId, everyMs } from "../../../server/src/runner/backfill";
import { logicalTemplates, renderTemplate } from "../../../server/src/pipeline/templates";
import { logicalInstant } from "../../../server/src/runner/setup";
import type { RunState } from "../../../server/src/runner/state";

describe("--every", () => {
  it("takes whole hours and days, and nothing else", () => {
    assert.equal(everyMs("1h"), 3_600_000);
    assert.equal(everyMs("6h"), 6 * 3_600_000);
    assert.equal(everyMs("1d"), 86_400_000);
    assert.equal(everyMs("7d"), 7 * 86_400_000);
    for (const bad of ["", "h", "0h", "01h", "1.5h", "90m", "1w", "1H", " 1h", "1h ", "-1d", "1234567h"]) assert.equal(everyMs(bad), undefined, bad);
  });
});

describe("backfillChunks", () => {
  it("gives one chunk a day by default, named by its ds, from --from to --to inclusive", () => {
    assert.deepEqual(backfillChunks("2024-02-28", "2024-03-01"), [
      { ds: "2024-02-28", ts: "2024-02-28T00:00:00+00:00", label: "2024-02-28" },
      { ds: "2024-02-29", ts: "2024-02-29T00:00:00+00:00", label: "2024-02-29" },
      { ds: "2024-03-01", ts: "2024-03-01T00:00:00+00:00", label: "2024-03-01" },
    ]);
    assert.equal(backfillRunId("daily", { label: "2024-02-29" }), "daily__backfill_2024-02-29");
  });

  it("gives hourly chunks up to the last hour of --to, named so they stay file names everywhere", () => {
    const chunks = backfillChunks("2024-01-01", "2024-01-02", everyMs("1h"));
    assert.equal(chunks.length, 48);
    assert.deepEqual(chunks[0], { ds: "2024-01-01", ts: "2024-01-01T00:00:00+00:00", label: "2024-01-01T0000" });
    assert.deepEqual(chunks[47], { ds: "2024-01-02", ts: "2024-01-02T23:00:00+00:00", label: "2024-01-02T2300" });
    for (const c of chunks) assert.match(backfillRunId("hourly", c), /^hourly__backfill_\d{4}-\d\d-\d\dT\d{4}$/);
    assert.equal(new Set(chunks.map((c) => c.label)).size, 48);
  });

  it("steps by N hours across days, and by N days", () => {
    assert.deepEqual(backfillChunks("2024-01-01", "2024-01-02", everyMs("10h")).map((c) => c.label), ["2024-01-01T0000", "2024-01-01T1000", "2024-01-01T2000", "2024-01-02T0600", "2024-01-02T1600"]);
    assert.deepEqual(backfillChunks("2024-01-01", "2024-01-10", everyMs("7d")).map((c) => c.label), ["2024-01-01", "2024-01-08"]);
  });

  it("counts the chunks without making them", () => {
    for (const [from, to, every] of [["2024-01-01", "2024-01-02", "1h"], ["2024-01-01", "2024-01-02", "10h"], ["2024-01-01", "2024-01-10", "7d"], ["2024-01-01", "2024-12-31", "1d"]] as const) {
      assert.equal(backfillChunkCount(from, to, everyMs(every)), backfillChunks(from, to, everyMs(every)).length, `${from} ${to} ${every}`);
    }
  });
});

describe("{{ ts }} and {{ ts_nodash }}", () => {
  it("are written as Airflow writes them, with ds the UTC date unless given", () => {
    assert.deepEqual(logicalTemplates("2024-01-31T05:06:07+00:00"), { ds: "2024-01-31", ds_nodash: "20240131", ts: "2024-01-31T05:06:07+00:00", ts_nodash: "20240131T050607" });
    // Another offset: ts is kept as given, ds and ts_nodash are in UTC (as Airflow's logical dates are).
    assert.deepEqual(logicalTemplates("2024-01-31T23:30:00-02:00"), { ds: "2024-02-01", ds_nodash: "20240201", ts: "2024-01-31T23:30:00-02:00", ts_nodash: "20240201T013000" });
    const values = { ...logicalTemplates("2024-01-31T05:00:00+00:00"), run_id: "r", params: {} };
    assert.equal(renderTemplate("raw/{{ ds }}/{{ ts_nodash }}.json?since={{ts}}", values), "raw/2024-01-31/20240131T050000.json?since=2024-01-31T05:00:00+00:00");
  });

  it("come from --ts, else --ds at midnight, else the run continued, else now", () => {
    const now = new Date("2024-06-07T08:09:10.123Z");
    assert.deepEqual(logicalInstant({ ts: "2024-01-31T05:00:00+00:00" }, undefined, now), { ds: "2024-01-31", ts: "2024-01-31T05:00:00+00:00" });
    assert.deepEqual(logicalInstant({ ds: "2024-01-31", ts: "2024-01-31T05:00:00+00:00" }, undefined, now), { ds: "2024-01-31", ts: "2024-01-31T05:00:00+00:00" });
    assert.deepEqual(logicalInstant({ ds: "2024-01-31" }, undefined, now), { ds: "2024-01-31", ts: "2024-01-31T00:00:00+00:00" });
    const previous = { ds: "2024-02-01", ts: "2024-02-01T13:00:00+00:00" } as RunState;
    assert.deepEqual(logicalInstant({}, previous, now), { ds: "2024-02-01", ts: "2024-02-01T13:00:00+00:00" });
    // A run recorded before ts existed.
    assert.deepEqual(logicalInstant({}, { ds: "2024-02-01" } as RunState, now), { ds: "2024-02-01", ts: "2024-02-01T00:00:00+00:00" });
    assert.deepEqual(logicalInstant({}, undefined, now), { ds: "2024-06-07", ts: "2024-06-07T08:09:10+00:00" });
  });
});
