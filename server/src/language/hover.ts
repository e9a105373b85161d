/** Hover: schema descriptions for keys; facts about step ids and connections. Never a resolved secret. */
import type { Hover } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Analysis } from "./analysis";
import { lineInfo, parentPath, siblingKeys } from "./cursor";
import { toRange } from "./ranges";
import { refAt, type NameRef } from "./refs";
import { describe } from "./schemaNav";

function list(ids: readonly string[]): string {
  return ids.length === 0 ? "none" : ids.map((i) => `\`${i}\``).join(", ");
}

function stepHover(analysis: Analysis, ref: NameRef, lastRuns: readonly string[]): string {
  const step = analysis.outline.steps.find((s) => s.id?.name === ref.name);
  if (!step) return `**step \`${ref.name}\`** — no step has this id`;
  const kind = step.kinds.map((k) => k.kind).join(", ") || "no kind yet";
  const lines = [`**step \`${ref.name}\`** — ${kind}`];
  if (step.description) lines.push("", step.description);
  lines.push("");
  if (step.connection) lines.push(`- connection: \`${step.connection.name}\``);
  lines.push(`- upstream: ${list(analysis.dag.upstream.get(ref.name) ?? [])}`, `- downstream: ${list(analysis.dag.downstream.get(ref.name) ?? [])}`);
  if (lastRuns.length > 0) lines.push("", "Last runs:", ...lastRuns.map((l) => `- ${l}`));
  return lines.join("\n");
}

function connectionHover(analysis: Analysis, ref: NameRef): string {
  const conn = analysis.outline.connections.get(ref.name);
  if (!conn) return `**connection \`${ref.name}\`** — not defined under \`connections:\``;
  const users = analysis.outline.steps.filter((s) => s.connection?.name === ref.name && s.id).map((s) => s.id?.name ?? "");
  if (analysis.outline.staging?.name === ref.name) users.push("(staging)");
  return [`**connection \`${ref.name}\`** — ${conn.type ?? "no type"}`, "", `- used by: ${list(users)}`].join("\n");
}

function keyHover(document: TextDocument, lines: readonly string[], offset: number): Hover | null {
  const pos = document.positionAt(offset);
  const line = lines[pos.line] ?? "";
  const info = lineInfo(line);
  if (info.key === undefined || pos.character < info.keyCol || pos.character > info.keyCol + info.key.length) return null;
  const path = [...parentPath(lines, pos.line, info.dashCols[0] ?? info.keyCol, info.dashCols.length > 0), ...info.dashCols.map(() => "[]"), info.key];
  const type = siblingKeys(lines, pos.line, info.keyCol, info.dashCols.length > 0).get("type");
  const text = describe(path, type);
  if (!text) return null;
  const start = document.offsetAt({ line: pos.line, character: info.keyCol });
  return { contents: { kind: "markdown", value: `**${info.key}** — ${text}` }, range: toRange(document, { start, end: start + info.key.length }) };
}

/** `lines`: the document's lines (the server caches them per version); `lastRuns`: of the step hovered, from the run history. */
export function hover(document: TextDocument, lines: readonly string[], analysis: Analysis, offset: number, lastRuns: readonly string[] = []): Hover | null {
  const ref = refAt(analysis.outline, offset);
  if (ref) {
    const value = ref.kind === "step" ? stepHover(analysis, ref, lastRuns) : connectionHover(analysis, ref);
    return { contents: { kind: "markdown", value }, range: toRange(document, ref.span) };
  }
  return keyHover(document, lines, offset);
}
