/** Completion inside `${env:` references and `{{ … }}` templates. */
import { CompletionItemKind, type CompletionItem } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { lineInfo } from "./cursor";

interface Input {
  document: TextDocument;
  lines: readonly string[];
  envNames: ReadonlySet<string>;
}

/** Names under the top-level `params:` map. */
function paramNames(lines: readonly string[]): string[] {
  const start = lines.findIndex((l) => /^params[ ]*:[ ]*(#.*)?$/.test(l.replace(/\r$/, "")));
  if (start < 0) return [];
  const names: string[] = [];
  let col: number | undefined;
  for (let n = start + 1; n < lines.length; n++) {
    const info = lineInfo(lines[n] ?? "");
    if (info.blank) continue;
    if (info.indent === 0) break;
    col ??= info.keyCol;
    if (info.keyCol === col && info.key !== undefined) names.push(info.key);
  }
  return names;
}

function edit(line: number, from: number, to: number, newText: string) {
  return { range: { start: { line, character: from }, end: { line, character: to } }, newText };
}

/** Items when the cursor is in `${env:NAME` or after `{{`; undefined otherwise. */
export function templateItems(input: Input, line: number, character: number, _lineStart: number): CompletionItem[] | undefined {
  const text = input.lines[line] ?? "";
  const before = text.slice(0, character);
  const after = text.slice(character);
  const env = /\$\{env:([A-Za-z0-9_]*)$/.exec(before);
  if (env) {
    const from = character - (env[1]?.length ?? 0);
    const close = after.startsWith("}") ? "" : "}";
    return [...input.envNames].sort().map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: "environment variable", textEdit: edit(line, from, character, name + close) }));
  }
  const tpl = /\{\{\s*([\w.]*)$/.exec(before);
  if (tpl) {
    const from = character - (tpl[1]?.length ?? 0);
    const close = /^\s*\}\}/.test(after) ? "" : " }}";
    const vars: [string, string][] = [
      ["ds", "logical date, YYYY-MM-DD"],
      ["ds_nodash", "logical date, YYYYMMDD"],
      ["ts", "logical date and time, 2024-01-31T05:00:00+00:00"],
      ["ts_nodash", "logical date and time, 20240131T050000"],
      ["run_id", "the run's id"],
      ...paramNames(input.lines).map((p): [string, string] => [`params.${p}`, "pipeline parameter"]),
    ];
    return vars.map(([name, detail]) => ({ label: name, kind: CompletionItemKind.Variable, detail, textEdit: edit(line, from, character, name + close) }));
  }
  return undefined;
}
