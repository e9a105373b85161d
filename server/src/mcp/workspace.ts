/**
 * The folders an MCP client lets us touch: the roots it declares (`roots/list`), else the `--root`
 * folders, else the server's working folder. Every path a tool reads or writes is resolved (`..`,
 * symbolic links) and must lie in one of them, so an agent cannot be steered into reading `~/.ssh`
 * or writing outside the project.
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { RootsListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { ToolError } from "./toolError";

function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The real path of `path`, also for one that does not exist yet: the nearest existing ancestor is
 * resolved and the rest appended, so a symlinked folder cannot smuggle a new file outside.
 */
export function realPathOf(path: string): string {
  const missing: string[] = [];
  let at = resolve(path);
  while (!existsSync(at)) {
    const parent = dirname(at);
    if (parent === at) break;
    missing.unshift(basename(at));
    at = parent;
  }
  let real: string;
  try {
    real = realpathSync(at);
  } catch {
    real = at;
  }
  return missing.length === 0 ? real : join(real, ...missing);
}

export class Workspace {
  private cached: Promise<string[]> | undefined;

  constructor(
    private readonly server: Server,
    /** The roots when the client declares none. */
    private readonly fallback: readonly string[],
  ) {
    server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
      this.cached = undefined;
    });
  }

  /** The root folders (real paths); the first is where relative paths resolve. */
  roots(): Promise<string[]> {
    this.cached ??= this.fetchRoots().catch((err: unknown) => {
      this.cached = undefined;
      throw err;
    });
    return this.cached;
  }

  private async fetchRoots(): Promise<string[]> {
    if (!this.server.getClientCapabilities()?.roots) return this.fallback.map(realPathOf);
    const { roots } = await this.server.listRoots(undefined, { timeout: 10_000 });
    const folders = roots.filter((r) => r.uri.startsWith("file:")).map((r) => realPathOf(fileURLToPath(r.uri)));
    if (folders.length === 0) throw new ToolError("no-roots", "the client declares no file:// workspace roots, so no path is allowed; open a folder (workspace) in the client and try again");
    return folders;
  }

  /**
   * `path` (relative: to the first root) as a real path inside the roots, or a ToolError that says
   * which roots are allowed.
   */
  async resolve(path: string, what = "path"): Promise<string> {
    const roots = await this.roots();
    const base = roots[0] as string;
    const real = realPathOf(isAbsolute(path) ? path : resolve(base, path));
    if (!roots.some((root) => within(real, root))) {
      throw new ToolError("outside-roots", `${what} ${JSON.stringify(path)} resolves to ${real}, outside the workspace roots (${roots.join(", ")}); give a path inside them`);
    }
    return real;
  }
}
