import { problem } from "../problem";
import { stepCheck, type Rule } from "./rule";

/**
 * `checks:` test the records a step stages (runner/checks). A load writes its upstream's records
 * and stages none, and a `sql` step moves none: their checks would never run, so say where they go.
 */
export const checksPlacement: Rule = {
  code: "checks-placement",
  steps: stepCheck<null>({
    shared: () => null,
    same: () => true,
    step(step) {
      const kind = step.kinds[0]?.kind;
      if (!step.checks || step.kinds.length !== 1 || (kind !== "load" && kind !== "sql")) return [];
      const upstream = step.input?.name ?? step.dependsOn[0]?.name;
      const fix =
        kind === "load"
          ? `move them to the step it loads from${upstream ? ` (\`${upstream}\`)` : ""}: a failed check there stops this load before the target changes`
          : "move them to an extract or transform step";
      return [problem("checks-placement", "error", `\`checks\` run on the records a step outputs, and a \`${kind}\` step outputs none; ${fix}`, step.checks.keySpan)];
    },
  }),
};
