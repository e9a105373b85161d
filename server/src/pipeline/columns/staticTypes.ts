/**
 * Column types knowable from the file alone, without live analysis: every value a CSV file or
 * object gives is text until a `cast`, whatever its columns are called. So a type is kept for the
 * columns named by ops (`cast`, `derive`, `rename`, …) and one more for "every other column",
 * which is `string` for a CSV extract and unknown for anything else. Pure.
 */
import type { YAMLMap } from "yaml";
import { COLUMN_TYPES, type ColumnType } from "../model";
import { asMap, asSeq, keyName, pairOf, pairsOf, stringValue, type AnyDoc } from "../nodes";
import type { PipelineOutline, StepOutline } from "../outline";
import type { Problem } from "../problem";
import { expressionTypeWith } from "./expression";
import { namedList, namedPairs } from "./scalars";
import { upstreamOf } from "./propagate";
import { descriptorFor } from "../../sources/registry";

/** Types of named columns, and of every column not named (`rest`); undefined = not known. */
export interface TypeEnv {
  known: ReadonlyMap<string, ColumnType | undefined>;
  rest: ColumnType | undefined;
  /** Why `rest` is what it is, for messages ("CSV values are text until cast"). */
  restWhy?: string;
}

const UNKNOWN_TYPES: TypeEnv = { known: new Map(), rest: undefined };

export function typeOf(env: TypeEnv, name: string): ColumnType | undefined {
  return env.known.has(name) ? env.known.get(name) : env.rest;
}

/** True when `name`'s type comes from "every other column" (e.g. CSV text), not from an op. */
export function isRestType(env: TypeEnv, name: string): boolean {
  return !env.known.has(name) && env.rest !== undefined;
}

const CSV_PATH = /\.csv(\.gz)?$/i;

/** An extract of a CSV file or object (`format: csv`, or a `.csv`/`.csv.gz` path or key): all text. */
function extractTypes(outline: PipelineOutline, step: StepOutline): TypeEnv {
  const doc = outline.doc;
  const map = asMap(doc, step.kinds[0]?.node);
  const type = step.connection ? outline.connections.get(step.connection.name)?.type : undefined;
  const fileKey = descriptorFor(type)?.dataFileKey;
  if (!map || !fileKey) return UNKNOWN_TYPES;
  const format = stringValue(doc, pairOf(doc, map, "format")?.value);
  const where = stringValue(doc, pairOf(doc, map, fileKey)?.value);
  const csv = format !== undefined ? format === "csv" : where !== undefined && CSV_PATH.test(where);
  return csv ? { known: new Map(), rest: "string", restWhy: "CSV values are text until cast" } : UNKNOWN_TYPES;
}

/** Called for each `filter`/`derive` expression with the types it is evaluated with; reports into `out`. */
export type ExpressionVisitor = (text: string, valueNode: unknown, env: TypeEnv, out: Problem[]) => void;

type OpVisitor = (text: string, valueNode: unknown, env: TypeEnv) => void;

function withTypes(env: TypeEnv, entries: Iterable<[string, ColumnType | undefined]>): TypeEnv {
  const known = new Map(env.known);
  for (const [name, type] of entries) known.set(name, type);
  return { ...env, known };
}

/** Only the listed columns exist afterwards (`select`, `aggregate`). */
function only(entries: [string, ColumnType | undefined][]): TypeEnv {
  return { known: new Map(entries), rest: undefined };
}

function castType(text: string | undefined): ColumnType | undefined {
  return COLUMN_TYPES.includes(text as ColumnType) ? (text as ColumnType) : undefined;
}

const METRIC = /^\s*(count|sum|min|max|avg)\(\s*([^()\s]*)\s*\)\s*$/;

function applyOp(doc: AnyDoc, op: YAMLMap, env: TypeEnv, visit: OpVisitor): TypeEnv {
  const pair = pairsOf(doc, op)[0];
  const value = pair?.value;
  switch (pair ? keyName(pair) : undefined) {
    case "cast":
      return withTypes(env, namedPairs(doc, value).map((p) => [p.key.name, castType(p.value?.name)]));
    case "rename":
      return withTypes(env, namedPairs(doc, value).flatMap((p): [string, ColumnType | undefined][] => (p.value ? [[p.key.name, undefined], [p.value.name, typeOf(env, p.key.name)]] : [])));
    case "select":
      return only(namedList(doc, value).map((n) => [n.name, typeOf(env, n.name)]));
    case "filter": {
      const text = stringValue(doc, value);
      if (text !== undefined) visit(text, value, env);
      return env;
    }
    case "derive": {
      let current = env;
      for (const p of namedPairs(doc, value)) {
        const text = p.value?.name;
        if (text === undefined) continue;
        visit(text, p.valueNode, current);
        const before = current;
        current = withTypes(current, [[p.key.name, expressionTypeWith(text, (n) => typeOf(before, n))]]);
      }
      return current;
    }
    case "aggregate": {
      const spec = asMap(doc, value);
      const groups = namedList(doc, pairOf(doc, spec, "group_by")?.value).map((n): [string, ColumnType | undefined] => [n.name, typeOf(env, n.name)]);
      const metrics = namedPairs(doc, pairOf(doc, spec, "metrics")?.value).map((m): [string, ColumnType | undefined] => {
        const match = METRIC.exec(m.value?.name ?? "");
        return [m.key.name, match?.[1] === "count" ? "integer" : match?.[1] === "min" || match?.[1] === "max" ? typeOf(env, match[2] ?? "") : undefined];
      });
      return only([...groups, ...metrics]);
    }
    case "join":
      // The right side's columns, and which of them clash, are not known from the text.
      return UNKNOWN_TYPES;
    case "drop":
    case "dedupe":
    case "limit":
      return env;
    default:
      return UNKNOWN_TYPES;
  }
}

