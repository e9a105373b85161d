/**
 * Schema propagation: every step's output columns, from what analysis knows of the extracts'
 * sources and through each transform op, in the graph's order. Anything uncertain upstream stays
 * "unknown" downstream, except where an op decides the set itself (`select`, `aggregate`, an
 * extract's `columns`). Pure: the live layer passes in what it knows.
 */
import type { Dag } from "../../dag/graph";
import { asMap, asSeq, pairOf, type AnyDoc } from "../nodes";
import type { ConnectionOutline, PipelineOutline, StepOutline } from "../outline";
import { checkRefs } from "./checks";
import { applyOp, type OpContext } from "./ops";
import { named, namedList } from "./scalars";
import { typeIn, type ColumnRef, type ColumnSet, type Propagation, type SourceColumns, type StepColumns } from "./types";
import { descriptorFor } from "../../sources/registry";

function connectionType(outline: PipelineOutline, step: StepOutline): string | undefined {
  const name = step.connection?.name;
  const c: ConnectionOutline | undefined = name ? outline.connections.get(name) : undefined;
  return c?.type;
}

/** The keys (paths under the step body) that name columns, for the step's connection type (descriptor `columnPaths`). */
function columnPaths(outline: PipelineOutline, step: StepOutline, kind: "extract" | "load"): readonly (readonly string[])[] {
  const descriptor = descriptorFor(connectionType(outline, step));
  return (kind === "extract" ? descriptor?.extract : descriptor?.load)?.columnPaths ?? [];
}

const hasPath = (paths: readonly (readonly string[])[], path: readonly string[]) => paths.some((p) => p.length === path.length && p.every((k, i) => k === path[i]));

function extractColumns(doc: AnyDoc, outline: PipelineOutline, step: StepOutline, id: string, source: ColumnSet, refs: ColumnRef[]): StepColumns {
  const map = asMap(doc, step.kinds[0]?.node);
  const paths = columnPaths(outline, step, "extract");
  let output = source;
  if (map && hasPath(paths, ["columns"])) {
    const listed = namedList(doc, pairOf(doc, map, "columns")?.value);
    for (const n of listed) refs.push({ name: n.name, span: n.span, role: "extract.columns", stepId: id, against: source, from: id });
    if (listed.length > 0) output = listed.map((n) => ({ name: n.name, ...(typeIn(source, n.name) ? { type: typeIn(source, n.name) } : {}) }));
  }
  if (map && hasPath(paths, ["incremental", "column"])) {
    const incremental = named(doc, pairOf(doc, asMap(doc, pairOf(doc, map, "incremental")?.value), "column")?.value);
    if (incremental) refs.push({ name: incremental.name, span: incremental.span, role: "incremental", stepId: id, against: source, from: id });
  }
  return { input: source, opInputs: [], joinRight: new Map(), output };
}

function transformColumns(doc: AnyDoc, step: StepOutline, id: string, upstream: string | undefined, input: ColumnSet, outputOf: (s: string) => ColumnSet, refs: ColumnRef[]): StepColumns {
  const result: StepColumns = { input, opInputs: [], joinRight: new Map(), output: input };
  const ops = asSeq(doc, step.kinds[0]?.node)?.items ?? [];
  let current = input;
  ops.forEach((item, opIndex) => {
    result.opInputs.push(current);
    const op = asMap(doc, item);
    const ctx: OpContext = { doc, stepId: id, opIndex, from: upstream ?? id, outputOf, refs };
    if (!op) {
      current = "unknown";
      return;
    }
    const applied = applyOp(ctx, op, current);
    if (applied.joinRight !== undefined) result.joinRight.set(opIndex, applied.joinRight);
    current = applied.output;
  });
  result.output = current;
  return result;
}

function loadColumns(doc: AnyDoc, outline: PipelineOutline, step: StepOutline, id: string, upstream: string | undefined, input: ColumnSet, refs: ColumnRef[]): StepColumns {
  const map = asMap(doc, step.kinds[0]?.node);
  if (map && hasPath(columnPaths(outline, step, "load"), ["key"])) {
    for (const n of namedList(doc, pairOf(doc, map, "key")?.value)) refs.push({ name: n.name, span: n.span, role: "load.key", stepId: id, against: input, from: upstream ?? id });
  }
  return { input, opInputs: [], joinRight: new Map(), output: input };
}

