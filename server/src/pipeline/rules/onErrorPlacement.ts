import { problem } from "../problem";
import { stepCheck, type Rule } from "./rule";

/**
 * `on_error` and `max_rejected` say what a transform step does with records its ops fail on
 * (runner/quarantine.ts); elsewhere they would do nothing. `quarantine` needs its limit spelled out.
 */
export const onErrorPlacement: Rule = {
  code: "on-error-placement",
  steps: stepCheck<null>({
    shared: () => null,
    same: () => true,
    step(step) {
      const kind = step.kinds[0]?.kind;
      if (step.kinds.length !== 1 || kind === undefined) return [];
      const key = step.onError?.keySpan ?? step.maxRejectedKey;
      if (kind !== "transform" && key) {
        return [problem("on-error-placement", "error", `\`on_error\` and \`max_rejected\` apply to records a transform's ops fail on, and a \`${kind}\` step has no ops; remove them, or put them on the transform step`, key)];
      }
      if (step.onError?.value === "quarantine" && !step.maxRejectedKey) {
        return [problem("on-error-placement", "error", "`on_error: quarantine` needs `max_rejected`: how many records may be rejected before the step fails, a count (`100`) or a share of its input (`0.5%`)", step.onError.keySpan)];
      }
      return [];
    },
  }),
};
