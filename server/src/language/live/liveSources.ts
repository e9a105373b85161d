/**
 * Live sources for open documents: one view per document version (and per cache change), the
 * `unknown-column`, `schema-drift` and `source-unavailable` diagnostics, and refresh. When a background fetch
 * lands, the documents that use that connection are republished.
 */
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { PropagationMemo, unknownColumns } from "../../pipeline/columns";
import { scrubSecrets } from "../../env/scrub";
import type { RefreshSourcesResult } from "../../protocol";
import type { AnalysisRequest } from "../../sources/analysis/types";
import { descriptorFor } from "../../sources/registry";
import type { Analysis } from "../analysis";
import { toDiagnostic } from "../diagnostics";
import type { LiveDeps } from "./cacheApi";
import { ConnectionResolver, type DocumentPlace, type LiveConnection } from "./connections";
import { extractRequest } from "./requests";
import { schemaDriftProblems } from "./schemaDrift";
import { TRUST_HINT, trustDiagnostics } from "./trustNotes";
import { buildView, isUnavailable, MAX_LIVE_REQUESTS, type LiveView, type Unanalysed } from "./view";

/** How long answers that land are gathered before the documents waiting on them are republished. */
const REPUBLISH_MS = 100;

interface DocState {
  fingerprints: Set<string>;
  propagation: PropagationMemo;
  memo?: { analysis: Analysis; generation: number; view: Promise<LiveView> };
}

