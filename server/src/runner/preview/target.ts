/**
 * Which steps a preview reads: the step asked for and, upstream, only the steps whose records flow
 * into it (a transform's or load's input, a join's `with` step). `depends_on` that only orders
 * steps brings nothing in. A `sql` step has no records to show; asking for one is a usage error.
 */
import { stepKind, type Pipeline, type Step, type TransformOp } from "../../pipeline/model";
import { closest } from "../../pipeline/suggest";
import { inputOf } from "../context";
import { PreviewFailure } from "./failure";

/** The steps whose records `step` reads (its input, then each join's `with` step). */
export function recordInputs(step: Step): string[] {
  if (step.extract || step.sql) return [];
  const input = inputOf(step);
  const joins = (step.transform ?? []).flatMap((op) => (op.join ? [op.join.with] : []));
  return [...new Set([...(input !== undefined ? [input] : []), ...joins])];
}

function unknownStep(pipeline: Pipeline, id: string): PreviewFailure {
  const ids = pipeline.steps.map((s) => s.id);
  const guess = closest(id, ids);
  const fix = guess !== undefined ? `did you mean \`${guess}\`? steps: ${ids.join(", ")}` : `give one of the pipeline's steps: ${ids.join(", ")}`;
  return new PreviewFailure("unknown-step", `pipeline \`${pipeline.name}\` has no step \`${id}\``, fix, null, true);
}

function sqlStep(pipeline: Pipeline, step: Step, readBy?: Step): PreviewFailure {
  const previewable = pipeline.steps.filter((s) => !s.sql).map((s) => s.id);
  if (readBy) {
    return new PreviewFailure("preview-sql-input", `step \`${readBy.id}\` reads records from \`${step.id}\`, a \`sql\` step, which outputs none`, `make \`${readBy.id}\` read an extract or transform (\`input:\`), or list \`${step.id}\` later in \`depends_on\``, readBy.id, true);
  }
  const others = previewable.length > 0 ? `preview a step that outputs records (${previewable.join(", ")}), or ` : "";
  return new PreviewFailure("preview-sql-step", `step \`${step.id}\` is a \`sql\` step: it runs a statement and outputs no records, so there is nothing to preview (and a preview never runs statements)`, `${others}run the statement with \`agent-etl run FILE --step ${step.id}\``, step.id, true);
}

/** The steps a preview of `id` reads, upstream first; throws a usage PreviewFailure for an unknown or `sql` step. */
export function previewSteps(pipeline: Pipeline, id: string): Step[] {
  const byId = new Map(pipeline.steps.map((s) => [s.id, s]));
  const target = byId.get(id);
  if (!target) throw unknownStep(pipeline, id);
  if (target.sql) throw sqlStep(pipeline, target);
  const order: Step[] = [];
  const seen = new Set<string>();
  const visit = (step: Step) => {
    if (seen.has(step.id)) return;
    seen.add(step.id);
    if ((step.transform || step.load) && inputOf(step) === undefined) {
      throw new PreviewFailure("no-input", `${stepKind(step)} step \`${step.id}\` names no step to read records from`, "add `input: <step id>` (or list it first in `depends_on`)", step.id, true);
    }
    for (const upstream of recordInputs(step)) {
      const u = byId.get(upstream);
      if (!u) throw new PreviewFailure("unknown-step", `step \`${step.id}\` reads from \`${upstream}\`, which is not a step of the pipeline`, "fix the step id (agent-etl validate FILE lists it)", step.id, true);
      if (u.sql) throw sqlStep(pipeline, u, step);
      visit(u);
    }
    order.push(step);
  };
  visit(target);
  return order;
}

/** Ops that turn each input record into exactly one output record, in order. */
const ONE_TO_ONE = new Set(["select", "drop", "rename", "cast", "derive"]);

/**
 * How many input records a transform needs for `want` output records: as many when every op maps
 * one record to one (a `limit` caps it), else any number (a filter, dedupe, join or aggregate may
 * need all of them).
 */
export function inputWanted(ops: readonly TransformOp[], want: number): number {
  let wanted = want;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i] as TransformOp;
    if (op.limit !== undefined) wanted = Math.min(wanted, op.limit);
    else if (!Object.keys(op).some((k) => ONE_TO_ONE.has(k))) wanted = Number.POSITIVE_INFINITY;
  }
  return wanted;
}
