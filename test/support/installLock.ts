/** Cross-process locks for installs into the shared test cache (several test files may install at once). */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** True when a process with this id exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function holderPid(lockDir: string): number {
  try {
    return Number(readFileSync(join(lockDir, "pid"), "utf8") || 0);
  } catch {
    return 0;
  }
}

/**
 * Runs `fn` holding the lock directory `lockDir` (mkdir is atomic). A lock whose holder died is
 * broken; waiting polls until `timeoutMs`, then fails saying which lock to remove.
 */
export async function withInstallLock<T>(lockDir: string, what: string, timeoutMs: number, fn: () => T | Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      break;
    } catch {
      const holder = holderPid(lockDir);
      if (holder > 0 && !pidAlive(holder)) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the ${what} lock ${lockDir}; remove it if no install is running`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
