/**
 * Code lenses: one `Preview DAG` on the file's first key line, and `▶ Run step` + `Preview rows` on
 * each step. A lens that appears, vanishes or moves shifts the text under the user's eyes, so they
 * are kept stable: steps are found in the text (indentation alone, so a YAML error elsewhere does
 * not drop them), ids come from the outline when it has the step, and a step whose id is being
 * typed keeps the id it had in the last answer.
 */
import type { CodeLens } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { COMMANDS, type PreviewDagArgs, type PreviewRowsArgs, type RunStepArgs } from "../protocol";
import type { Analysis } from "./analysis";
import { lineInfo } from "./cursor";

/** A step item as the lenses see it: the line of its `- ` and its id, if one is known. */
interface StepAt {
  line: number;
  character: number;
  id?: string;
}

const unquote = (v: string): string => v.replace(/\s+#.*$/, "").replace(/^(["'])(.*)\1$/, "$2").trim();

/** The step items of a block-style `steps:` list, read from indentation; undefined when there is no such list. */
function stepsInText(lines: readonly string[]): StepAt[] | undefined {
  const start = lines.findIndex((l) => /^steps[ \t]*:[ \t]*(#.*)?\r?$/.test(l));
  if (start < 0) return undefined;
  const steps: StepAt[] = [];
  let dashCol: number | undefined;
  let keyCol = -1;
  for (let n = start + 1; n < lines.length; n++) {
    const info = lineInfo(lines[n] ?? "");
    if (info.blank) continue;
    const dash = info.dashCols[0];
    // Only a top-level key ends the list: a line misplaced inside it (a typo) must not drop the steps after it.
    if (info.indent === 0 && dash === undefined) break;
    if (dash !== undefined && (dashCol === undefined || dash === dashCol)) {
      dashCol = dash;
      keyCol = info.keyCol;
      steps.push({ line: n, character: dash, ...(info.key === "id" && info.value ? { id: unquote(info.value) } : {}) });
    } else if (info.keyCol === keyCol && dash === undefined && info.key === "id" && info.value) {
      const last = steps[steps.length - 1];
      if (last && last.id === undefined) last.id = unquote(info.value);
    }
  }
  return steps;
}

/** The steps with the outline's ids where the outline has a step on the same line (it reads quotes, anchors, flow style). */
function currentSteps(document: TextDocument, lines: readonly string[], analysis: Analysis | undefined): StepAt[] {
  const fromOutline = (analysis?.outline.steps ?? []).map((s) => ({ ...document.positionAt(s.span.start), ...(s.id ? { id: s.id.name } : {}) }));
  const fromText = stepsInText(lines);
  if (!fromText) return fromOutline.map(({ line, character, id }) => ({ line, character, ...(id !== undefined ? { id } : {}) }));
  const idOnLine = new Map(fromOutline.filter((s) => s.id !== undefined).map((s) => [s.line, s.id]));
  return fromText.map((s) => {
    const id = idOnLine.get(s.line) ?? s.id;
    return { line: s.line, character: s.character, ...(id !== undefined ? { id } : {}) };
  });
}

/** The line of the first top-level key (a leading comment or `---` stays above the lens). */
function topLine(lines: readonly string[]): number {
  const n = lines.findIndex((l) => lineInfo(l).indent === 0 && lineInfo(l).key !== undefined);
  return n < 0 ? 0 : n;
}

/** Ids of each document's steps in the last answer, by position in the list. */
export class CodeLensMemory {
  private readonly ids = new Map<string, (string | undefined)[]>();

  lenses(document: TextDocument, lines: readonly string[], analysis: Analysis | undefined): CodeLens[] {
    const steps = currentSteps(document, lines, analysis);
    const previous = this.ids.get(document.uri) ?? [];
    // Same number of steps: the same steps, one of them with its id mid-edit. Otherwise a step
    // without an id is new and gets its lenses once it has one.
    const ids = steps.map((s, i) => s.id || (steps.length === previous.length ? previous[i] : undefined));
    this.ids.set(document.uri, ids);
    const uri = document.uri;
    const at = (line: number, character: number) => ({ start: { line, character }, end: { line, character } });
    const dag: PreviewDagArgs = { uri };
    const lenses: CodeLens[] = [{ range: at(topLine(lines), 0), command: { title: "Preview DAG", command: COMMANDS.previewDag, arguments: [dag] } }];
    steps.forEach((s, i) => {
      const stepId = ids[i];
      if (!stepId) return;
      const args: RunStepArgs & PreviewRowsArgs = { uri, stepId };
      lenses.push({ range: at(s.line, s.character), command: { title: "▶ Run step", command: COMMANDS.runStep, arguments: [args] } });
      lenses.push({ range: at(s.line, s.character), command: { title: "Preview rows", command: COMMANDS.previewRows, arguments: [args] } });
    });
    return lenses;
  }

  close(uri: string): void {
    this.ids.delete(uri);
  }
}
