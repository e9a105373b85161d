/** Registers every language feature on a connection. Handlers are thin: document, analysis, core, convert. */
import { ErrorCodes, ResponseError, TextDocumentSyncKind, type Connection, type InitializeParams, type InitializeResult, type TextDocuments } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { fileURLToPath } from "node:url";
import { DagRequest, RefreshSourcesRequest, StepsRequest, type InitializationOptions } from "../protocol";
import { AnalysisStore, warmUp, type Analysis } from "./analysis";
import { codeActions } from "./codeActions";
import { CodeLensMemory } from "./codeLens";
import { complete } from "./completion";
import { dagResult, stepsResult } from "./customRequests";
import { publishable } from "./diagnostics";
import { DiagnosticsScheduler } from "./diagnosticsScheduler";
import { envNamesFor } from "./envNames";
import { CHECKING, Failures } from "./failures";
import { format } from "./formatting";
import { hover } from "./hover";
import { stepRuns } from "./stepRuns";
import { refAt } from "./refs";
import { LiveFeatures } from "./live/liveFeatures";
import { documentLinks } from "./links";
import { definition, prepareRename, references, rename } from "./navigation";
import { SettingsCache } from "./settings";
import { documentSymbols, foldingRanges } from "./symbols";

/**
 * Milliseconds between the last edit and validation. Short, because an edit costs a few ms to
 * revalidate (only the changed piece is reparsed): the debounce only has to let edits that arrive
 * together (a paste, a multi-cursor change, a client that batches) collapse into one run, and the
 * scheduler also yields a turn so an already queued change cancels the run.
 */
const DIAGNOSTICS_DELAY_MS = 5;
/** An analysis that took longer is costly: the next one waits as long, and completion reuses it. */
const COSTLY_MS = 30;
const MAX_DELAY_MS = 750;

