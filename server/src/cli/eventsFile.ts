/** `--events FILE` for `agent-etl run`: a path that cannot be written is bad usage, said in one line. */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors";
import type { EventBus } from "../runner/events";

const isFolder = (path: string) => `${path} is a folder; give a file path, e.g. ${join(path, "events.jsonl")}`;

/** Why `path` cannot be written, in words, from a Node.js file system error. */
function unwritable(err: unknown, path: string): string {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  if (code === "ENOENT") return `folder ${dirname(path)} does not exist; create it or give another path`;
  if (code === "ENOTDIR") return `a part of ${dirname(path)} is a file, not a folder`;
  if (code === "EISDIR") return isFolder(path);
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return `permission denied (${code})`;
  return err instanceof Error ? err.message : String(err);
}

function eventsProblem(path: string): string | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return isFolder(path);
    accessSync(stat ? path : dirname(path), constants.W_OK);
    return undefined;
  } catch (err: unknown) {
    return unwritable(err, path);
  }
}

/**
 * `--events FILE`, checked before any step runs but not created: the file is created when the run
 * starts, so a run refused before that (a missing secret) leaves none behind.
 */
export function checkEventsPath(cwd: string, given: string): string {
  const path = resolve(cwd, given);
  const problem = eventsProblem(path);
  if (problem !== undefined) throw new UsageError(`--events ${given}: cannot write events there: ${problem}`);
  return path;
}

/** Creates the events file; a failure here (the path changed since the check) is still bad usage. */
export function openEventsFile(bus: EventBus, path: string, given: string): void {
  try {
    bus.toFile(path);
  } catch (err: unknown) {
    throw new UsageError(`--events ${given}: cannot write events there: ${unwritable(err, path)}`);
  }
}
