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
    assert.match(onLoad[0]?.message ?? "", /a `load` step has no ops/);
    assert.deepEqual(codes(onPaid("on_error: quarantine", "max_rejected: half")), ["schema"]);
    assert.deepEqual(codes(onPaid("on_error: skip", "max_rejected: 1")), ["schema"]);
  });
});
