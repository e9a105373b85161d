/**
 * Piecewise validation for the language server (re-validation after an edit; "incremental" names
 * high-water-mark loads only). The text is split into sections and step items
 * (chunks.ts); each piece is parsed on its own and cached by its text, so an edit reparses only
 * the piece it touched. The cached nodes are moved to their new offsets and assembled into one
 * document, which then goes through the same schema check and rules as `validatePipeline`
 * (`checkParsed`). Whenever the pieces could disagree with a whole parse (a piece has a YAML error,
 * anchors or aliases, an unusual layout) it parses the whole text instead, so the problems are
 * always exactly those of `validatePipeline`.
 */
import { Document, Pair, parseDocument, YAMLMap, YAMLSeq, type Node } from "yaml";
import { outlineOfStep, type StepOutline } from "./outline";
import type { Problem, Span } from "./problem";
import { checkStep } from "./schemaCheck";
import { DagCache } from "./piecewise/dagCache";
import { movedProblem } from "./piecewise/moves";
import { PieceRuleCache } from "./piecewise/ruleCache";
import { isMergeKey } from "./aliases";
import { tooDeepAt } from "./nesting";
import { parseBlockYaml } from "./fastYaml/blockYaml";
import { hasLoneCr, splitChunks, type TextChunk } from "./chunks";
import { isAlias, isMap, isPair, isScalar, isSeq, keyName } from "./nodes";
import { CONTROL_CHAR, MAX_ALIAS_COUNT } from "./parse";
import type { RuleContext } from "./rules";
import { checkParsed, validatePipeline, type ValidationResult } from "./validate";

interface ParsedPiece {
  kind: "section" | "step";
  length: number;
  /** The indentation of the line after the piece (0 at the end): a collection ending in comments ends at that line's content. */
  follow: number;
  /** For a step: the end of the piece's one-item list (`range[1]`, `range[2]`) from `offset`; comments at the list's indent after the item end there. */
  listEnd?: [number, number];
  /** Offset the node's ranges are currently relative to (0 after parsing). */
  offset: number;
  /** The section's pair (for sections) or the step item's node (for steps). */
  pair?: Pair;
  item?: Node | null;
  data: unknown;
  /** Every node range in the piece, to move them all with one loop (collected on the first move). */
  ranges?: [number, number, number][];
  /** The step's outline, kept while the step's text is unchanged; its spans (all distinct objects), moved in place. */
  outline?: { step: StepOutline; spans?: Span[] };
  /** The step's schema problems, for the index and at the offset they were computed for. */
  schema?: { index: number; offset: number; problems: Problem[] };
  /** The step's problems from each rule's per-step check (by rule position), for the rule's shared facts (`PieceRuleCache`) and at the offset they were computed for. */
  rules: ({ generation: number; offset: number; problems: Problem[] } | undefined)[];
}

const OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false, strict: true } as const;

interface RangedNode {
  range?: [number, number, number] | null;
  items?: unknown[];
  key?: unknown;
  value?: unknown;
}

/** Every range in a node tree (duck-typed and iterative: it runs over each piece parsed). */
function rangesOf(node: unknown): [number, number, number][] {
  const out: [number, number, number][] = [];
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as RangedNode | null | undefined;
    if (!n || typeof n !== "object") continue;
    if (n.range) out.push(n.range);
    if (n.items) for (const item of n.items) stack.push(item);
    else if (!n.range && "key" in n) stack.push(n.key, n.value);
  }
  return out;
}

