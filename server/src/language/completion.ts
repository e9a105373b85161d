/**
 * Completion from the text at the cursor (cursor.ts) and the schema (schemaNav.ts), with names from
 * the latest analysis: keys, enum values, step ids, connection names, `${env:` names and templates.
 */
import { CompletionItemKind, InsertTextFormat, InsertTextMode, type CompletionItem, type CompletionList } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { downstreamClosure } from "../dag/graph";
import { STEP_KINDS } from "../pipeline/model";
import type { Span } from "../pipeline/problem";
import type { ConnectorDescriptor } from "../sources/descriptor";
import { CONNECTORS, descriptorFor } from "../sources/registry";
import type { Analysis } from "./analysis";
import { cursorContext, lineInfo, siblingKeys, type CursorContext } from "./cursor";
import { toRange } from "./ranges";
import { keysAt, schemasAt, shapeOf, valuesAt, type KeyInfo } from "./schemaNav";
import { snippetItems } from "./completionSnippets";
import { templateItems } from "./completionTemplates";

export interface CompletionInput {
  document: TextDocument;
  lines: readonly string[];
  offset: number;
  /** The latest analysis (possibly of a slightly older version): for step ids and connections. */
  analysis?: Analysis;
  envNames: ReadonlySet<string>;
}

/** The keys an extract or a load from a connection of this type may have (none: it cannot be loaded into). */
const stepKeys = (d: ConnectorDescriptor, kind: "extract" | "load"): readonly string[] => (kind === "extract" ? d.extract.keys : (d.load?.keys ?? []));

function item(input: CompletionInput, span: Span, label: string, kind: CompletionItemKind, extra: Partial<CompletionItem> = {}): CompletionItem {
  return { label, kind, textEdit: { range: toRange(input.document, span), newText: extra.insertText ?? label }, ...extra };
}

function keySnippet(key: KeyInfo, ctx: CursorContext, path: readonly string[]): string {
  if (ctx.flow) return `${key.name}: $0`;
  const choices = valuesAt([...path, key.name]).filter((v) => v !== "true" && v !== "false");
  if (choices.length > 0) return `${key.name}: \${1|${choices.map((c) => c.replace(/[,|\\$}]/g, "\\$&")).join(",")}|}`;
  const pad = " ".repeat(ctx.keyCol + 2);
  switch (shapeOf(key.schema)) {
    case "object":
      return `${key.name}:\n${pad}$0`;
    case "objectList":
      return `${key.name}:\n${pad}- $0`;
    case "list":
      return `${key.name}: [$0]`;
    default:
      return `${key.name}: $0`;
  }
}

/** The connection type of the step or map around the cursor, when its `connection` is known. */
function connectionTypeOf(input: CompletionInput, siblings: Map<string, string>): string | undefined {
  const name = siblings.get("connection");
  return name ? input.analysis?.outline.connections.get(name)?.type : undefined;
}

const isKind = (name: string): boolean => (STEP_KINDS as readonly string[]).includes(name);

function keyItems(input: CompletionInput, ctx: CursorContext): CompletionItem[] {
  const siblings = ctx.flowSiblings ?? siblingKeys(input.lines, ctx.lineNo, ctx.keyCol, ctx.inList);
  const typeHint = siblings.get("type");
  let keys = keysAt(ctx.path, typeHint);
  const kind = ctx.path[2];
  const descriptor = descriptorFor(connectionTypeOf(input, siblings));
  if (ctx.path.length === 3 && (kind === "extract" || kind === "load") && descriptor) {
    const allowed = new Set(["connection", ...stepKeys(descriptor, kind)]);
    keys = keys.filter((k) => allowed.has(k.name));
  }
  const atStep = ctx.path.length === 2 && ctx.path[0] === "steps";
  if (atStep && STEP_KINDS.some((k) => siblings.has(k))) keys = keys.filter((k) => !isKind(k.name));
  return keys
    .filter((k) => !siblings.has(k.name))
    .map((k, i) =>
      item(input, ctx.replace, k.name, CompletionItemKind.Property, {
        // What a step does is the key a user looks for first; the schema's order follows.
        sortText: `${atStep && isKind(k.name) ? 0 : 1}${String(i).padStart(3, "0")}`,
        insertText: keySnippet(k, ctx, ctx.path),
        insertTextFormat: InsertTextFormat.Snippet,
        insertTextMode: InsertTextMode.asIs,
        ...(k.description ? { documentation: { kind: "markdown", value: k.description } } : {}),
      }),
    );
}