interface MemoEntry {
  /** What the entry was computed for, besides the node and `input` (compared field by field: this runs for every step on every edit). */
  kind: string | undefined;
  upstream: string | undefined;
  connection: string | undefined;
  input: TypeEnv;
  output: TypeEnv;
  problems: Problem[];
  start: number;
}

/**
 * Keeps each step's output types and problems while its YAML node, the step it reads and that
 * step's output are the same objects: the language server's incremental parse keeps unchanged
 * steps' nodes, so after an edit only the edited step and those after it are checked again.
 */
export type StaticTypesMemo = WeakMap<object, MemoEntry>;

/** Problems moved with their step (an edit above it shifts it), copied: problems are never changed in place. */
function shifted(entry: MemoEntry, start: number): Problem[] {
  if (entry.start === start) return entry.problems;
  const d = start - entry.start;
  entry.problems = entry.problems.map((p) => ({ ...p, span: { start: p.span.start + d, end: p.span.end + d } }));
  entry.start = start;
  return entry.problems;
}

/**
 * Each step's output types, computed on demand in dependency order, calling `visit` for every
 * `filter`/`derive` expression of every transform it passes through (once per step); `problems`
 * collects what the visits report.
 */
export class StaticTypes {
  readonly problems: Problem[] = [];
  private readonly byId = new Map<string, StepOutline>();
  private readonly outputs = new Map<string, TypeEnv>();

  constructor(
    private readonly outline: PipelineOutline,
    private readonly visit: ExpressionVisitor,
    private readonly memo: StaticTypesMemo = new WeakMap(),
  ) {
    for (const s of outline.steps) if (s.id && !this.byId.has(s.id.name)) this.byId.set(s.id.name, s);
  }

  /** The types of step `id`'s records; unknown for a cycle, an `sql` step or a missing step. */
  output(id: string, depth = 0): TypeEnv {
    const known = this.outputs.get(id);
    if (known) return known;
    // Placed first, so a cycle (reported by its own rule) ends here.
    this.outputs.set(id, UNKNOWN_TYPES);
    const step = this.byId.get(id);
    const env = step && depth < 1000 ? this.compute(step, depth) : UNKNOWN_TYPES;
    this.outputs.set(id, env);
    return env;
  }

  private compute(step: StepOutline, depth: number): TypeEnv {
    const kind = step.kinds.length === 1 ? step.kinds[0]?.kind : undefined;
    const upstream = kind === "transform" || kind === "load" ? upstreamOf(step) : undefined;
    const input = upstream !== undefined ? this.output(upstream, depth + 1) : UNKNOWN_TYPES;
    const connection = step.connection ? this.outline.connections.get(step.connection.name)?.type : undefined;
    const hit = this.memo.get(step.node);
    if (hit && hit.input === input && hit.kind === kind && hit.upstream === upstream && hit.connection === connection) {
      for (const p of shifted(hit, step.span.start)) this.problems.push(p);
      return hit.output;
    }
    const problems: Problem[] = [];
    const output = kind === "extract" ? extractTypes(this.outline, step) : kind === "transform" ? this.transform(step, input, problems) : kind === "load" ? input : UNKNOWN_TYPES;
    this.memo.set(step.node, { kind, upstream, connection, input, output, problems, start: step.span.start });
    for (const p of problems) this.problems.push(p);
    return output;
  }

  private transform(step: StepOutline, input: TypeEnv, problems: Problem[]): TypeEnv {
    const doc = this.outline.doc;
    let env = input;
    for (const item of asSeq(doc, step.kinds[0]?.node)?.items ?? []) {
      const op = asMap(doc, item);
      env = op ? applyOp(doc, op, env, (text, valueNode, types) => this.visit(text, valueNode, types, problems)) : UNKNOWN_TYPES;
    }
    return env;
  }
}
