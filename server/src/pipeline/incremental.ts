/**
 * Incremental validation for the language server. The text is split into sections and step items
 * (chunks.ts); each piece is parsed on its own and cached by its text, so an edit reparses only
 * the piece it touched. The cached nodes are moved to their new offsets and assembled into one
 * document, which then goes through the same schema check and rules as `validatePipeline`
 * (`checkParsed`). Whenever the pieces could disagree with a whole parse (a piece has a YAML error,
 * anchors or aliases, an unusual layout) it parses the whole text instead, so the problems are
 * always exactly those of `validatePipeline`.
 */
import { Document, isAlias, isMap, isPair, isScalar, isSeq, Pair, parseDocument, YAMLMap, YAMLSeq, type Node } from "yaml";
import { splitChunks, type TextChunk } from "./chunks";
import { keyName } from "./nodes";
import { MAX_ALIAS_COUNT } from "./parse";
import type { RuleContext } from "./rules";
import { checkParsed, validatePipeline, type ValidationResult } from "./validate";

interface ParsedPiece {
  text: string;
  /** Offset the node's ranges are currently relative to (0 after parsing). */
  offset: number;
  /** The section's pair (for sections) or the step item's node (for steps). */
  pair?: Pair;
  item?: Node | null;
  data: unknown;
}

type PieceCache = Map<string, ParsedPiece[]>;

const OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false, strict: true } as const;

/** Adds `delta` to every range in a node tree (iterative, so deep trees are fine). */
function shift(node: unknown, delta: number): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isPair(n)) {
      stack.push(n.key, n.value);
      continue;
    }
    if (!isScalar(n) && !isMap(n) && !isSeq(n)) continue;
    const r = n.range;
    if (r) n.range = [r[0] + delta, r[1] + delta, r[2] + delta];
    if (!isScalar(n)) for (const item of n.items) stack.push(item);
  }
}

/** True when the tree uses anchors, aliases or merge keys, which may reach across pieces. */
function crossesPieces(node: unknown): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) return true;
    if (isPair(n)) {
      if (keyName(n) === "<<") return true;
      stack.push(n.key, n.value);
      continue;
    }
    if (!isScalar(n) && !isMap(n) && !isSeq(n)) continue;
    if (n.anchor) return true;
    if (!isScalar(n)) for (const item of n.items) stack.push(item);
  }
  return false;
}

function parsePiece(text: string, kind: "section" | "step"): ParsedPiece | undefined {
  const doc = parseDocument(text, OPTIONS);
  if (doc.errors.length > 0 || crossesPieces(doc.contents)) return undefined;
  const contents = doc.contents;
  if (kind === "section") {
    if (!isMap(contents) || contents.items.length !== 1) return undefined;
    const pair = contents.items[0];
    if (!isPair(pair)) return undefined;
    const data = (doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>)[keyName(pair) ?? ""];
    return { text, offset: 0, pair, data };
  }
  if (!isSeq(contents) || contents.items.length !== 1) return undefined;
  const data = (doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown[])[0];
  return { text, offset: 0, item: (contents.items[0] as Node | null | undefined) ?? null, data };
}

/** Keeps the pieces of the last version of one document; one instance per open document. */
export class IncrementalValidator {
  private cache: PieceCache = new Map();
  /** How the last update was computed: for tests and benchmarks. */
  lastMode: "pieces" | "whole" = "whole";
  /** Pieces reparsed by the last update. */
  lastReparsed = 0;

  /** Validates `text`; the problems equal `validatePipeline(text, context).problems`. */
  update(text: string, context: RuleContext = {}): Omit<ValidationResult, "pipeline"> {
    const assembled = this.assemble(text);
    if (!assembled) {
      this.cache = new Map();
      this.lastMode = "whole";
      const { problems, outline, dag } = validatePipeline(text, context);
      return { problems, outline, dag };
    }
    this.lastMode = "pieces";
    return checkParsed(assembled.doc, assembled.data, text, context);
  }

  private assemble(text: string): { doc: Document; data: Record<string, unknown> } | undefined {
    const layout = splitChunks(text);
    if (!layout) return undefined;
    const next: PieceCache = new Map();
    this.lastReparsed = 0;
    const take = (chunk: TextChunk, kind: "section" | "step"): ParsedPiece | undefined => {
      const source = text.slice(chunk.start, chunk.end);
      const key = kind === "step" ? source : `\u0000${source}`;
      const piece = this.cache.get(key)?.pop() ?? (this.lastReparsed++, parsePiece(source, kind));
      if (!piece) return undefined;
      if (piece.offset !== chunk.start) {
        shift(piece.pair ?? piece.item, chunk.start - piece.offset);
        piece.offset = chunk.start;
      }
      const list = next.get(key);
      if (list) list.push(piece);
      else next.set(key, [piece]);
      return piece;
    };
    const root = new YAMLMap();
    const data: Record<string, unknown> = {};
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
      for (const chunk of section.items) {
        const piece = take(chunk, "step");
        if (!piece) return undefined;
        seq.items.push(piece.item);
        stepsData.push(piece.data);
      }
      const first = section.items[0] as TextChunk;
      const last = section.items[section.items.length - 1] as TextChunk;
      let dash = first.start;
      while (text.charCodeAt(dash) === 32) dash++;
      seq.range = [dash, last.end, last.end];
      data[section.key] = stepsData;
      root.items.push(new Pair(pair.key, seq));
    }
    const firstKey = layout.sections[0]?.start ?? 0;
    root.range = [firstKey, text.length, text.length];
    this.cache = next;
    const doc = new Document();
    doc.contents = root;
    return { doc, data };
  }
}