/** Moves a piece's nodes by `delta` characters, in place. */
function shift(ranges: [number, number, number][], delta: number): void {
  for (const r of ranges) {
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
}

/** The spans of a step outline (each a distinct object), to move them in place. */
function outlineSpans(o: StepOutline): Span[] {
  const spans = new Set<Span>([o.span]);
  if (o.id) spans.add(o.id.span);
  for (const k of o.kinds) spans.add(k.keySpan);
  for (const r of o.dependsOn) spans.add(r.span);
  if (o.dependsOnKey) spans.add(o.dependsOnKey);
  if (o.input) spans.add(o.input.span);
  for (const r of o.joins) spans.add(r.span);
  if (o.connection) spans.add(o.connection.span);
  for (const e of o.expressions) spans.add(e.span);
  if (o.checks) spans.add(o.checks.keySpan);
  return [...spans];
}

/** Moves a step outline by `d` characters, in place (problems never share its spans: `problem()` copies them). */
function moveStep(outline: { step: StepOutline; spans?: Span[] }, d: number): void {
  // Collected on the first move: most steps of a file just opened never move.
  outline.spans ??= outlineSpans(outline.step);
  for (const span of outline.spans) {
    span.start += d;
    span.end += d;
  }
  for (const e of outline.step.expressions) e.contentStart += d;
}

/** True when the tree uses anchors, aliases or merge keys, which may reach across pieces. */
function crossesPieces(node: unknown): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) return true;
    if (isPair(n)) {
      if (isMergeKey(n.key) || keyName(n) === "<<") return true;
      stack.push(n.key, n.value);
      continue;
    }
    if (!isScalar(n) && !isMap(n) && !isSeq(n)) continue;
    if (n.anchor) return true;
    if (!isScalar(n)) for (const item of n.items) stack.push(item);
  }
  return false;
}

/** The indentation of the line starting at `pos` (a piece's end: a line with content, or the end). */
function indentAt(text: string, pos: number): number {
  let i = pos;
  while (text.charCodeAt(i) === 32) i++;
  return i - pos;
}

/**
 * A piece's root node and plain data, and the offset its ranges are at: parsed in place by the fast
 * block-YAML path when the text allows (ranges at `start`), else sliced and parsed by `yaml` (at 0).
 * Either way, ranges that end in comments after the piece's content end where the whole text's do:
 * at the next line's content, past its indentation (the slice for `yaml` gets that indentation).
 */
function parsePieceText(text: string, start: number, end: number): { contents: unknown; data: unknown; offset: number } | undefined {
  const fast = parseBlockYaml(text, start, end);
  if (fast) return { ...fast, offset: start };
  // Too deep for `yaml` at any stack depth: the whole-text parse says so (nesting.ts).
  if (tooDeepAt(text, start, end) >= 0) return undefined;
  const doc = parseDocument(text.slice(start, end) + " ".repeat(indentAt(text, end)), OPTIONS);
  if (doc.errors.length > 0 || crossesPieces(doc.contents)) return undefined;
  return { contents: doc.contents, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), offset: 0 };
}

function parsePiece(text: string, chunk: TextChunk, kind: "section" | "step"): ParsedPiece | undefined {
  const parsed = parsePieceText(text, chunk.start, chunk.end);
  if (!parsed) return undefined;
  const { contents, offset } = parsed;
  const length = chunk.end - chunk.start;
  const follow = indentAt(text, chunk.end);
  if (kind === "section") {
    if (!isMap(contents) || contents.items.length !== 1) return undefined;
    const pair = contents.items[0];
    if (!isPair(pair)) return undefined;
    const data = (parsed.data as Record<string, unknown>)[keyName(pair) ?? ""];
    return { kind, length, follow, offset, pair, data, rules: [] };
  }
  if (!isSeq(contents) || contents.items.length !== 1) return undefined;
  const data = (parsed.data as unknown[])[0];
  const item = (contents.items[0] as Node | null | undefined) ?? null;
  const range = contents.range ?? [0, length, length];
  return { kind, length, follow, offset, item, data, rules: [], listEnd: [range[1] - offset, range[2] - offset] };
}

/** Length of the common prefix and common suffix of two texts (not overlapping). */
function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  const n = Math.min(a.length, b.length);
  const BLOCK = 2048; // whole blocks are compared natively, then characters one by one
  let prefix = 0;
  while (prefix + BLOCK <= n && a.substring(prefix, prefix + BLOCK) === b.substring(prefix, prefix + BLOCK)) prefix += BLOCK;
  while (prefix < n && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix + BLOCK <= n - prefix && a.substring(a.length - suffix - BLOCK, a.length - suffix) === b.substring(b.length - suffix - BLOCK, b.length - suffix)) suffix += BLOCK;
  while (suffix < n - prefix && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  return { prefix, suffix };
}

