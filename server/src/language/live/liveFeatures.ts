/**
 * The language server's live-analysis features in one place: the cache (in the client's storage
 * folder when it names one), the document's place (file, workspace, `.env` stamp), diagnostics,
 * completion, hover and refresh. `languageServer.ts` calls these; each answers without waiting on
 * the network longer than ~100 ms, except refresh, which is asked to wait.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import type { CompletionList, Diagnostic, Hover } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { ConnectionType } from "../../pipeline/model";
import { expandHome } from "../../env/resolve";
import { DEFAULT_SETTINGS, type AgentEtlSettings, type RefreshSourcesResult } from "../../protocol";
import { AnalysisCache, connectionFingerprint, resolveForAnalysis } from "../../sources/analysis";
import { descriptorOf } from "../../sources/registry";
import type { Analysis } from "../analysis";
import { envNamesFor, filePathOf } from "../envNames";
import type { LiveDeps } from "./cacheApi";
import { COMPLETION_WAIT_MS, liveComplete } from "./completion";
import type { DocumentPlace } from "./connections";
import { withOutputColumns } from "./hover";
import { LiveSources } from "./liveSources";

/** Longest a hover waits on the network. */
const HOVER_WAIT_MS = 80;

export interface LiveFeaturesOptions {
  /** `initializationOptions.cacheDir`; else the cache's default folder. */
  cacheDir?: string;
  workspaceRoot: () => string | undefined;
  /** Every workspace folder (absolute paths): `${file:}` secrets are read only inside them and `agentEtl.secretFolders`. */
  workspaceFolders: () => readonly string[];
  /** `initializationOptions.workspaceTrusted`: without it, connections that reach a server or use secrets are not analysed. */
  trusted: boolean;
  settings: (uri: string) => Promise<AgentEtlSettings>;
  republish: (uri: string) => void;
  /** Another cache (benchmarks, tests); default: an AnalysisCache. */
  deps?: LiveDeps;
}

/**
 * Where live analysis may read `${file:}`: the workspace folders (a file opened without one: its own
 * folder) and the folders of `agentEtl.secretFolders` (`~/…`; relative ones from the workspace root).
 */
function secretFolders(workspace: readonly string[], setting: readonly string[], root: string | undefined, path: string | undefined): string[] {
  const base = workspace.length > 0 ? [...workspace] : path ? [dirname(path)] : [];
  const extra = setting.map((f) => expandHome(f.trim())).map((f) => (isAbsolute(f) ? f : resolve(root ?? (path ? dirname(path) : process.cwd()), f)));
  return [...base, ...extra];
}

export class LiveFeatures {
  private ttl: AgentEtlSettings["cacheTtl"] = DEFAULT_SETTINGS.cacheTtl;
  readonly deps: LiveDeps;
  private readonly sources: LiveSources;

  constructor(private readonly options: LiveFeaturesOptions) {
    this.deps = options.deps ?? {
      cache: new AnalysisCache({ ...(options.cacheDir ? { dir: options.cacheDir } : {}), ttlMs: (_request, type: ConnectionType) => this.ttlSeconds(type) * 1000 }),
      resolve: resolveForAnalysis,
      fingerprint: connectionFingerprint,
    };
    this.sources = new LiveSources(this.deps, options.republish);
  }

  /** `agentEtl.cacheTtl.<type>`, else the connector's own default. */
  private ttlSeconds(type: ConnectionType): number {
    return this.ttl[type] ?? descriptorOf({ type }).analysis.cacheTtlSeconds;
  }

  private async place(uri: string): Promise<DocumentPlace> {
    const settings = await this.options.settings(uri);
    this.ttl = settings.cacheTtl;
    const root = this.options.workspaceRoot();
    const path = filePathOf(uri);
    return {
      ...(path ? { path } : {}),
      ...(root ? { workspaceRoot: root } : {}),
      envFile: settings.envFile,
      envStamp: envNamesFor(uri, root, settings.envFile).stamp,
      trusted: this.options.trusted,
      secretFolders: secretFolders(this.options.workspaceFolders(), settings.secretFolders, root, path),
    };
  }

  async diagnostics(document: TextDocument, analysis: Analysis): Promise<Diagnostic[]> {
    if (analysis.outline.connections.size === 0) return [];
    return this.sources.diagnostics(document, analysis, await this.place(document.uri));
  }

  async complete(document: TextDocument, lines: readonly string[], offset: number, analysis: Analysis): Promise<CompletionList | undefined> {
    if (analysis.outline.connections.size === 0) return undefined;
    const place = await this.place(document.uri);
    return liveComplete({
      document,
      lines,
      offset,
      analysis,
      cache: this.deps.cache,
      connections: () => this.sources.connections(analysis, place),
      view: () => this.sources.view(analysis, place, COMPLETION_WAIT_MS),
    });
  }

  async hover(base: Hover | null, analysis: Analysis, offset: number): Promise<Hover | null> {
    if (!base || analysis.outline.connections.size === 0) return base;
    const view = await this.sources.view(analysis, await this.place(analysis.uri), HOVER_WAIT_MS);
    return withOutputColumns(base, analysis, offset, view);
  }

  async refresh(analysis: Analysis, connection?: string): Promise<RefreshSourcesResult> {
    return this.sources.refresh(analysis, await this.place(analysis.uri), connection);
  }

  /** Settings changed: views are recomputed (TTLs, `.env` file). */
  reset(): void {
    this.sources.reset();
  }

  close(uri: string): void {
    this.sources.close(uri);
  }

  /** True once the document's live view has been built at least once. */
  known(uri: string): boolean {
    return this.sources.known(uri);
  }
}
