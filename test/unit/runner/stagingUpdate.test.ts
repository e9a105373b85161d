/**
 * `LocalStagingStore.update` in a real temp folder: concurrent read-modify-writes of one key, from
 * many stores and from other processes, lose none of each other's changes; a lock left by a killed
 * process does not block the key.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LocalStagingStore } from "../../../server/src/runner/staging/localStaging";

const dir = mkdtempSync(join(tmpdir(), "etl-staging-update-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const increment = (current: string | undefined) => String(Number(current ?? "0") + 1);
const readCounter = async (store: LocalStagingStore, key: string) => {
  let text = "";
  for await (const chunk of await store.read(key)) text += Buffer.from(chunk).toString();
  return Number(text);
};

describe("LocalStagingStore.update", () => {
  it("N concurrent increments of one key, through separate stores, end at exactly N", async () => {
    const root = join(dir, "counter");
    const N = 60;
    const results = await Promise.all(Array.from({ length: N }, () => new LocalStagingStore(root).update("r1/count.txt", increment)));
    const store = new LocalStagingStore(root);
    assert.equal(await readCounter(store, "r1/count.txt"), N);
    // Every update saw a different value: none read a stale one.
    assert.deepEqual(results.map(Number).sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i + 1));
    assert.deepEqual(await store.list(""), ["r1/count.txt"], "no lock or temporary file is left, nor listed");
    assert.deepEqual(readdirSync(join(root, "r1")), ["count.txt"]);
  });

  it("increments from several processes at once end at exactly their sum", () => {
    const root = join(dir, "processes");
    const script = `
      const { LocalStagingStore } = require(${JSON.stringify(join(__dirname, "../../../server/src/runner/staging/localStaging.ts"))});
      const store = new LocalStagingStore(process.argv[1]);
      Promise.all(Array.from({ length: 100 }, () => store.update("c.txt", (c) => String(Number(c ?? "0") + 1)))).catch((e) => { console.error(e); process.exit(1); });`;
    // One shell line starts the four processes together and waits for all of them.
    const node = `${JSON.stringify(process.execPath)} --import tsx -e ${shellQuote(script)} ${shellQuote(root)}`;
    const r = spawnSync("sh", ["-c", `${node} & ${node} & ${node} & ${node} & wait`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    return readCounter(new LocalStagingStore(root), "c.txt").then((n) => assert.equal(n, 400));
  });

  it("breaks a lock whose process is gone, and never one that is held", async () => {
    const root = join(dir, "stale");
    mkdirSync(root, { recursive: true });
    const gone = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    writeFileSync(join(root, ".k.txt.lock"), JSON.stringify({ pid: Number(gone.stdout.trim()), host: hostname(), token: "killed" }));
    const store = new LocalStagingStore(root);
    assert.equal(await store.update("k.txt", increment), "1");
    assert.deepEqual(readdirSync(root), ["k.txt"]);

    // A held lock (this live process) makes the update wait until it is released.
    writeFileSync(join(root, ".k.txt.lock"), JSON.stringify({ pid: process.pid, host: hostname(), token: "held" }));
    let done = false;
    const waiting = store.update("k.txt", increment).then((v) => ((done = true), v));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(done, false, "the update waits for the lock");
    rmSync(join(root, ".k.txt.lock"));
    assert.equal(await waiting, "2");
  });
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
