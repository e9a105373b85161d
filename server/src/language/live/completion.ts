/**
 * Live completion: column names where a column is expected (also inside filter/derive
 * expressions), `table` from the connection's catalog, and s3 `key` / file `path` one folder at a
 * time. Answers from the cache within a short wait; stale items say so, an empty cache gives what
 * there is (marked incomplete, so the editor asks again).
 */
import { CompletionItemKind, type CompletionItem, type CompletionList } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { columnsAt, upstreamOf, type Column } from "../../pipeline/columns";
import { stepAt } from "../../pipeline/columns";
import type { Span } from "../../pipeline/problem";
import type { AnalysisRequest, CacheAnswer, FolderListing, Catalog, TableInfo } from "../../sources/analysis/types";
import type { Analysis } from "../analysis";
import { cursorContext, type CursorContext } from "../cursor";
import { toRange } from "../ranges";
import type { LiveCache } from "./cacheApi";
import type { LiveConnection } from "./connections";
import { slotAt, type Slot } from "./slots";
import type { LiveView } from "./view";

/** Longest a completion waits on the network before answering from what the cache has. */
export const COMPLETION_WAIT_MS = 60;
const STALE = " · cached, refreshing";

export interface LiveCompletionInput {
  document: TextDocument;
  lines: readonly string[];
  offset: number;
  analysis: Analysis;
  cache: LiveCache;
  connections: () => Map<string, LiveConnection>;
  view: () => Promise<LiveView>;
}

const PLAIN_YAML = /^[A-Za-z0-9_$/][\w$./-]*$/;

function yamlText(text: string): string {
  return PLAIN_YAML.test(text) && !/^(true|false|null|yes|no|on|off|~)$/i.test(text) ? text : `'${text.replace(/'/g, "''")}'`;
}

function jsonataName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, "")}\``;
}

/** The identifier-ish word before and after the cursor inside an expression. */
function expressionSpan(line: string, character: number, lineStart: number): Span {
  let s = character;
  while (s > 0 && /[A-Za-z0-9_`]/.test(line[s - 1] ?? "")) s--;
  let e = character;
  while (e < line.length && /[A-Za-z0-9_`]/.test(line[e] ?? "")) e++;
  return { start: lineStart + s, end: lineStart + e };
}

