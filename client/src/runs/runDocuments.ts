/**
 * Read-only Markdown documents for a run's summary and a step's details (scheme `agent-etl-run`),
 * shown in the Markdown preview. Their text is made when they are opened (runs/summary.ts escapes
 * every value from the records).
 */
import * as vscode from "vscode";

export const RUN_SCHEME = "agent-etl-run";

export class RunDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "This run is no longer listed: open it again from the Agent ETL Runs view.\n";
  }

  /** Shows `markdown` as the document `name` (a path such as `orders/run-1.md`) in the Markdown preview. */
  async show(name: string, markdown: string): Promise<vscode.Uri> {
    const uri = vscode.Uri.from({ scheme: RUN_SCHEME, path: `/${name}` });
    this.texts.set(uri.toString(), markdown);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand("markdown.showPreview", uri);
    } catch {
      // No Markdown preview (the built-in extension disabled): the text reads well as it is.
      await vscode.window.showTextDocument(uri, { preview: true });
    }
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
