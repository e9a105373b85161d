/** `on_error` / `max_rejected`: where they may be, and what the schema takes. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { check, codes, VALID } from "../helpers";

/** VALID with lines added to its transform step `paid`. */
const onPaid = (...lines: string[]) => VALID.replace("    transform:\n", `${lines.map((l) => `    ${l}\n`).join("")}    transform:\n`);

describe("on_error and max_rejected", () => {
  it("a transform takes quarantine with a count or a share, and fail alone", () => {
    for (const lines of [["on_error: quarantine", "max_rejected: 10"], ["on_error: quarantine", 'max_rejected: "0.5%"'], ["on_error: quarantine", "max_rejected: 2%"], ["on_error: fail"]]) {
      const result = validatePipeline(onPaid(...lines), { envNames: new Set() });
      assert.deepEqual(result.problems, [], lines.join(", "));
      assert.equal(result.pipeline?.steps[1]?.on_error, lines[0]?.slice("on_error: ".length));
    }
  });

  it("quarantine without max_rejected, or on a load, is on-error-placement; a bad limit is a schema error", () => {
    const missing = check(onPaid("on_error: quarantine"));
    assert.deepEqual(missing.map((p) => p.code), ["on-error-placement"]);
    assert.match(missing[0]?.message ?? "", /needs `max_rejected`/);
    const onLoad = check(VALID.replace("    load:\n", "    on_error: quarantine\n    max_rejected: 1\n    load:\n"));
    assert.deepEqual(onLoad.map((p) => p.code), ["on-error-placement"]);
    assert.match(onLoad[0]?.message ?? "", /a `load` step has neither/);
    assert.deepEqual(codes(onPaid("on_error: quarantine", "max_rejected: half")), ["schema"]);
    assert.deepEqual(codes(onPaid("on_error: skip", "max_rejected: 1")), ["schema"]);
  });
});

/** VALID with lines added to its extract step `orders` (a CSV file). */
const onOrders = (...lines: string[]) => VALID.replace("    extract:\n", `${lines.map((l) => `    ${l}\n`).join("")}    extract:\n`);

describe("on_error on extracts (parse errors)", () => {
  it("a CSV or JSON Lines file extract takes quarantine", () => {
    for (const text of [onOrders("on_error: quarantine", "max_rejected: 10"), onOrders("on_error: quarantine", "max_rejected: 1%").replace("orders.csv", "orders.jsonl")]) {
      const result = validatePipeline(text, { envNames: new Set() });
      assert.deepEqual(result.problems, []);
      assert.equal(result.pipeline?.steps[0]?.on_error, "quarantine");
    }
  });

  it("is refused on a format read whole, and on an extract that parses no lines of ours", () => {
    const parquet = check(onOrders("on_error: quarantine", "max_rejected: 10").replace("orders.csv", "orders.parquet"));
    assert.deepEqual(parquet.map((p) => [p.code, p.range, p.text]), [["on-error-placement", "11:5-11:13", "on_error"]]);
    assert.match(parquet[0]?.message ?? "", /`parquet` is read whole/);
    const json = check(onOrders("on_error: quarantine", "max_rejected: 10").replace("      path: orders.csv\n", "      path: orders.data\n      format: json\n"));
    assert.deepEqual(json.map((p) => p.code), ["on-error-placement"]);
    const pg = check(
      onOrders("on_error: quarantine", "max_rejected: 10")
        .replace("  raw:\n    type: file\n    root: ./data\n", "  raw:\n    type: postgres\n    url: postgres://localhost/db\n")
        .replace("      path: orders.csv\n", "      table: orders\n"),
    );
    assert.deepEqual(pg.map((p) => p.code), ["on-error-placement"]);
    assert.match(pg[0]?.message ?? "", /a `postgres` extract has no lines of ours to parse/);
    assert.deepEqual(codes(onOrders("on_error: quarantine")), ["on-error-placement"]);
  });
});

/** VALID with its load writing to PostgreSQL with `rejected_table: true`. */
const pgLoad = (text: string) =>
  text
    .replace("  out:\n    type: file\n", "  out:\n    type: postgres\n    url: postgres://localhost/db\n")
    .replace("      connection: out\n      path: paid.jsonl\n", "      connection: out\n      table: paid\n      rejected_table: true\n");

describe("rejected_table", () => {
  it("is quiet on a postgres load whose upstream quarantines", () => {
    assert.deepEqual(check(pgLoad(onPaid("on_error: quarantine", "max_rejected: 10"))), []);
  });

  it("warns when the step the load reads does not quarantine, on the key", () => {
    const found = check(pgLoad(VALID));
    assert.deepEqual(found.map((p) => [p.code, p.severity, p.range, p.text]), [["rejected-table", "warning", "25:7-25:21", "rejected_table"]]);
    assert.match(found[0]?.message ?? "", /`paid` \(the step this load reads\) quarantines, and it has no `on_error: quarantine`/);
    // Only the step fed directly counts: a quarantine further up does not reach the load.
    assert.deepEqual(codes(pgLoad(onOrders("on_error: quarantine", "max_rejected: 10"))), ["rejected-table"]);
  });

  it("is a connection-type error on a load that is not postgres", () => {
    const found = check(onPaid("on_error: quarantine", "max_rejected: 10").replace("      path: paid.jsonl\n", "      path: paid.jsonl\n      rejected_table: true\n"));
    assert.deepEqual(found.map((p) => p.code), ["connection-type"]);
    assert.match(found[0]?.message ?? "", /`rejected_table` does not apply here/);
  });
});
