/**
 * A document's connections made ready for analysis: parsed from the outline, `${env:}`/`${file:}`
 * resolved with the runner's rules (process environment over `.env` beside the file and at the
 * workspace root), each with its cache fingerprint. Kept until the connection's text or the `.env`
 * files change.
 */
import { dirname } from "node:path";
import { loadEnv } from "../../cli/files";
import { ConnectionSchema, type Connection } from "../../pipeline/model";
import type { PipelineOutline } from "../../pipeline/outline";
import type { Span } from "../../pipeline/problem";
import type { AnalysisFailure, AnalyzeContext } from "../../sources/analysis/types";
import type { LiveDeps } from "./cacheApi";

export interface LiveConnection {
  name: string;
  type?: string;
  keySpan: Span;
  /** Present when the connection resolved; analysis runs with it. */
  ctx?: AnalyzeContext;
  fingerprint?: string;
  /** Why it could not be resolved (e.g. a `${file:}` that cannot be read). */
  unresolved?: AnalysisFailure;
}

export interface DocumentPlace {
  /** The pipeline file's path, when the document is a file. */
  path?: string;
  workspaceRoot?: string;
  /** Changes when a `.env` file that counts changes. */
  envStamp: string;
}

/** Per-request time limit analysis gets from the language server. */
export const ANALYSIS_TIMEOUT_MS = 10_000;

/**
 * A postgres connection with no `url` and no `host` (e.g. `${env:DATABASE_URL}` set empty) would
 * reach the driver's defaults (localhost:5432): an editor does not guess, it leaves it unanalysed.
 */
function addressed(connection: Connection): boolean {
  if (connection.type !== "postgres") return true;
  const c = connection as { url?: string; host?: string };
  return (c.url ?? "").trim() !== "" || (c.host ?? "").trim() !== "";
}

export class ConnectionResolver {
  private readonly memo = new Map<string, LiveConnection>();
  private env: { stamp: string; key: string; values: Map<string, string> } | undefined;

  constructor(private readonly deps: LiveDeps) {}

  private envValues(place: DocumentPlace): Map<string, string> {
    const key = `${place.path ?? ""}\u0000${place.workspaceRoot ?? ""}`;
    if (this.env?.stamp === place.envStamp && this.env.key === key) return this.env.values;
    const values = place.path ? loadEnv(place.path, process.env, place.workspaceRoot ?? dirname(place.path)) : new Map(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    this.env = { stamp: place.envStamp, key, values };
    return values;
  }

  /** The document's connections by name. */
  resolve(outline: PipelineOutline, place: DocumentPlace): Map<string, LiveConnection> {
    const out = new Map<string, LiveConnection>();
    const baseDir = place.path ? dirname(place.path) : (place.workspaceRoot ?? process.cwd());
    for (const c of outline.connections.values()) {
      const raw: unknown = c.node ? c.node.toJS(outline.doc as never) : undefined;
      const memoKey = `${c.name}\u0000${JSON.stringify(raw ?? null)}\u0000${baseDir}\u0000${place.envStamp}`;
      const known = this.memo.get(memoKey);
      if (known) {
        out.set(c.name, { ...known, keySpan: c.keySpan });
        continue;
      }
      const live: LiveConnection = { name: c.name, keySpan: c.keySpan, ...(c.type ? { type: c.type } : {}) };
      const parsed = ConnectionSchema.safeParse(raw);
      if (parsed.success) {
        const resolved = this.deps.resolve(c.name, parsed.data, this.envValues(place), baseDir);
        if ("failure" in resolved) live.unresolved = resolved.failure;
        else if (addressed(resolved.connection)) {
          live.ctx = { connection: resolved.connection, connectionName: c.name, baseDir, secrets: resolved.secrets, timeoutMs: ANALYSIS_TIMEOUT_MS };
          live.fingerprint = this.deps.fingerprint(live.ctx);
        }
      }
      if (this.memo.size > 500) this.memo.clear();
      this.memo.set(memoKey, live);
      out.set(c.name, live);
    }
    return out;
  }
}
