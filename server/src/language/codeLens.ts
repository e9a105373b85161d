/** Code lenses above each step: `▶ Run step` and `Preview DAG`, carrying the extension's command ids. */
import type { CodeLens } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { COMMANDS, type PreviewDagArgs, type RunStepArgs } from "../protocol";
import type { Analysis } from "./analysis";
import { toRange } from "./ranges";

export function codeLenses(document: TextDocument, analysis: Analysis): CodeLens[] {
  const lenses: CodeLens[] = [];
  const preview: PreviewDagArgs = { uri: document.uri };
  for (const step of analysis.outline.steps) {
    if (!step.id) continue;
    const at = toRange(document, { start: step.span.start, end: step.span.start });
    const run: RunStepArgs = { uri: document.uri, stepId: step.id.name };
    lenses.push({ range: at, command: { title: "▶ Run step", command: COMMANDS.runStep, arguments: [run] } });
    lenses.push({ range: at, command: { title: "Preview DAG", command: COMMANDS.previewDag, arguments: [preview] } });
  }
  return lenses;
}
