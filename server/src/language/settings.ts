/** Settings pulled with `workspace/configuration` per document, cached per URI until they change. */
import type { Connection } from "vscode-languageserver";
import { DEFAULT_SETTINGS, type AgentEtlSettings } from "../protocol";
import { CONNECTORS } from "../sources/registry";

export class SettingsCache {
  private readonly cache = new Map<string, Promise<AgentEtlSettings>>();
  supported = false;

  constructor(private readonly connection: Connection) {}

  get(uri: string): Promise<AgentEtlSettings> {
    if (!this.supported) return Promise.resolve(DEFAULT_SETTINGS);
    let settings = this.cache.get(uri);
    if (!settings) {
      settings = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: "agentEtl" })
        .then((value: unknown) => merge(value))
        .catch(() => DEFAULT_SETTINGS);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  /** Forgets one document's settings, or all (on `workspace/didChangeConfiguration`). */
  clear(uri?: string): void {
    if (uri === undefined) this.cache.clear();
    else this.cache.delete(uri);
  }
}

/** Client values over the defaults; anything missing or of the wrong type falls back. */
function merge(value: unknown): AgentEtlSettings {
  if (value === null || typeof value !== "object") return DEFAULT_SETTINGS;
  const v = value as Partial<Record<keyof AgentEtlSettings, unknown>>;
  const str = (x: unknown, d: string) => (typeof x === "string" ? x : d);
  const ttl = (v.cacheTtl && typeof v.cacheTtl === "object" ? v.cacheTtl : {}) as Record<string, unknown>;
  const num = (x: unknown, d: number) => (typeof x === "number" && x >= 0 ? x : d);
  const levels = ["trace", "debug", "info", "warn", "error"];
  return {
    logLevel: (levels.includes(String(v.logLevel)) ? v.logLevel : DEFAULT_SETTINGS.logLevel) as AgentEtlSettings["logLevel"],
    envFile: str(v.envFile, DEFAULT_SETTINGS.envFile),
    cacheTtl: Object.fromEntries(Object.entries(ttl).filter((entry): entry is [string, number] => num(entry[1], -1) >= 0)),
    cliPath: str(v.cliPath, DEFAULT_SETTINGS.cliPath),
    nodePath: str(v.nodePath, DEFAULT_SETTINGS.nodePath),
    secretFolders: Array.isArray(v.secretFolders) ? v.secretFolders.filter((f): f is string => typeof f === "string" && f.trim() !== "") : DEFAULT_SETTINGS.secretFolders,
  };
}

/**
 * The `agentEtl.cacheTtl.<type>` settings package.json contributes, one per registered connection
 * type with its connector's default (`npm run schema` writes them).
 */
export function cacheTtlContributions(): Record<string, { type: "integer"; minimum: 0; default: number; scope: "resource"; markdownDescription: string }> {
  return Object.fromEntries(
    CONNECTORS.map((d) => [
      `agentEtl.cacheTtl.${d.type}`,
      { type: "integer", minimum: 0, default: d.analysis.cacheTtlSeconds, scope: "resource", markdownDescription: `Seconds the live analysis of a connection of \`type: ${d.type}\` stays fresh before it is read again.` },
    ]),
  );
}