export class LiveSources {
  private readonly resolver: ConnectionResolver;
  private readonly docs = new Map<string, DocState>();
  private generation = 0;
  /** Documents to republish when the timer fires (answers for them have landed). */
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deps: LiveDeps,
    /** Recomputes and republishes a document's diagnostics. */
    private readonly republish: (uri: string) => void,
  ) {
    this.resolver = new ConnectionResolver(deps);
    deps.cache.onChange((fingerprint) => this.changed(fingerprint));
  }

  private changed(fingerprint: string): void {
    this.generation++;
    for (const [uri, state] of this.docs) if (state.fingerprints.has(fingerprint)) this.pending.add(uri);
    // Answers land one at a time (a document may wait on hundreds): republish each document once
    // per burst, not once per answer, so the server keeps answering requests in between.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const uris = [...this.pending];
      this.pending.clear();
      for (const uri of uris) this.republish(uri);
    }, REPUBLISH_MS);
  }

  /** Drops memoized views (e.g. when settings change). */
  reset(): void {
    this.generation++;
  }

  close(uri: string): void {
    this.docs.delete(uri);
    this.pending.delete(uri);
  }

  /** True once a document's connections have been resolved (it has a view, or had one). */
  known(uri: string): boolean {
    return this.docs.has(uri);
  }

  connections(analysis: Analysis, place: DocumentPlace): Map<string, LiveConnection> {
    const connections = this.resolver.resolve(analysis.outline, place);
    const state = this.docs.get(analysis.uri) ?? { fingerprints: new Set<string>(), propagation: new PropagationMemo() };
    state.fingerprints = new Set([...connections.values()].flatMap((c) => (c.fingerprint ? [c.fingerprint] : [])));
    this.docs.set(analysis.uri, state);
    return connections;
  }

  /** The live view of an analysis, waiting at most `waitMs` for the network; memoized per version and cache change. */
  view(analysis: Analysis, place: DocumentPlace, waitMs: number): Promise<LiveView> {
    const state = this.docs.get(analysis.uri);
    const memo = state?.memo;
    if (memo && memo.analysis === analysis && memo.generation === this.generation) return memo.view;
    const connections = this.connections(analysis, place);
    const generation = this.generation;
    const s = this.docs.get(analysis.uri) as DocState;
    const view = buildView(this.deps.cache, analysis, connections, waitMs, s.propagation).then((v) => {
      // A view built while something was loading is not kept: the next request looks again.
      if (v.loading) {
        if (s.memo?.view === view) delete s.memo;
      }
      return v;
    });
    s.memo = { analysis, generation, view };
    return view;
  }

  /** `unknown-column` warnings and one `source-unavailable` per connection that could not be analysed. */
  async diagnostics(document: TextDocument, analysis: Analysis, place: DocumentPlace): Promise<Diagnostic[]> {
    if (analysis.outline.connections.size === 0) return [];
    const view = await this.view(analysis, place, 0);
    const live = [...unknownColumns(view.propagation), ...schemaDriftProblems(analysis.outline, view)];
    const out = [...live.map((p) => toDiagnostic(document, p)), ...trustDiagnostics(document, analysis, view.connections)];
    if (view.unanalysed) out.push(unanalysedDiagnostic(document, view.unanalysed));
    for (const [name, failure] of view.failures) {
      const c = view.connections.get(name);
      if (!c) continue;
      const reason = scrubSecrets(failure.message, c.ctx?.secrets ?? []).replace(/\s*\(transient[^)]*\)\s*$/, "").replace(/\.$/, "");
      out.push({
        range: { start: document.positionAt(c.keySpan.start), end: document.positionAt(c.keySpan.end) },
        severity: DiagnosticSeverity.Information,
        code: "source-unavailable",
        source: "agent-etl",
        message: `connection \`${name}\` cannot be analysed: ${reason}. Column checks and completions from it are off; it is retried in the background (or run "Refresh Source Cache").`,
      });
    }
    return out;
  }

  /** Forgets and fetches again the document's connections (or one); answers when done. */
  async refresh(analysis: Analysis, place: DocumentPlace, only?: string): Promise<RefreshSourcesResult> {
    const connections = this.connections(analysis, place);
    const result: RefreshSourcesResult = { refreshed: [], failed: [] };
    for (const c of connections.values()) {
      if (only !== undefined && c.name !== only) continue;
      if (!c.ctx || !c.fingerprint) {
        if (c.untrusted) result.failed.push({ connection: c.name, message: `live analysis is off until the workspace is trusted. ${TRUST_HINT}` });
        else if (c.unresolved) result.failed.push({ connection: c.name, message: c.unresolved.message });
        continue;
      }
      this.deps.cache.invalidate(c.fingerprint);
      const requests = requestsOf(analysis, c);
      const errors: string[] = [];
      for (const request of requests) {
        try {
          await this.deps.cache.fetch(c.ctx, request, { refresh: true });
        } catch (err: unknown) {
          errors.push(scrubSecrets(err instanceof Error ? err.message : String(err), c.ctx.secrets));
        }
      }
      if (errors.length > 0) result.failed.push({ connection: c.name, message: errors[0] as string });
      else result.refreshed.push(c.name);
    }
    this.generation++;
    this.republish(analysis.uri);
    return result;
  }
}

function unanalysedDiagnostic(document: TextDocument, { count, first }: Unanalysed): Diagnostic {
  const n = count.toLocaleString("en-US");
  return {
    range: { start: document.positionAt(first.start), end: document.positionAt(first.end) },
    severity: DiagnosticSeverity.Information,
    code: "live-analysis-limit",
    source: "agent-etl",
    message: `live analysis reads at most ${MAX_LIVE_REQUESTS} sources per file: the columns of ${n} more extract${count === 1 ? "" : "s"}, from this one on, are not checked and not completed. \`agent-etl analyze\` reads them all; splitting the file brings them back into the editor.`,
  };
}

/** What a refresh fetches for a connection: every request the document's extracts make, plus the catalog/root folder. */
function requestsOf(analysis: Analysis, c: LiveConnection): AnalysisRequest[] {
  const out = new Map<string, AnalysisRequest>();
  const overview = descriptorFor(c.type)?.analysis.connectionRequest;
  if (overview) out.set("connection", overview);
  for (const step of analysis.outline.steps) {
    if (step.connection?.name !== c.name) continue;
    const request = extractRequest(analysis.outline.doc, step, c.type);
    if (request) out.set(JSON.stringify(request), request);
  }
  return [...out.values()];
}

export { isUnavailable };
