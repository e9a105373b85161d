import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import type { Connection } from "../../../server/src/pipeline/model";
import { scrubSecrets } from "../../../server/src/env/scrub";
import { resolveConnections, secretFileAccess, SecretError } from "../../../server/src/env/resolve";

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

  it("with secretFolders, reads a ${file:} only when its real path is inside one: `..`, absolute paths and symlinks out are refused", () => {
    const ws = join(dir, "ws");
    const away = join(dir, "away");
    mkdirSync(join(ws, "sub"), { recursive: true });
    mkdirSync(away, { recursive: true });
    const secret = randomBytes(12).toString("hex");
    writeFileSync(join(away, "s.txt"), secret);
    writeFileSync(join(ws, "sub", "in.txt"), "inside");
    writeFileSync(join(dir, "ws-sibling.txt"), "a sibling whose name starts like the folder");
    symlinkSync(join(away, "s.txt"), join(ws, "out-link"));
    symlinkSync(join(ws, "sub", "in.txt"), join(ws, "in-link"));
    const folders = [ws];
    for (const name of ["sub/in.txt", "in-link", "./sub/../sub/in.txt"]) assert.ok("readable" in secretFileAccess(name, ws, folders), name);
    for (const name of ["out-link", `../${basename(away)}/s.txt`, join(away, "s.txt"), "../ws-sibling.txt", "/etc/hostname"]) {
      assert.ok("outside" in secretFileAccess(name, ws, folders) || "missing" in secretFileAccess(name, ws, folders), name);
      assert.ok(!("readable" in secretFileAccess(name, ws, folders)), name);
    }
    assert.ok("readable" in secretFileAccess("out-link", ws), "no folders: anywhere (a run the user starts)");
    assert.ok("readable" in secretFileAccess("out-link", ws, [ws, away]), "a listed folder allows it");
    const connections = { api: { type: "http", base_url: "https://x", headers: { a: "${file:out-link}", b: "${file:sub/in.txt}" } } } as unknown as Record<string, Connection>;
    assert.throws(() => resolveConnections(connections, new Map(), ws, undefined, { secretFolders: folders }), (err: unknown) => {
      assert.ok(err instanceof SecretError);
      assert.equal(err.code, "secret-file-outside");
      assert.match(err.message, /connections\.api\.headers\.a: secret file out-link is outside the workspace folders.*agentEtl\.secretFolders/);
      assert.ok(!err.message.includes(secret));
      return true;
    });
    assert.equal((resolveConnections(connections, new Map(), ws).connections.api as unknown as { headers: { a: string } }).headers.a, secret);
  });
});

describe("scrubbing every form a secret travels in", () => {
  // Characters that each encoding treats differently: reserved in URLs, `+`, `%`, quotes, non-ASCII.
  const ALPHABET = "abcXYZ019 +/=?&#%@:;\"'\\é€-_.~!$*()[]{}<>";
  const randomSecret = () => Array.from(randomBytes(14), (b) => ALPHABET[b % ALPHABET.length]).join("") + randomBytes(4).toString("hex");

  it("masks a secret raw, percent- and form-encoded, in a URL's userinfo and query, in base64 and inside JSON", () => {
    for (let i = 0; i < 50; i++) {
      const secret = randomSecret();
      const url = new URL("http://h/");
      url.password = secret;
      url.searchParams.set("q", secret);
      const forms = [secret, encodeURIComponent(secret), url.password, url.searchParams.toString().slice(2), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url"), JSON.stringify(secret).slice(1, -1)];
      for (const form of forms) {
        const out = scrubSecrets(`before ${form} after`, [secret]);
        assert.equal(out, "before *** after", `${JSON.stringify(secret)} as ${JSON.stringify(form)}`);
      }
    }
  });

  it("adds basic auth's user:password to the resolved secrets, so `Basic <base64>` is masked", () => {
    const password = randomSecret();
    const connections = { api: { type: "http", base_url: "https://x", auth: { type: "basic", username: "ann", password: "${env:PW}" } } } as unknown as Record<string, Connection>;
    const r = resolveConnections(connections, new Map([["PW", password]]), dir);
    const header = `Basic ${Buffer.from(`ann:${password}`).toString("base64")}`;
    assert.equal(scrubSecrets(`the server said: Authorization: ${header}.`, r.secrets), "the server said: Authorization: Basic ***.");
  });

  it("masks credential-like query parameters of any URL, and keeps JSON around them valid", () => {
    const token = randomBytes(8).toString("hex");
    assert.equal(scrubSecrets(`GET https://h/x?page=2&access_token=${token}&api_key=${token}#top`), "GET https://h/x?page=2&access_token=***&api_key=***#top");
    const json = JSON.stringify({ url: `https://h/?sig=${token}\\"x` });
    assert.deepEqual(JSON.parse(scrubSecrets(json)), { url: 'https://h/?sig=***\\"x' });
  });
});