export class LanguageServer {
  private readonly store = new AnalysisStore();
  private readonly settings: SettingsCache;
  private readonly scheduler: DiagnosticsScheduler;
  private readonly failures: Failures;
  private readonly lineCache = new Map<string, { version: number; lines: string[] }>();
  private readonly lensMemory = new CodeLensMemory();
  private workspaceRoot: string | undefined;
  private live: LiveFeatures | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
  ) {
    this.settings = new SettingsCache(connection);
    this.scheduler = new DiagnosticsScheduler((uri) => this.publish(uri), DIAGNOSTICS_DELAY_MS, (uri, err) => this.failures.record(uri, -1, "publishing diagnostics", err));
    this.failures = new Failures((message) => connection.console.error(message), (uri) => this.scheduler.schedule(uri, 0));
  }

  initialize(params: InitializeParams): InitializeResult {
    const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    this.workspaceRoot = root?.startsWith("file:") ? fileURLToPath(root) : undefined;
    this.settings.supported = params.capabilities.workspace?.configuration === true;
    const options = params.initializationOptions as InitializationOptions | undefined;
    const cacheDir = options?.cacheDir;
    const folders = (params.workspaceFolders ?? []).flatMap((f) => (f.uri.startsWith("file:") ? [fileURLToPath(f.uri)] : []));
    if (folders.length === 0 && this.workspaceRoot) folders.push(this.workspaceRoot);
    this.live = new LiveFeatures({
      ...(typeof cacheDir === "string" ? { cacheDir } : {}),
      // Secrets are resolved, and servers reached, only when the client says the user trusts the workspace.
      trusted: options?.workspaceTrusted === true,
      workspaceRoot: () => this.workspaceRoot,
      workspaceFolders: () => folders,
      settings: (uri) => this.settings.get(uri),
      republish: (uri) => this.scheduler.schedule(uri, 0),
    });
    // Load and run once what the first open runs (parser, schema, rules, cron), before it arrives.
    setImmediate(warmUp);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [":", " ", "-", "{", "[", ",", "$"] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentLinkProvider: { resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ["quickfix"] },
        documentFormattingProvider: true,
      },
      serverInfo: { name: "agent-etl" },
    };
  }

  /** Publishes a document's diagnostics; a failure of the server's own code shows as an `internal-error` diagnostic. */
  private async publish(uri: string): Promise<void> {
    const document = this.documents.get(uri);
    if (!document) return;
    const version = document.version;
    try {
      await this.publishChecked(document, version);
    } catch (err: unknown) {
      const failed = this.failures.record(uri, version, CHECKING, err);
      if (this.documents.get(uri)?.version === version) await this.connection.sendDiagnostics({ uri, version, diagnostics: publishable(document, [failed]) });
    }
  }

  private async publishChecked(document: TextDocument, version: number): Promise<void> {
    const uri = document.uri;
    const analysis = await this.analysisOf(document);
    if (this.documents.get(uri)?.version !== version) return;
    // A failure recorded for this version (e.g. in a request) is shown with the file's own problems.
    const failed = this.failures.of(uri, version);
    const problems = failed ? [...analysis.problems, failed] : analysis.problems;
    const liveDiagnostics = () => this.failures.guard(uri, version, "reading live sources", [], async () => (await this.live?.diagnostics(document, analysis)) ?? []);
    if (this.live && !this.live.known(uri)) {
      // A document's first live view resolves its connections and starts fetching its sources: its
      // own diagnostics need not wait for that; live ones (from a warm cache) follow if there are any.
      await this.connection.sendDiagnostics({ uri, version, diagnostics: publishable(document, problems) });
      const live = await liveDiagnostics();
      if (live.length > 0 && this.documents.get(uri)?.version === version) await this.connection.sendDiagnostics({ uri, version, diagnostics: publishable(document, problems, live) });
      return;
    }
    const live = await liveDiagnostics();
    if (this.documents.get(uri)?.version !== version) return;
    await this.connection.sendDiagnostics({ uri, version, diagnostics: publishable(document, problems, live) });
  }

  private async analysisOf(document: TextDocument): Promise<Analysis> {
    const settings = await this.settings.get(document.uri);
    return this.store.analyze(document, envNamesFor(document.uri, this.workspaceRoot, settings.envFile));
  }

  private lines(document: TextDocument): string[] {
    const cached = this.lineCache.get(document.uri);
    if (cached?.version === document.version) return cached.lines;
    const lines = document.getText().split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
    this.lineCache.set(document.uri, { version: document.version, lines });
    return lines;
  }

  /**
   * Runs `fn` on an open document; a closed or unknown one gives `fallback` (null for standard
   * requests), and so does a failure of `fn` (logged and shown as an `internal-error` diagnostic).
   */
  private async guarded<T>(uri: string, fallback: T, what: string, fn: (document: TextDocument) => T | Promise<T>): Promise<T> {
    const document = this.documents.get(uri);
    if (!document) return fallback;
    return this.failures.guard(uri, document.version, what, fallback, () => fn(document));
  }

  /** `guarded`, with the document's analysis. */
  private withDocument<T>(uri: string, fallback: T, fn: (document: TextDocument, analysis: Analysis) => T): Promise<T> {
    return this.guarded(uri, fallback, "answering a request", async (document) => fn(document, await this.analysisOf(document)));
  }

  private requireDocument(uri: string): TextDocument {
    const document = this.documents.get(uri);
    if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not open in the language server; open the file first.`);
    return document;
  }

  register(): void {
    const { connection, documents } = this;
    connection.onInitialize((params) => this.initialize(params));
    // TextDocuments reports an open as a change too: validate an opened version at once, later edits debounced.
    const opened = new Map<string, number>();
    documents.onDidOpen(({ document }) => {
      opened.set(document.uri, document.version);
      this.scheduler.schedule(document.uri, 0);
    });
    documents.onDidChangeContent(({ document }) => {
      if (opened.get(document.uri) !== document.version) this.scheduler.schedule(document.uri, this.delayFor(document.uri));
      opened.delete(document.uri);
    });
    documents.onDidClose(({ document }) => this.close(document.uri));
    connection.onDidChangeConfiguration(() => {
      this.settings.clear();
      this.live?.reset();
      for (const d of documents.all()) this.scheduler.schedule(d.uri);
    });
    this.registerFeatures();
    this.registerCustom();
  }

  /**
   * The debounce after an edit. A file the incremental path cannot split (e.g. a YAML error while a
   * key is half typed) is parsed whole; in a large file that is slow, so wait as long as it took,
   * which keeps completion and typing responsive instead of queueing parse after parse.
   */
  private delayFor(uri: string): number {
    const last = this.store.last(uri);
    if (!last || last.mode === "pieces" || last.costMs <= COSTLY_MS) return DIAGNOSTICS_DELAY_MS;
    return Math.min(last.costMs, MAX_DELAY_MS);
  }

  private close(uri: string): void {
    this.scheduler.cancel(uri);
    this.store.close(uri);
    this.live?.close(uri);
    this.settings.clear(uri);
    this.lineCache.delete(uri);
    this.lensMemory.close(uri);
    this.failures.clear(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private registerFeatures(): void {
    const c = this.connection;
    const at = (d: TextDocument, p: { line: number; character: number }) => d.offsetAt(p);
    c.onCompletion(({ textDocument, position }) => this.guarded(textDocument.uri, null, "completing", (d) => this.complete(d, at(d, position))));
    c.onHover(({ textDocument, position }) =>
      this.guarded(textDocument.uri, null, "hovering", async (d) => {
        const a = await this.analysisOf(d);
        const ref = refAt(a.outline, at(d, position));
        const lastRuns = ref?.kind === "step" ? await stepRuns(d.uri, a.outline.name?.name, ref.name) : [];
        const base = hover(d, this.lines(d), a, at(d, position), lastRuns);
        return this.live ? this.live.hover(base, a, at(d, position)) : base;
      }),
    );
    c.onDefinition(({ textDocument, position }) => this.withDocument(textDocument.uri, null, (d, a) => definition(d, a, at(d, position))));
    c.onReferences(({ textDocument, position, context }) => this.withDocument(textDocument.uri, null, (d, a) => references(d, a, at(d, position), context.includeDeclaration)));
    c.onPrepareRename(({ textDocument, position }) => this.withDocument(textDocument.uri, null, (d, a) => prepareRename(d, a, at(d, position))));
    c.onRenameRequest(({ textDocument, position, newName }) => this.withDocument(textDocument.uri, null, (d, a) => rename(d, a, at(d, position), newName)));
    c.onDocumentSymbol(({ textDocument }) => this.withDocument(textDocument.uri, null, (d, a) => documentSymbols(d, a)));
    c.onFoldingRanges(({ textDocument }) => this.guarded(textDocument.uri, null, "folding", (d) => foldingRanges(this.lines(d))));
    c.onDocumentLinks(({ textDocument }) => this.withDocument(textDocument.uri, null, (d, a) => documentLinks(d, a)));
    c.onCodeLens(({ textDocument }) => this.guarded(textDocument.uri, null, "placing code lenses", (d) => this.codeLenses(d)));
    c.onCodeAction(({ textDocument, context }) => this.withDocument(textDocument.uri, null, (d, a) => codeActions(d, a, context.diagnostics)));
    c.onDocumentFormatting(({ textDocument }) => this.guarded(textDocument.uri, null, "formatting", (d) => format(d)));
  }

  /**
   * Lenses neither wait for a costly analysis nor fail with one: without the analysis of this very
   * version (an older outline's lines would be wrong) they come from the text alone.
   */
  private async codeLenses(document: TextDocument) {
    const last = this.store.last(document.uri);
    const current = last?.version === document.version ? last : undefined;
    const analysis = current ?? (last && last.costMs > COSTLY_MS ? undefined : await this.analysisOf(document).catch(() => undefined));
    return this.lensMemory.lenses(document, this.lines(document), analysis);
  }

  private async complete(document: TextDocument, offset: number) {
    const last = this.store.last(document.uri);
    // A cheap revalidation gives live completion the outline of what is typed now.
    const analysis = last && (last.version === document.version || last.costMs > COSTLY_MS) ? last : await this.analysisOf(document);
    const live = await this.live?.complete(document, this.lines(document), offset, analysis);
    if (live) return live;
    const settings = await this.settings.get(document.uri);
    const env = envNamesFor(document.uri, this.workspaceRoot, settings.envFile);
    return complete({ document, lines: this.lines(document), offset, analysis, envNames: env.names });
  }

  private registerCustom(): void {
    const answer = <T>(uri: string, what: string, fn: (document: TextDocument, analysis: Analysis) => T | Promise<T>) => {
      const document = this.requireDocument(uri);
      return this.failures.answer(uri, document.version, what, async () => fn(document, await this.analysisOf(document)));
    };
    this.connection.onRequest(DagRequest, ({ uri }) => answer(uri, "drawing the DAG", dagResult));
    this.connection.onRequest(StepsRequest, ({ uri }) => answer(uri, "listing the steps", stepsResult));
    this.connection.onRequest(RefreshSourcesRequest, ({ uri, connection }) =>
      answer(uri, "refreshing sources", (_d, analysis) => this.live?.refresh(analysis, connection) ?? { refreshed: [], failed: [] }),
    );
  }
}
