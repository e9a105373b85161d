import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { after, describe, it } from "node:test";
import { editorEnvFiles } from "../../../server/src/env/discovery";
import { dotenvNames, parseDotenv } from "../../../server/src/env/dotenv";
import { loadEnv } from "../../../server/src/env/load";
import { envNamesAt } from "../../../server/src/env/names";
import { random as seeded } from "../../support/random";

/** The editor's former names-only parser, kept here as the oracle for what it accepted. */
function oldNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}

const KEYS = ["A", "DB_URL", "_x1", "export", "exportB"];
const PREFIXES = ["", "export ", "export\t", "export  ", " ", "\t", "  export "];
const SEPARATORS = ["=", " =", "\t=", " = ", "= "];
const VALUES = ["", "plain", "'single quoted'", '"double quoted"', "`back`", "a=b", "v # comment", '"x" # c', "'p#q'"];
const NOISE = ["# comment", "#HIDDEN=1", "", "   ", "NOT A LINE", "bad-key=1", "dot.key=2", "NOEQUALS"];

/** A `.env` text of single-line entries, comments and junk, in random order. */
function randomEnvText(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const lines: string[] = [];
  const count = 1 + Math.floor(next() * 8);
  for (let i = 0; i < count; i++) lines.push(next() < 0.25 ? pick(NOISE) : `${pick(PREFIXES)}${pick(KEYS)}${pick(SEPARATORS)}${pick(VALUES)}`);
  return lines.join(next() < 0.5 ? "\n" : "\r\n") + (next() < 0.5 ? "\n" : "");
}

/** Keys Node's parser (the CLI's) found that the editor's did not: `my-key`, `a.b`; not comments or keys with blanks. */
function oldCliOnlyNames(text: string): string[] {
  return Object.keys(parseEnv(text)).filter((k) => /^[^\s=#]+$/.test(k));
}

describe("the one .env parser", () => {
  it("defines every name either old parser found (the editor's, and the CLI's without blanks), and only names of `NAME=` lines", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const text = randomEnvText(seeded(seed));
      const names = new Set(dotenvNames(text));
      for (const n of [...oldNames(text), ...oldCliOnlyNames(text)]) assert.ok(names.has(n), `seed ${seed}, ${n}: ${JSON.stringify(text)}`);
      // Node's parser lost some lines after an empty value; beyond the old names, only `NAME=` lines count.
      const lineKeys = text.split(/\r?\n/).flatMap((l) => /^\s*(?:export\s+)?([^\s=#][^\s=]*)\s*=/.exec(l)?.[1] ?? []);
      for (const n of names) assert.ok(lineKeys.includes(n), `seed ${seed}, ${n}: ${JSON.stringify(text)}`);
    }
  });

  it("gives the CLI's old values (Node's parseEnv) for every name it found", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const text = randomEnvText(seeded(seed));
      const now = parseDotenv(text);
      const once = [...oldNames(text), ...oldCliOnlyNames(text)].filter((n, _, all) => all.indexOf(n) === all.lastIndexOf(n));
      // Node's parser keys `export\tA` apart from `A`, and so resolves a name given twice differently.
      for (const [key, value] of Object.entries(parseEnv(text))) if (once.includes(key)) assert.equal(now.get(key), value, `seed ${seed}, ${key}: ${JSON.stringify(text)}`);
    }
  });

  it("keeps multi-line quoted values whole: a line inside one is value, not a name", () => {
    const text = 'KEY="-----BEGIN\nINNER=not a variable\n-----END"\nAFTER=1\n';
    assert.equal(parseDotenv(text).get("KEY"), "-----BEGIN\nINNER=not a variable\n-----END");
    assert.deepEqual(dotenvNames(text), ["KEY", "AFTER"]);
  });
});

describe(".env discovery", () => {
  const root = mkdtempSync(join(tmpdir(), "etl-env-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const sub = join(root, "pipelines");
  mkdirSync(sub);
  writeFileSync(join(root, ".env"), "SHARED=root\nROOT_ONLY=r\n");
  writeFileSync(join(sub, ".env"), "SHARED=beside\nBESIDE_ONLY=b\n");
  writeFileSync(join(root, "extra.env"), "FROM_SETTING=s\n");
  const pipeline = join(sub, "p.etl.yaml");

  it("runs: the .env beside the pipeline wins over the root's, the process environment over both", () => {
    const env = loadEnv(pipeline, { ROOT_ONLY: "process" }, root);
    assert.equal(env.get("SHARED"), "beside");
    assert.equal(env.get("BESIDE_ONLY"), "b");
    assert.equal(env.get("ROOT_ONLY"), "process");
    assert.equal(env.has("FROM_SETTING"), false, "the CLI has no agentEtl.envFile");
  });

  it("the editor: beside, root, then agentEtl.envFile (relative to the root), each once", () => {
    assert.deepEqual(editorEnvFiles(pipeline, root, "extra.env"), [join(sub, ".env"), join(root, ".env"), join(root, "extra.env")]);
    assert.deepEqual(editorEnvFiles(join(root, "p.etl.yaml"), root, ""), [join(root, ".env")]);
    const names = envNamesAt(pipeline, root, "extra.env").names;
    for (const n of ["SHARED", "ROOT_ONLY", "BESIDE_ONLY", "FROM_SETTING"]) assert.ok(names.has(n), n);
  });
});
