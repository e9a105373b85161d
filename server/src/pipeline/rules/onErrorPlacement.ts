import type { PipelineOutline, StepOutline } from "../outline";
import { asMap, pairOf, stringValue } from "../nodes";
import { problem, type Problem } from "../problem";
import { descriptorFor, typesWhere } from "../../sources/registry";
import { sameList, stepCheck, type Rule } from "./rule";
import { connectionTypes } from "./shared";

/** Formats an extract parses whole, not line by line: a parse error in them fails the step. */
const WHOLE_FORMATS = new Set(["json", "parquet"]);

/**
 * The format a file extract reads, when the file says it: `format:`, else the data file key's
 * extension (`.json`, `.parquet` …); undefined when templates or a glob hide it.
 */
function extractFormat(outline: PipelineOutline, step: StepOutline, fileKey: string): string | undefined {
  const body = asMap(outline.doc, step.kinds[0]?.node);
  const explicit = stringValue(outline.doc, pairOf(outline.doc, body, "format")?.value);
  if (explicit !== undefined) return explicit;
  const path = stringValue(outline.doc, pairOf(outline.doc, body, fileKey)?.value);
  return path?.match(/\.([a-z]+)$/i)?.[1]?.toLowerCase();
}

/** Why `on_error` does nothing on this extract, or undefined when it quarantines the lines it cannot parse. */
function extractRefusal(outline: PipelineOutline, step: StepOutline): string | undefined {
  const type = step.connection ? outline.connections.get(step.connection.name)?.type : undefined;
  const descriptor = descriptorFor(type);
  if (!descriptor) return undefined; // an unknown connection is another rule's problem
  const parsing = typesWhere((d) => d.dataFileKey !== undefined).join(" or ");
  if (!descriptor.dataFileKey) return `on an extract, \`on_error\` quarantines CSV and JSON Lines lines that do not parse, which only ${parsing} extracts read; a \`${type}\` extract has no lines of ours to parse. Remove it, or put it on a transform step after this one`;
  const format = extractFormat(outline, step, descriptor.dataFileKey);
  if (format !== undefined && WHOLE_FORMATS.has(format)) return `on an extract, \`on_error\` quarantines CSV and JSON Lines lines that do not parse, and \`${format}\` is read whole (a parse error fails the step); remove it`;
  return undefined;
}

/**
 * `on_error` and `max_rejected` say what a transform step does with records its ops fail on, and
 * what a file or object extract does with CSV and JSON Lines lines it cannot parse
 * (runner/quarantine.ts); elsewhere they would do nothing. `quarantine` needs its limit spelled out.
 */
export const onErrorPlacement: Rule = {
  code: "on-error-placement",
  steps: stepCheck<{ outline: PipelineOutline; types: readonly (string | undefined)[] }>({
    shared: ({ outline }) => ({ outline, types: connectionTypes(outline) }),
    same: (a, b) => sameList(a.types, b.types),
    step(step, { outline }): Problem[] {
      const kind = step.kinds[0]?.kind;
      if (step.kinds.length !== 1 || kind === undefined) return [];
      const key = step.onError?.keySpan ?? step.maxRejectedKey;
      if (key && (kind === "load" || kind === "sql")) {
        return [problem("on-error-placement", "error", `\`on_error\` and \`max_rejected\` apply to records a transform's ops fail on and to lines an extract cannot parse, and a \`${kind}\` step has neither; remove them, or put them on the step that makes the records`, key)];
      }
      const refusal = key && kind === "extract" ? extractRefusal(outline, step) : undefined;
      if (key && refusal) return [problem("on-error-placement", "error", refusal, key)];
      if (step.onError?.value === "quarantine" && !step.maxRejectedKey) {
        return [problem("on-error-placement", "error", "`on_error: quarantine` needs `max_rejected`: how many records may be rejected before the step fails, a count (`100`) or a share of its input (`0.5%`)", step.onError.keySpan)];
      }
      return [];
    },
  }),
};
