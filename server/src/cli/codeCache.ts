/**
 * Runs the CLI bundle with V8's compiled code kept between runs, as Node ≥ 22.1's
 * `module.enableCompileCache()` does (used there) and v8-compile-cache did: compiling the bundle
 * was ~170 ms of every command's start, reading it back from the cache ~20 ms (bench/runs.ts).
 *
 * One cache file per command (each holds the functions that command ran, created after it ran)
 * and per bundle path, in the user's cache folder (`$XDG_CACHE_HOME/agent-etl/v8`, by default
 * `~/.cache/agent-etl/v8`), never in the package folder, which may be read-only. A file records the
 * Node version and the bundle's size and time it belongs to; V8 checks the rest and rejects a cache
 * that does not fit, which is then written again. It holds compiled code only, no data: but code
 * it is, so a folder that another user owns or may write to is not used. Any problem (no home
 * folder, an unwritable or foreign folder, a damaged file) falls back to loading the bundle as
 * Node would. `AGENT_ETL_NO_COMPILE_CACHE=1` (or Node's `NODE_DISABLE_COMPILE_CACHE=1`) turns the
 * cache off; so do source maps (`--enable-source-maps`), whose stack traces Node maps only for
 * modules it loads itself.
 */
import { isAscii } from "node:buffer";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { Script } from "node:vm";

/** Written soon after the start too, not only at exit: a long run or an MCP server may be killed. */
const SAVE_AFTER_MS = 5000;

/** The folder of the code caches, or undefined when caching is off. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (isSet(env.AGENT_ETL_NO_COMPILE_CACHE) || isSet(env.NODE_DISABLE_COMPILE_CACHE)) return undefined;
  // The XDG base directory rule: a relative XDG_CACHE_HOME is ignored.
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : homeCache();
  return base ? join(base, "agent-etl", "v8") : undefined;
}

/** `~/.cache`, or undefined for a user without a home folder (os.homedir() may throw then). */
function homeCache(): string | undefined {
  try {
    const home = homedir();
    return home ? join(home, ".cache") : undefined;
  } catch {
    return undefined;
  }
}

const isSet = (value: string | undefined) => value !== undefined && value !== "" && value !== "0";

/** Runs `bundle` (a CommonJS file) as the program; `variant` names its cache (the command). */
export function runBundle(bundle: string, variant: string, env: NodeJS.ProcessEnv = process.env): void {
  const dir = process.sourceMapsEnabled ? undefined : codeCacheDir(env);
  if (dir === undefined) return loadAsUsual(bundle);
  const enableCompileCache = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enableCompileCache === "function") {
    try {
      enableCompileCache(dir);
    } catch {
      // Node's own cache is an optimization too: without it the bundle loads as usual.
    }
    return loadAsUsual(bundle);
  }
  const compiled = compileCached(bundle, dir, variant);
  if (compiled === undefined) return loadAsUsual(bundle);
  // Outside any try: an error of the program itself is the program's, never a reason to run it again.
  execute(compiled.script, bundle);
  if (compiled.save) scheduleSave(compiled.script, compiled.save);
}

function loadAsUsual(bundle: string): void {
  createRequire(__filename)(bundle);
}

interface Compiled {
  script: Script;
  /** Where to write the cache after the run, when the one there was missing, stale or rejected. */
  save?: { file: string; stamp: string };
}

/** The bundle compiled with its cache when there is a usable one; undefined on any problem. */
function compileCached(bundle: string, dir: string, variant: string): Compiled | undefined {
  try {
    if (!trusted(dir)) return undefined;
    const bytes = readFileSync(bundle);
    const info = statSync(bundle);
    const stamp = `${process.version} ${process.arch} ${info.size} ${info.mtimeMs}\n`;
    const file = join(dir, `${basename(bundle, ".js")}-${hash(bundle)}-${variant}.bin`);
    const cachedData = cacheFor(file, stamp);
    // An ASCII bundle (esbuild escapes other characters in code) read as Latin-1 is the same
    // text, without the UTF-8 decoding: ~50 ms of the 4.7 MB development bundle.
    const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
    // Node's CommonJS wrapper, so the bundle gets what `require` would give it.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, { filename: bundle, ...(cachedData ? { cachedData } : {}) });
    return cachedData && !script.cachedDataRejected ? { script } : { script, save: { file, stamp } };
  } catch {
    return undefined;
  }
}

/** A folder this user owns and nobody else may write to (or one not made yet). */
function trusted(dir: string): boolean {
  const info = statSync(dir, { throwIfNoEntry: false });
  if (info === undefined) return true;
  return info.isDirectory() && (info.mode & 0o022) === 0 && (process.getuid === undefined || info.uid === process.getuid());
}

/** The cache in `file` when it was made for this Node and this bundle (`stamp`). */
function cacheFor(file: string, stamp: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const head = Buffer.from(stamp, "latin1");
  return data.subarray(0, head.length).equals(head) ? data.subarray(head.length) : undefined;
}

function execute(script: Script, bundle: string): void {
  const module = new Module(bundle);
  module.filename = bundle;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  module.loaded = true;
}

/** Writes the cache once: at exit, or SAVE_AFTER_MS after the start if the program still runs. */
function scheduleSave(script: Script, save: { file: string; stamp: string }): void {
  let saved = false;
  const once = () => {
    if (saved) return;
    saved = true;
    writeCache(script, save.file, save.stamp);
  };
  process.once("exit", once);
  setTimeout(once, SAVE_AFTER_MS).unref();
}

/** Writes beside, then renames: processes starting at once (Airflow tasks) never read half a file. */
function writeCache(script: Script, file: string, stamp: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Opened before the cache is made: an unwritable folder costs nothing more.
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, Buffer.from(stamp, "latin1"));
      writeSync(fd, script.createCachedData());
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Never made.
    }
  }
}

/** FNV-1a of the bundle's path: installs in two places keep a cache each. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}
