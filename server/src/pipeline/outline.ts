/**
 * The pipeline as positioned facts, read leniently from the YAML tree so that rules, the graph and
 * the language server work on files that do not (yet) pass the schema.
 */
import type { Node, Pair, YAMLMap } from "yaml";
import type { StepKind } from "./model";
import { asMap, asSeq, deref, isPair, isScalar, keyName, pairOf, pairsOf, spanOf, stringValue, type AnyDoc } from "./nodes";
import type { Span } from "./problem";

/** A name written in the file (a step id, a connection name) and where. */
export interface Ref {
  name: string;
  span: Span;
}

export interface ExpressionRef {
  /** The JSONata source text. */
  text: string;
  /** Span of the scalar holding it. */
  span: Span;
  /** Offset of the expression's first character in the file (after any opening quote). */
  contentStart: number;
  op: "filter" | "derive" | "check";
}

export interface StepOutline {
  index: number;
  /** The step's map node. */
  node: YAMLMap;
  span: Span;
  id?: Ref;
  description?: string;
  /** The kinds whose keys are present; a valid step has exactly one. */
  kinds: { kind: StepKind; keySpan: Span; node?: Node }[];
  dependsOn: Ref[];
  dependsOnKey?: Span;
  input?: Ref;
  joins: Ref[];
  connection?: Ref;
  expressions: ExpressionRef[];
  /** The `checks:` key and its value (a list of checks), when present. */
  checks: { keySpan: Span; node?: Node } | undefined;
  /** The `on_error:` key and its value, when present, and whether `max_rejected:` is there (its key, when it is). */
  onError: { keySpan: Span; value: string | undefined } | undefined;
  maxRejectedKey: Span | undefined;
}

export interface ConnectionOutline {
  name: string;
  keySpan: Span;
  span: Span;
  type?: string;
  node?: YAMLMap;
}

export interface PipelineOutline {
  doc: AnyDoc;
  root?: YAMLMap;
  name?: Ref;
  schedule?: { value: string; span: Span };
  steps: StepOutline[];
  connections: Map<string, ConnectionOutline>;
  connectionsKey?: Span;
  staging?: Ref;
  /** `history.connection`: where runs are recorded. */
  history?: Ref;
}

function ref(doc: AnyDoc, node: unknown): Ref | undefined {
  const n = deref(doc, node);
  if (!isScalar(n) || n.value === null || n.value === undefined || typeof n.value === "object") return undefined;
  return { name: String(n.value), span: spanOf(n) };
}

function refList(doc: AnyDoc, node: unknown): Ref[] {
  const seq = asSeq(doc, node);
  if (seq) return seq.items.map((item) => ref(doc, item)).filter((r): r is Ref => r !== undefined);
  const single = ref(doc, node);
  return single ? [single] : [];
}

