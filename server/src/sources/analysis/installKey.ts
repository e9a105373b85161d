/**
 * The analysis cache's per-install secret: 32 random bytes in `<cache folder>/key` (mode 0600),
 * made once and shared by every process that uses the folder (the CLI's `analyze`, the language
 * server). Cache file names are HMACs under it, so a name cannot be checked against a guessed
 * password offline the way a plain SHA-256 over the connection could.
 */
import { createHmac, randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const KEY_FILE = "key";
const KEY_BYTES = 32;

async function readKey(path: string): Promise<Buffer | undefined> {
  try {
    const key = await readFile(path);
    if (key.length < KEY_BYTES) return undefined;
    // A key another tool left readable by others is tightened, not trusted as it is.
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
    return key;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * The folder's key, created when missing. Creation is atomic: the bytes go to a private temporary
 * file that is then hard-linked to the key's name, which fails if another process won the race;
 * the loser reads the winner's key. Nobody ever reads a half-written key.
 */
export async function loadInstallKey(dir: string): Promise<Buffer> {
  const path = join(dir, KEY_FILE);
  const existing = await readKey(path);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, randomBytes(KEY_BYTES), { mode: 0o600, flag: "wx" });
  try {
    await link(temp, path);
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") throw err;
    const winner = await readKey(path);
    if (!winner) {
      // A key too short to be ours (a truncated copy): replace it.
      await rm(path, { force: true });
      await link(temp, path).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      });
    }
  } finally {
    await rm(temp, { force: true });
  }
  const key = await readKey(path);
  if (!key) throw new Error(`the analysis cache key ${path} could not be created`);
  return key;
}

/** A hex HMAC-SHA-256 of `text` under the install key. */
export function keyedHash(key: Buffer, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}
