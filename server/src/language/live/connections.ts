/**
 * A document's connections made ready for analysis: parsed from the outline, `${env:}`/`${file:}`
 * resolved with the runner's rules (process environment over `.env` beside the file and at the
 * workspace root), each with its cache fingerprint. Kept until the connection's text or the `.env`
 * files change.
 */
import { dirname } from "node:path";
import { loadEditorEnv } from "../../env/load";
import { ConnectionSchema, type Connection } from "../../pipeline/model";
import { plainValue } from "../../pipeline/nodes";
import { findSecretRefs } from "../../pipeline/secrets";
import { secretFileAccess } from "../../env/resolve";
import { analysableWithoutTrust } from "../../sources/analysis";
import { descriptorOf } from "../../sources/registry";
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
  /** Not analysed: the workspace is not trusted and the connection reaches a server or uses secrets. */
  untrusted?: true;
  /** `${file:}` names outside the folders live analysis may read (not read). */
  refusedFiles?: string[];
}

export interface DocumentPlace {
  /** The pipeline file's path, when the document is a file. */
  path?: string;
  workspaceRoot?: string;
  /** `agentEtl.envFile`: a `.env` file read after the one beside the document and the workspace root's. */
  envFile: string;
  /** Changes when a `.env` file that counts changes. */
  envStamp: string;
  /** The client says the user trusts the workspace: secrets may be resolved and servers reached. */
  trusted: boolean;
  /** Absolute folders `${file:}` may be read from (workspace folders and `agentEtl.secretFolders`). */
  secretFolders: readonly string[];
}

/** Per-request time limit analysis gets from the language server. */
const ANALYSIS_TIMEOUT_MS = 10_000;

/** A connection that does not say where to go (descriptor `analysis.addressed`) is left unanalysed: an editor does not guess. */
function addressed(connection: Connection): boolean {
  return descriptorOf(connection).analysis.addressed(connection);
}

export class ConnectionResolver {
  private readonly memo = new Map<string, LiveConnection>();
  private env: { stamp: string; key: string; values: Map<string, string> } | undefined;

  constructor(private readonly deps: LiveDeps) {}

  private envValues(place: DocumentPlace): Map<string, string> {
    const key = `${place.path ?? ""}\u0000${place.workspaceRoot ?? ""}\u0000${place.envFile}`;
    if (this.env?.stamp === place.envStamp && this.env.key === key) return this.env.values;
    const values = loadEditorEnv(place.path, place.workspaceRoot, place.envFile);
    this.env = { stamp: place.envStamp, key, values };
    return values;
  }

  /** The document's connections by name. */
  resolve(outline: PipelineOutline, place: DocumentPlace): Map<string, LiveConnection> {
    const out = new Map<string, LiveConnection>();
    const baseDir = place.path ? dirname(place.path) : (place.workspaceRoot ?? process.cwd());
    for (const c of outline.connections.values()) {
      const raw = plainValue(outline.doc, c.node);
      const memoKey = `${c.name}\u0000${JSON.stringify(raw ?? null)}\u0000${baseDir}\u0000${place.envStamp}\u0000${place.trusted}\u0000${place.secretFolders.join("\u0001")}`;
      const known = this.memo.get(memoKey);
      if (known) {
        out.set(c.name, { ...known, keySpan: c.keySpan });
        continue;
      }
      const live: LiveConnection = { name: c.name, keySpan: c.keySpan, ...(c.type ? { type: c.type } : {}) };
      const parsed = ConnectionSchema.safeParse(raw);
      if (parsed.success && !place.trusted && !analysableWithoutTrust(parsed.data)) live.untrusted = true;
      else if (parsed.success) this.resolveOne(live, parsed.data, place, baseDir);
      if (this.memo.size > 500) this.memo.clear();
      this.memo.set(memoKey, live);
      out.set(c.name, live);
    }
    return out;
  }

  private resolveOne(live: LiveConnection, connection: Connection, place: DocumentPlace, baseDir: string): void {
    const resolved = this.deps.resolve(live.name, connection, this.envValues(place), baseDir, { secretFolders: place.secretFolders });
    if ("failure" in resolved) {
      live.unresolved = resolved.failure;
      if (resolved.failure.code === "secret-file-outside") live.refusedFiles = filesOutside(connection, baseDir, place.secretFolders);
    } else if (addressed(resolved.connection)) {
      live.ctx = { connection: resolved.connection, connectionName: live.name, baseDir, secrets: resolved.secrets, timeoutMs: ANALYSIS_TIMEOUT_MS };
      live.fingerprint = this.deps.fingerprint(live.ctx);
    }
  }
}

/** The `${file:}` names of a connection that lie outside `folders` (nothing is read). */
function filesOutside(value: unknown, baseDir: string, folders: readonly string[]): string[] {
  if (typeof value === "string") return findSecretRefs(value).filter((r) => r.kind === "file" && "outside" in secretFileAccess(r.name, baseDir, folders)).map((r) => r.name);
  if (Array.isArray(value)) return value.flatMap((v) => filesOutside(v, baseDir, folders));
  if (value !== null && typeof value === "object") return Object.values(value).flatMap((v) => filesOutside(v, baseDir, folders));
  return [];
}
