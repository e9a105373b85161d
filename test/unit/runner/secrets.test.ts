import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import type { Connection } from "../../../server/src/pipeline/model";
import { resolveConnections } from "../../../server/src/runner/secrets";

const dir = mkdtempSync(join(tmpdir(), "etl-secrets-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("secret references", () => {
  it("resolves ${env:} and ${file:} inside strings and nested maps", () => {
    const password = randomBytes(12).toString("hex");
    const token = randomBytes(12).toString("hex");
    writeFileSync(join(dir, "token"), `${token}\n`);
    const connections = {
      db: { type: "postgres", url: "postgres://app:${env:PW}@db:5432/shop" },
      api: { type: "http", base_url: "https://x", auth: { type: "bearer", token: "${file:token}" } },
    } as unknown as Record<string, Connection>;
    const r = resolveConnections(connections, new Map([["PW", password]]), dir);
    assert.equal((r.connections.db as { url: string }).url, `postgres://app:${password}@db:5432/shop`);
    assert.equal((r.connections.api as unknown as { auth: { token: string } }).auth.token, token);
    assert.deepEqual(new Set(r.secrets), new Set([password, token]));
  });

  it("lists every missing reference at once, naming no value", () => {
    const connections = { a: { type: "postgres", password: "${env:NOPE_1}" }, b: { type: "s3", bucket: "b", secret_access_key: "${file:missing.txt}" } } as unknown as Record<string, Connection>;
    assert.throws(
      () => resolveConnections(connections, new Map(), dir),
      (err: Error) => /2 secret references; no step was started/.test(err.message) && /connections\.a\.password: environment variable NOPE_1 is not set/.test(err.message) && /connections\.b\.secret_access_key: secret file missing\.txt cannot be read/.test(err.message),
    );
    assert.doesNotThrow(() => resolveConnections(connections, new Map(), dir, []));
  });
});