/** The id of the step holding the cursor, read from the text. */
function selfId(input: CompletionInput, ctx: CursorContext): string | undefined {
  if (ctx.stepLine === undefined) return undefined;
  const info = lineInfo(input.lines[ctx.stepLine] ?? "");
  if (info.key === "id") return info.value?.replace(/^["']|["']$/g, "").replace(/\s+#.*$/, "");
  return siblingKeys(input.lines, ctx.stepLine, info.keyCol, true).get("id")?.replace(/^["']|["']$/g, "");
}

function stepItems(input: CompletionInput, ctx: CursorContext): CompletionItem[] {
  const analysis = input.analysis;
  if (!analysis) return [];
  const self = selfId(input, ctx);
  const excluded = self !== undefined && analysis.dag.downstream.has(self) ? downstreamClosure(analysis.dag, self) : new Set(self === undefined ? [] : [self]);
  const candidates = capped(analysis.dag.nodes.filter((n) => !excluded.has(n.id)), ctx.prefix, (n) => n.id);
  return candidates.map((n) => item(input, ctx.replace, n.id, CompletionItemKind.Reference, { detail: [n.kind, n.connection].filter(Boolean).join(" · ") || "step", ...(n.description ? { documentation: n.description } : {}) }));
}

/** Most names offered at once; past it, names are filtered by the typed prefix and the list is marked incomplete. */
const MAX_NAMES = 200;
let truncated = false;

function capped<T>(all: T[], prefix: string, name: (t: T) => string): T[] {
  if (all.length <= MAX_NAMES) return all;
  const lower = prefix.toLowerCase();
  const matching = lower === "" ? all : all.filter((t) => name(t).toLowerCase().startsWith(lower));
  truncated = true;
  return matching.slice(0, MAX_NAMES);
}

/** Connection types that fit the step or `staging` the cursor is in. */
function fittingTypes(input: CompletionInput, ctx: CursorContext): Set<string> {
  const types = (has: (d: ConnectorDescriptor) => unknown) => new Set(CONNECTORS.filter(has).map((d) => d.type));
  if (ctx.path[0] === "staging") return types((d) => d.staging);
  const kind = ctx.path[2] === "load" ? "load" : ctx.path[2] === "sql" ? "sql" : "extract";
  if (kind === "sql") return types((d) => d.sql);
  const col = lineInfo(input.lines[ctx.lineNo] ?? "").keyCol;
  const used = [...(ctx.flowSiblings ?? siblingKeys(input.lines, ctx.lineNo, col)).keys()].filter((k) => k !== "connection");
  const all = new Set(CONNECTORS.flatMap((d) => stepKeys(d, kind)));
  return types((d) => (kind === "extract" || d.load) && used.every((k) => !all.has(k) || stepKeys(d, kind).includes(k)));
}

function connectionItems(input: CompletionInput, ctx: CursorContext): CompletionItem[] {
  const fit = fittingTypes(input, ctx);
  return [...(input.analysis?.outline.connections.values() ?? [])]
    .filter((c) => c.type === undefined || fit.has(c.type))
    .map((c) => item(input, ctx.replace, c.name, CompletionItemKind.Reference, { detail: c.type ?? "connection" }));
}

function valueItems(input: CompletionInput, ctx: CursorContext): CompletionItem[] {
  const key = ctx.path[ctx.path.length - 1];
  const inJoin = ctx.path[ctx.path.length - 2] === "join";
  if (key === "depends_on" || key === "input" || (key === "with" && inJoin)) return stepItems(input, ctx);
  if (key === "connection") return connectionItems(input, ctx);
  const siblings = ctx.flowSiblings ?? siblingKeys(input.lines, ctx.lineNo, lineInfo(input.lines[ctx.lineNo] ?? "").keyCol);
  const values = valuesAt(ctx.inList ? [...ctx.path, "[]"] : ctx.path, siblings.get("type"));
  return values.map((v, i) => item(input, ctx.replace, v, CompletionItemKind.EnumMember, { sortText: String(i).padStart(3, "0") }));
}

/** The snippets that fit a key position (completionSnippets.ts decides which). */
function snippetsAt(input: CompletionInput, ctx: CursorContext): CompletionItem[] {
  const itemIsEmpty = ctx.inList && (ctx.flowSiblings ?? siblingKeys(input.lines, ctx.lineNo, ctx.keyCol, true)).size === 0;
  const fileIsEmpty = input.lines.every((l, n) => n === ctx.lineNo || lineInfo(l).blank);
  return snippetItems(ctx, itemIsEmpty, fileIsEmpty, toRange(input.document, ctx.replace));
}

/** A `- ` item in a list of scalars is a value, not a key. */
function normalize(ctx: CursorContext): CursorContext {
  if (ctx.position !== "key" || ctx.path[ctx.path.length - 1] !== "[]") return ctx;
  const itemsAreMaps = schemasAt(ctx.path).some((s) => s.type === "object");
  return itemsAreMaps ? ctx : { ...ctx, path: ctx.path.slice(0, -1), position: "value", inList: true };
}

/** Completion at the cursor; `isIncomplete` when a long list of names was cut to the typed prefix. */
export function complete(input: CompletionInput): CompletionList {
  truncated = false;
  const pos = input.document.positionAt(input.offset);
  const lineStart = input.offset - pos.character;
  const special = templateItems(input, pos.line, pos.character, lineStart);
  if (special) return { isIncomplete: false, items: special };
  const ctx = normalize(cursorContext(input.lines, pos.line, pos.character, lineStart));
  const items = ctx.position === "key" ? [...keyItems(input, ctx), ...snippetsAt(input, ctx)] : valueItems(input, ctx);
  return { isIncomplete: truncated, items };
}