/** What the graph takes from a step; equal facts give equal nodes and edges (at other offsets). */
function sameFacts(a: StepOutline | undefined, b: StepOutline | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.id?.name !== b.id?.name || a.kinds[0]?.kind !== b.kinds[0]?.kind || a.connection?.name !== b.connection?.name || a.description !== b.description) return false;
  if (a.dependsOn.length !== b.dependsOn.length) return false;
  return a.dependsOn.every((d, i) => d.name === b.dependsOn[i]?.name);
}

/**
 * True when the step pieces `after` give the same graph as `before`: same count, and the pieces that
 * differ (those between the common head and tail) have the same graph facts, position by position.
 * Call it after the outlines of `after` were built (it reads `piece.outline`).
 */
function sameGraph(before: ParsedPiece[] | undefined, after: ParsedPiece[]): boolean {
  if (!before || before.length !== after.length) return false;
  let i = 0;
  while (i < after.length && before[i] === after[i]) i++;
  let j = after.length - 1;
  while (j >= i && before[j] === after[j]) j--;
  for (let k = i; k <= j; k++) if (!sameFacts(before[k]?.outline?.step, after[k]?.outline?.step)) return false;
  return true;
}

/** Keeps the pieces of the last version of one document; one instance per open document. */
export class PiecewiseValidator {
  private previous: { text: string; pieces: Map<number, ParsedPiece> } | undefined;
  private readonly pieceOf = new WeakMap<object, ParsedPiece>();
  private readonly dags = new DagCache();
  private readonly ruleCache = new PieceRuleCache();
  /** The step pieces of the last version validated piecewise, in order. */
  private lastSteps: ParsedPiece[] | undefined;
  /** How the last update was computed: for tests and benchmarks. */
  lastMode: "pieces" | "whole" = "whole";
  /** Pieces reparsed by the last update. */
  lastReparsed = 0;

  /** Validates `text`; the problems equal `validatePipeline(text, context).problems`. */
  update(text: string, context: RuleContext = {}): Omit<ValidationResult, "pipeline"> {
    const assembled = this.assemble(text);
    if (!assembled) {
      this.previous = undefined;
      this.lastSteps = undefined;
      this.dags.forget();
      this.lastMode = "whole";
      const { problems, outline, dag } = validatePipeline(text, context);
      return { problems, outline, dag };
    }
    this.lastMode = "pieces";
    this.ruleCache.pieces = [];
    const { doc, data, steps } = assembled;
    const before = this.lastSteps;
    this.lastSteps = steps;
    return checkParsed(doc, data, text, context, {
      outline: (node, index) => this.stepOutline(doc, node, index),
      schema: (index) => this.stepSchema(steps[index], index, () => checkStep(doc, data, text, index)),
      dag: (outline) => this.dags.build(outline, sameGraph(before, steps)),
      rules: this.ruleCache,
    });
  }

  /** A step's schema problems, from its piece when the step's text and index have not changed. */
  private stepSchema(piece: ParsedPiece | undefined, index: number, compute: () => Problem[]): Problem[] {
    if (!piece) return compute();
    const known = piece.schema;
    if (known && known.problems.length === 0) {
      known.index = index;
      known.offset = piece.offset;
      return known.problems;
    }
    if (known && known.index === index) {
      const d = piece.offset - known.offset;
      // New problem objects: the previous result (still held by callers) keeps its own.
      if (d !== 0) piece.schema = { index, offset: piece.offset, problems: known.problems.map((p) => movedProblem(p, d)) };
      return (piece.schema as NonNullable<ParsedPiece["schema"]>).problems;
    }
    piece.schema = { index, offset: piece.offset, problems: compute() };
    return piece.schema.problems;
  }

  /** The outline of a step, from its piece when the step's text has not changed. */
  private stepOutline(doc: Document, node: YAMLMap, index: number): StepOutline {
    const piece = this.pieceOf.get(node);
    this.ruleCache.pieces.push(piece);
    if (!piece) return outlineOfStep(doc, node, index);
    piece.outline ??= { step: outlineOfStep(doc, node, index) };
    piece.outline.step.index = index;
    return piece.outline.step;
  }