/** The whole scalar value around the cursor (a key or path holds `/`, which words do not). */
function valueSpan(line: string, character: number, lineStart: number, flow: boolean): { span: Span; typed: string } {
  const stops = flow ? /[\s,{}[\]:]/ : /[\s:]/;
  let s = character;
  while (s > 0 && !stops.test(line[s - 1] ?? "")) s--;
  let e = character;
  while (e < line.length && !(flow ? /[\s,{}[\]]/ : /\s/).test(line[e] ?? "")) e++;
  const raw = line.slice(s, character);
  return { span: { start: lineStart + s, end: lineStart + e }, typed: raw.replace(/^["']/, "") };
}

function columnItems(input: LiveCompletionInput, ctx: CursorContext, view: LiveView, slot: Slot): CompletionList {
  const at = columnsAt(input.analysis.outline, view.propagation, input.offset, upstreamOf);
  if (!at || at.columns === "unknown") return { isIncomplete: view.loading, items: [] };
  const pos = input.document.positionAt(input.offset);
  const line = input.lines[pos.line] ?? "";
  const lineStart = input.offset - pos.character;
  const expression = slot.kind === "expression";
  if (expression && /\$\w*$/.test(ctx.linePrefix)) return { isIncomplete: false, items: [] };
  const span = expression ? expressionSpan(line, pos.character, lineStart) : ctx.replace;
  const stale = view.stale.size > 0;
  const items = at.columns.map((c: Column, i): CompletionItem => {
    const text = expression ? jsonataName(c.name) : yamlText(c.name);
    return {
      label: c.name,
      kind: CompletionItemKind.Field,
      detail: `${c.type ?? "unknown type"} · from \`${at.from}\`${stale ? STALE : ""}`,
      sortText: String(i).padStart(4, "0"),
      filterText: text,
      textEdit: { range: toRange(input.document, span), newText: text },
    };
  });
  return { isIncomplete: false, items };
}

async function lookup(input: LiveCompletionInput, connection: LiveConnection | undefined, request: AnalysisRequest): Promise<CacheAnswer | undefined> {
  if (!connection?.ctx) return undefined;
  return input.cache.lookup(connection.ctx, request, { waitMs: COMPLETION_WAIT_MS }).catch(() => undefined);
}

function tableLabel(t: TableInfo): string {
  const part = (s: string) => (/^[^".\s]+$/.test(s) && s.trim() === s ? s : `"${s.replace(/"/g, '""')}"`);
  return `${part(t.schema)}.${part(t.name)}`;
}

async function tableItems(input: LiveCompletionInput, ctx: CursorContext, connection: LiveConnection | undefined): Promise<CompletionList> {
  const answer = await lookup(input, connection, { kind: "catalog" });
  if (!answer || !("value" in answer) || !answer.value) return { isIncomplete: answer?.state === "loading", items: [] };
  const catalog = answer.value as Catalog;
  const pos = input.document.positionAt(input.offset);
  const { span } = valueSpan(input.lines[pos.line] ?? "", pos.character, input.offset - pos.character, ctx.flow);
  const note = answer.state === "fresh" ? "" : STALE;
  const items = catalog.tables.map((t): CompletionItem => {
    const label = tableLabel(t);
    const text = yamlText(label);
    return {
      label,
      kind: t.kind === "table" || t.kind === "partitioned_table" ? CompletionItemKind.Class : CompletionItemKind.Interface,
      detail: `${t.kind.replace("_", " ")} · ${t.columns.length} columns${t.rowEstimate !== null && t.rowEstimate >= 0 ? ` · ~${t.rowEstimate} rows` : ""}${note}`,
      sortText: `${t.schema === catalog.defaultSchema ? "0" : "1"}${label}`,
      filterText: text,
      textEdit: { range: toRange(input.document, span), newText: text },
    };
  });
  return { isIncomplete: false, items };
}

const under = (folder: string, entry: string) => (entry.startsWith(folder) ? entry : folder + entry);

async function keyItems(input: LiveCompletionInput, ctx: CursorContext, connection: LiveConnection | undefined): Promise<CompletionList> {
  const pos = input.document.positionAt(input.offset);
  const { span, typed } = valueSpan(input.lines[pos.line] ?? "", pos.character, input.offset - pos.character, ctx.flow);
  const folder = typed.slice(0, typed.lastIndexOf("/") + 1);
  const answer = await lookup(input, connection, { kind: "folder", prefix: folder });
  if (!answer || !("value" in answer) || !answer.value) return { isIncomplete: answer?.state === "loading", items: [] };
  const listing = answer.value as FolderListing;
  const note = answer.state === "fresh" ? "" : STALE;
  const range = toRange(input.document, span);
  const items: CompletionItem[] = [
    ...listing.folders.map((f): CompletionItem => {
      const key = under(folder, f);
      return { label: key, kind: CompletionItemKind.Folder, detail: `folder${note}`, sortText: `0${key}`, filterText: key, textEdit: { range, newText: yamlText(key) }, command: { title: "Open folder", command: "editor.action.triggerSuggest" } };
    }),
    ...listing.files.map((f): CompletionItem => {
      const key = under(folder, f.key);
      return { label: key, kind: CompletionItemKind.File, detail: `${f.size} bytes${note}`, sortText: `1${key}`, filterText: key, textEdit: { range, newText: yamlText(key) } };
    }),
  ];
  return { isIncomplete: listing.truncated, items };
}

/** Live completion at the cursor, or undefined when the cursor is not at a live slot. */
export async function liveComplete(input: LiveCompletionInput): Promise<CompletionList | undefined> {
  const pos = input.document.positionAt(input.offset);
  const ctx = cursorContext(input.lines, pos.line, pos.character, input.offset - pos.character);
  if (ctx.path[0] !== "steps") return undefined;
  const step = stepAt(input.analysis.outline, input.offset);
  const connectionName = step?.connection?.name;
  const connectionType = connectionName ? input.analysis.outline.connections.get(connectionName)?.type : undefined;
  const slot = slotAt(ctx, connectionType);
  if (!slot) return undefined;
  if (slot.kind === "table" || slot.kind === "key") {
    const connection = connectionName ? input.connections().get(connectionName) : undefined;
    return slot.kind === "table" ? tableItems(input, ctx, connection) : keyItems(input, ctx, connection);
  }
  return columnItems(input, ctx, await input.view(), slot);
}