/** The step a transform or load reads: `input`, else the first of `depends_on`. */
export function upstreamOf(step: StepOutline): string | undefined {
  return step.input?.name ?? step.dependsOn[0]?.name;
}

interface MemoEntry {
  key: string;
  input: ColumnSet;
  /** Other steps' outputs the step read (a join's right side), by id. */
  read: [string, ColumnSet][];
  stepStart: number;
  result: StepColumns;
  refs: ColumnRef[];
}

/**
 * Keeps each step's result while its YAML node, its connection type and the column sets it reads
 * are the same objects: the language server's piecewise parse keeps unchanged steps' nodes, so
 * after an edit only the edited step and those downstream of a changed output are recomputed.
 */
export class PropagationMemo {
  private entries = new WeakMap<object, MemoEntry>();

  get(node: object, key: string, input: ColumnSet, outputOf: (id: string) => ColumnSet, stepStart: number): MemoEntry | undefined {
    const e = this.entries.get(node);
    if (!e || e.key !== key || e.input !== input || e.read.some(([id, set]) => outputOf(id) !== set)) return undefined;
    if (e.stepStart !== stepStart) {
      const d = stepStart - e.stepStart;
      e.refs = e.refs.map((r) => ({ ...r, span: { start: r.span.start + d, end: r.span.end + d } }));
      e.stepStart = stepStart;
    }
    return e;
  }

  set(node: object, entry: MemoEntry): void {
    this.entries.set(node, entry);
  }

  clear(): void {
    this.entries = new WeakMap();
  }
}

function computeStep(outline: PipelineOutline, step: StepOutline, id: string, kind: string, input: ColumnSet, outputOf: (s: string) => ColumnSet, refs: ColumnRef[]): StepColumns {
  const doc = outline.doc;
  const upstream = upstreamOf(step);
  if (kind === "extract") return extractColumns(doc, outline, step, id, input, refs);
  if (kind === "transform") return transformColumns(doc, step, id, upstream, input, outputOf, refs);
  if (kind === "load") return loadColumns(doc, outline, step, id, upstream, input, refs);
  return { input: "unknown", opInputs: [], joinRight: new Map(), output: "unknown" };
}

/**
 * Propagates columns through the whole pipeline. `sources`: what analysis knows of each extract
 * (absent = unknown). With a `memo`, unchanged steps reuse their last result.
 */
export function propagateColumns(outline: PipelineOutline, dag: Dag, sources: SourceColumns, memo?: PropagationMemo): Propagation {
  const byId = new Map<string, StepOutline>();
  for (const s of outline.steps) if (s.id && !byId.has(s.id.name)) byId.set(s.id.name, s);
  const steps = new Map<string, StepColumns>();
  const refs: ColumnRef[] = [];
  const outputOf = (id: string): ColumnSet => steps.get(id)?.output ?? "unknown";
  for (const id of dag.order) {
    const step = byId.get(id);
    const kind = step?.kinds.length === 1 ? step.kinds[0]?.kind : undefined;
    if (!step || !kind) continue;
    const upstream = upstreamOf(step);
    const input = kind === "extract" ? (sources.get(id) ?? "unknown") : upstream ? outputOf(upstream) : "unknown";
    const key = `${kind}\u0000${id}\u0000${upstream ?? ""}\u0000${connectionType(outline, step) ?? ""}`;
    const hit = memo?.get(step.node, key, input, outputOf, step.span.start);
    if (hit) {
      steps.set(id, hit.result);
      for (const r of hit.refs) refs.push(r);
      continue;
    }
    const read: [string, ColumnSet][] = [];
    const reading = (other: string) => {
      const set = outputOf(other);
      read.push([other, set]);
      return set;
    };
    const own: ColumnRef[] = [];
    const result = computeStep(outline, step, id, kind, input, reading, own);
    if (step.checks && (kind === "extract" || kind === "transform")) checkRefs(outline.doc, step, id, result.output, own);
    steps.set(id, result);
    for (const r of own) refs.push(r);
    memo?.set(step.node, { key, input, read, stepStart: step.span.start, result, refs: own });
  }
  return { steps, refs };
}