  /** An unchanged piece of the previous version for this chunk, if the edit did not touch it. */
  private reuse(chunk: TextChunk, kind: ParsedPiece["kind"], text: string, ends: { prefix: number; suffix: number } | undefined): ParsedPiece | undefined {
    const prev = this.previous;
    if (!prev || !ends) return undefined;
    const length = chunk.end - chunk.start;
    const delta = text.length - prev.text.length;
    let oldStart: number | undefined;
    if (chunk.end <= ends.prefix) oldStart = chunk.start;
    else if (chunk.start >= text.length - ends.suffix) oldStart = chunk.start - delta;
    const piece = oldStart === undefined ? undefined : prev.pieces.get(oldStart);
    // The line after the piece counts too: it ends the ranges of comments closing the piece.
    return piece && piece.kind === kind && piece.length === length && piece.follow === indentAt(text, chunk.end) ? piece : undefined;
  }

  private assemble(text: string): { doc: Document; data: Record<string, unknown>; steps: ParsedPiece[] } | undefined {
    // A control character is a problem of the whole text (parse.ts), wherever it is (a comment, between
    // pieces); `yaml` reads a lone `\r` differently in a piece than in the whole text.
    if (CONTROL_CHAR.test(text) || hasLoneCr(text)) return undefined;
    const layout = splitChunks(text);
    if (!layout) return undefined;
    const ends = this.previous ? commonEnds(this.previous.text, text) : undefined;
    const pieces = new Map<number, ParsedPiece>();
    this.lastReparsed = 0;
    const take = (chunk: TextChunk, kind: ParsedPiece["kind"]): ParsedPiece | undefined => {
      let piece = this.reuse(chunk, kind, text, ends);
      if (!piece) {
        this.lastReparsed++;
        piece = parsePiece(text, chunk, kind);
        if (!piece) return undefined;
        if (piece.item && typeof piece.item === "object") this.pieceOf.set(piece.item, piece);
      }
      if (piece.offset !== chunk.start) {
        const d = chunk.start - piece.offset;
        piece.ranges ??= rangesOf(piece.pair ?? piece.item);
        shift(piece.ranges, d);
        if (piece.outline) moveStep(piece.outline, d);
        piece.offset = chunk.start;
      }
      pieces.set(chunk.start, piece);
      return piece;
    };
    const root = new YAMLMap();
    const data: Record<string, unknown> = {};
    let steps: ParsedPiece[] = [];
    for (const section of layout.sections) {
      const head = take(section, "section");
      if (!head?.pair) return undefined;
      const pair = head.pair;
      if (!section.items) {
        data[section.key] = head.data;
        root.items.push(pair);
        continue;
      }
      const seq = new YAMLSeq();
      const stepsData: unknown[] = [];
      const stepPieces: ParsedPiece[] = [];
      for (const chunk of section.items) {
        const piece = take(chunk, "step");
        if (!piece) return undefined;
        seq.items.push(piece.item);
        stepsData.push(piece.data);
        stepPieces.push(piece);
      }
      if (section.key === "steps") steps = stepPieces;
      const first = section.items[0] as TextChunk;
      const last = stepPieces[stepPieces.length - 1] as ParsedPiece;
      const end = last.listEnd ?? [last.length, last.length];
      let dash = first.start;
      while (text.charCodeAt(dash) === 32) dash++;
      seq.range = [dash, last.offset + end[0], last.offset + end[1]];
      data[section.key] = stepsData;
      root.items.push(new Pair(pair.key, seq));
    }
    const firstKey = layout.sections[0]?.start ?? 0;
    // As `yaml` ends a block map at column 0: where its last value ends (comments after it are the document's).
    const lastPair = root.items[root.items.length - 1];
    const lastNode = (lastPair?.value ?? lastPair?.key) as Node | null | undefined;
    const rootEnd = lastNode?.range?.[2] ?? text.length;
    root.range = [firstKey, rootEnd, rootEnd];
    this.previous = { text, pieces };
    const doc = new Document();
    doc.contents = root;
    return { doc, data, steps };
  }
}