/** Offset of a scalar's content: after the opening quote of a quoted scalar, else its start. */
function contentStart(node: Node): number {
  const start = spanOf(node).start;
  if (isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")) return start + 1;
  return start;
}

function expressions(doc: AnyDoc, transform: unknown): { exprs: ExpressionRef[]; joins: Ref[] } {
  const exprs: ExpressionRef[] = [];
  const joins: Ref[] = [];
  for (const item of asSeq(doc, transform)?.items ?? []) {
    const op = asMap(doc, item);
    if (!op) continue;
    for (const pair of pairsOf(doc, op)) {
      const name = keyName(pair);
      if (name === "filter") pushExpr(doc, exprs, pair.value, "filter");
      if (name === "derive") for (const d of pairsOf(doc, asMap(doc, pair.value) ?? ({ items: [] } as unknown as YAMLMap))) pushExpr(doc, exprs, d.value, "derive");
      if (name === "join") {
        const w = ref(doc, pairOf(doc, asMap(doc, pair.value), "with")?.value);
        if (w) joins.push(w);
      }
    }
  }
  return { exprs, joins };
}

function pushExpr(doc: AnyDoc, out: ExpressionRef[], value: unknown, op: ExpressionRef["op"]): void {
  const node = deref(doc, value);
  const text = stringValue(doc, node);
  if (node && text !== undefined) out.push({ text, span: spanOf(node), contentStart: contentStart(node), op });
}

/** The pairs a step's outline reads, found in one pass over its keys (first of each name, merge keys included). */
interface StepPairs {
  kinds: Pair[];
  id?: Pair;
  description?: Pair;
  dependsOn?: Pair;
  input?: Pair;
  checks?: Pair;
  onError?: Pair;
  maxRejected?: Pair;
}

function stepPairs(doc: AnyDoc, node: YAMLMap): StepPairs {
  const found: StepPairs = { kinds: [] };
  for (const pair of pairsOf(doc, node)) {
    const name = keyName(pair);
    if (name === "id") found.id ??= pair;
    else if (name === "description") found.description ??= pair;
    else if (name === "depends_on") found.dependsOn ??= pair;
    else if (name === "input") found.input ??= pair;
    else if (name === "checks") found.checks ??= pair;
    else if (name === "on_error") found.onError ??= pair;
    else if (name === "max_rejected") found.maxRejected ??= pair;
    else if (name === "extract" || name === "transform" || name === "load" || name === "sql") found.kinds.push(pair);
  }
  return found;
}

function stepOutline(doc: AnyDoc, node: YAMLMap, index: number): StepOutline {
  const pairs = stepPairs(doc, node);
  const kinds: StepOutline["kinds"] = pairs.kinds.map((pair) => {
    const value = deref(doc, pair.value);
    return { kind: keyName(pair) as StepKind, keySpan: spanOf(pair.key as Node), node: value };
  });
  const depends = pairs.dependsOn;
  const kindNode = kinds[0]?.node;
  const { exprs, joins } = kinds[0]?.kind === "transform" ? expressions(doc, kindNode) : { exprs: [], joins: [] };
  const checksNode = pairs.checks ? deref(doc, pairs.checks.value) : undefined;
  for (const item of asSeq(doc, checksNode)?.items ?? []) pushExpr(doc, exprs, pairOf(doc, asMap(doc, item), "expression")?.value, "check");
  const connection = kinds[0] && kinds[0].kind !== "transform" ? ref(doc, pairOf(doc, asMap(doc, kindNode), "connection")?.value) : undefined;
  // Every property is always present (undefined when absent): one object shape for all steps keeps
  // the rules' and the graph's loops over thousands of steps monomorphic.
  return {
    index,
    node,
    span: spanOf(node),
    id: ref(doc, pairs.id?.value),
    description: stringValue(doc, pairs.description?.value),
    kinds,
    dependsOn: depends ? refList(doc, depends.value) : [],
    dependsOnKey: depends ? spanOf(depends.key as Node) : undefined,
    input: ref(doc, pairs.input?.value),
    joins,
    connection,
    expressions: exprs,
    checks: pairs.checks ? { keySpan: spanOf(pairs.checks.key as Node), ...(checksNode ? { node: checksNode } : {}) } : undefined,
    onError: pairs.onError ? { keySpan: spanOf(pairs.onError.key as Node), value: stringValue(doc, pairs.onError.value) } : undefined,
    maxRejectedKey: pairs.maxRejected ? spanOf(pairs.maxRejected.key as Node) : undefined,
  };
}

function connectionOutline(doc: AnyDoc, pair: Pair): ConnectionOutline | undefined {
  const name = keyName(pair);
  if (name === undefined) return undefined;
  const node = asMap(doc, pair.value);
  const type = stringValue(doc, pairOf(doc, node, "type")?.value);
  const keySpan = spanOf(pair.key as Node);
  return { name, keySpan, span: { start: keySpan.start, end: spanOf(deref(doc, pair.value), keySpan).end }, ...(type ? { type } : {}), ...(node ? { node } : {}) };
}

/** Builds one step's outline; exported so the piecewise validator can keep it per step. */
export function outlineOfStep(doc: AnyDoc, node: YAMLMap, index: number): StepOutline {
  return stepOutline(doc, node, index);
}

/**
 * Reads the outline of a parsed pipeline document. Never throws on malformed input. `stepOf` may
 * supply a step's outline from a cache (it must equal `outlineOfStep(doc, node, index)`).
 */
export function buildOutline(doc: AnyDoc, stepOf: (node: YAMLMap, index: number) => StepOutline = (node, index) => stepOutline(doc, node, index)): PipelineOutline {
  const root = asMap(doc, doc.contents);
  const outline: PipelineOutline = { doc, steps: [], connections: new Map(), ...(root ? { root } : {}) };
  if (!root) return outline;
  const name = ref(doc, pairOf(doc, root, "name")?.value);
  if (name) outline.name = name;
  const schedulePair = pairOf(doc, root, "schedule");
  const schedule = stringValue(doc, schedulePair?.value);
  if (schedule !== undefined) outline.schedule = { value: schedule, span: spanOf(deref(doc, schedulePair?.value)) };
  const connections = pairOf(doc, root, "connections");
  if (connections) {
    outline.connectionsKey = spanOf(connections.key as Node);
    for (const pair of asMap(doc, connections.value)?.items.filter(isPair) ?? []) {
      const c = connectionOutline(doc, pair);
      if (c && !outline.connections.has(c.name)) outline.connections.set(c.name, c);
    }
  }
  const staging = ref(doc, pairOf(doc, asMap(doc, pairOf(doc, root, "staging")?.value), "connection")?.value);
  if (staging) outline.staging = staging;
  const history = ref(doc, pairOf(doc, asMap(doc, pairOf(doc, root, "history")?.value), "connection")?.value);
  if (history) outline.history = history;
  const steps = asSeq(doc, pairOf(doc, root, "steps")?.value);
  steps?.items.forEach((item, index) => {
    const map = asMap(doc, item);
    if (map) outline.steps.push(stepOf(map, index));
  });
  return outline;
}
