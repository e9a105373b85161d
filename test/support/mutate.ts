/**
 * Seeded text mutations of pipeline files, for the fuzz tests (test/unit/pipeline/mutationFuzz.test.ts
 * in process, test/lsp/fuzz.test.ts through the bundled server). A seed gives the same mutations on
 * every machine: `FUZZ_SEED=<n>` replays a run, `FUZZ_COUNT=<n>` changes how many cases it makes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)] as (typeof items)[number] };
}

/**
 * The run's seed: `FUZZ_SEED` when set (`random` for a fresh one), else the UTC day's number. A
 * day's runs all fuzz the same cases, so a red run on one machine is red on every other that day
 * and a fix can be checked against it; the next day covers new ones. The caller prints it.
 */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env["FUZZ_SEED"];
  if (given === "random") return Math.floor(Math.random() * 2 ** 32) >>> 0;
  if (given !== undefined && given !== "") {
    const n = Number(given);
    if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(given)}`);
    return n >>> 0;
  }
  return Math.floor(Date.now() / 86_400_000) >>> 0;
}

/** `FUZZ_COUNT` when set, else `fallback`. */
export function fuzzCount(fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env["FUZZ_COUNT"] ?? "");
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Every pipeline file of the repository's examples and test fixtures: the texts mutated. */
export function pipelineCorpus(root: string): { name: string; text: string }[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name === "node_modules" || name.startsWith(".")) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.etl\.ya?ml$/.test(name)) found.push(path);
    }
  };
  walk(join(root, "examples"));
  walk(join(root, "test"));
  return found.map((path) => ({ name: relative(root, path), text: readFileSync(path, "utf8") }));
}

/** What YAML and pipeline files treat specially: aliases, anchors, merges, tags, flow, quotes, controls, odd Unicode. */
const TOKENS: readonly string[] = [
  "*x", "*a", "&a ", "&a", "<<: *a", "<<: *x", "<<: [*a, *x]", "!!str ", "!!binary ", "!!map ", "!!seq ", "!custom ", "!<tag:x> ",
  "\t", "{", "}", "[", "]", "{}", "[]", "'", '"', "`", ",", ":", ": ", "- ", "? ", "|", "|-", ">", ">+", "#", "%", "@",
  "\u0000", "\u0001", "\u007f", "\r", "\r\n", "\ufeff", "\u2028", "\u0085", "é", "😀", "\u202e", "\u0301", "\ud800", "\udc00", "中文",
  "---", "...", "%YAML 1.2", "${env:", "${env:FUZZ_MISSING}", "${env:PRESENT}", "${file:/nope}", "${", "{{ ds }}", "{{", "}}", "$", "~", "null",
  "true", "0x1F", "1e400", "-.inf", ".nan", "2024-02-30", "@hourly", "* * * * *", "60 25 * * *", "id", "steps", "connections", "depends_on",
];

type Mutation = (text: string, rng: Rng) => string;

const lineStarts = (text: string): number[] => {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0 && i < text.length - 1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
};

const splitLines = (text: string) => text.split("\n");

/** A line of the text that holds `${env:` when there is one (edits before it test moved missing-env ranges), else any line. */
function envLine(lines: string[], rng: Rng): number {
  const withEnv = lines.flatMap((l, i) => (l.includes("${env:") ? [i] : []));
  return withEnv.length > 0 && rng.next() < 0.7 ? rng.pick(withEnv) : rng.int(lines.length);
}

function token(rng: Rng): string {
  const r = rng.next();
  if (r < 0.03) return rng.pick(["x", "é", "a: ", "[", "{{ ds }}", "${env:A}"]).repeat(100 + rng.int(rng.next() < 0.8 ? 400 : 2000));
  return rng.pick(TOKENS);
}

const MUTATIONS: Record<string, Mutation> = {
  deleteLine(text, rng) {
    const lines = splitLines(text);
    lines.splice(rng.int(lines.length), 1);
    return lines.join("\n");
  },
  duplicateLine(text, rng) {
    const lines = splitLines(text);
    const i = rng.int(lines.length);
    lines.splice(i, 0, lines[i] as string);
    return lines.join("\n");
  },
  swapLines(text, rng) {
    const lines = splitLines(text);
    const i = rng.int(lines.length);
    const j = rng.next() < 0.5 ? Math.min(lines.length - 1, i + 1) : rng.int(lines.length);
    [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
    return lines.join("\n");
  },
  insertToken(text, rng) {
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + token(rng) + text.slice(at);
  },
  tokenAfterColon(text, rng) {
    const colons = [...text.matchAll(/: /g)].map((m) => (m.index ?? 0) + 2);
    const at = colons.length > 0 ? rng.pick(colons) : rng.int(text.length + 1);
    return text.slice(0, at) + token(rng) + (rng.next() < 0.5 ? " " : "") + text.slice(at);
  },
  tokenAtLineStart(text, rng) {
    const at = rng.pick(lineStarts(text));
    return text.slice(0, at) + token(rng) + text.slice(at);
  },
  replaceRange(text, rng) {
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + token(rng) + text.slice(at + 1 + rng.int(8));
  },
  deleteRange(text, rng) {
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + text.slice(at + 1 + rng.int(rng.next() < 0.9 ? 10 : 400));
  },
  indent(text, rng) {
    const lines = splitLines(text);
    const i = rng.int(lines.length);
    const line = lines[i] as string;
    const r = rng.next();
    lines[i] = r < 0.35 ? " ".repeat(1 + rng.int(4)) + line : r < 0.7 ? line.replace(/^ {1,2}/, "") : r < 0.85 ? "\t" + line : line.trimStart();
    return lines.join("\n");
  },
  /** A line put in or taken out above a `${env:}` reference (or anywhere): everything after it moves. */
  lineBeforeEnv(text, rng) {
    const lines = splitLines(text);
    const i = envLine(lines, rng);
    const indent = /^ */.exec(lines[i] ?? "")?.[0] ?? "";
    if (rng.next() < 0.3 && i > 0) lines.splice(i - 1 - rng.int(Math.min(i, 3)), 1);
    else lines.splice(i - rng.int(Math.min(i + 1, 3)), 0, rng.pick(["", "# note", `${indent}# note`, `${indent}extra: 1`, `${indent}x: \${env:FUZZ_MISSING_${rng.int(3)}}`]));
    return lines.join("\n");
  },
  /** A value replaced by an environment reference, set or not. */
  envValue(text, rng) {
    const values = [...text.matchAll(/: (\S[^\n]*)/g)];
    if (values.length === 0) return text;
    const m = rng.pick(values);
    const at = (m.index ?? 0) + 2;
    const ref = rng.pick(["${env:FUZZ_MISSING}", "${env:PRESENT}", '"${env:FUZZ_QUOTED}"', "pre-${env:FUZZ_A}-${env:FUZZ_B}", "'${env:FUZZ_SINGLE}'"]);
    return text.slice(0, at) + ref + text.slice(at + (m[1]?.length ?? 0));
  },
  anchorAndAlias(text, rng) {
    const values = [...text.matchAll(/: /g)].map((m) => (m.index ?? 0) + 2);
    if (values.length === 0) return text;
    const at = rng.pick(values);
    const name = rng.pick(["a", "s", "x"]);
    return text.slice(0, at) + (rng.next() < 0.5 ? `&${name} ` : `*${name}`) + text.slice(at);
  },
  mergeLine(text, rng) {
    const lines = splitLines(text);
    const i = rng.int(lines.length);
    const indent = /^ */.exec(lines[i] ?? "")?.[0] ?? "";
    lines.splice(i, 0, `${indent}<<: ${rng.pick(["*a", "*s", "*x", "[*a]", "{}", "1", ""])}`);
    return lines.join("\n");
  },
  truncate(text, rng) {
    return text.slice(0, rng.int(text.length + 1));
  },
  crlf(text, rng) {
    return rng.next() < 0.5 ? text.replace(/\n/g, "\r\n") : text.replace("\n", "\r\n");
  },
};

/**
 * Edits that usually keep the YAML valid, so the rules (and the incremental path's reuse of pieces)
 * run: lines put in or taken out before `${env:}` references, values changed, comments, blank lines.
 */
const GENTLE: Record<string, Mutation> = {
  lineBeforeEnv: MUTATIONS["lineBeforeEnv"] as Mutation,
  envValue: MUTATIONS["envValue"] as Mutation,
  commentLine(text, rng) {
    const lines = splitLines(text);
    const i = rng.int(lines.length);
    lines.splice(i, 0, `${/^ */.exec(lines[i] ?? "")?.[0] ?? ""}# ${rng.pick(["note", "${env:IN_COMMENT}", "é 😀", ""])}`);
    return lines.join("\n");
  },
  blankLines(text, rng) {
    const at = rng.pick(lineStarts(text));
    return text.slice(0, at) + "\n".repeat(1 + rng.int(3)) + text.slice(at);
  },
  plainValue(text, rng) {
    const values = [...text.matchAll(/: ([A-Za-z0-9_./-]+)$/gm)];
    if (values.length === 0) return text;
    const m = rng.pick(values);
    const at = (m.index ?? 0) + 2;
    return text.slice(0, at) + rng.pick(["other", "orders", "1", "true", "x_y", "${env:FUZZ_MISSING}"]) + text.slice(at + (m[1]?.length ?? 0));
  },
  deleteLine: MUTATIONS["deleteLine"] as Mutation,
  duplicateLine: MUTATIONS["duplicateLine"] as Mutation,
};

const NAMES = Object.keys(MUTATIONS);
const GENTLE_NAMES = Object.keys(GENTLE);

/**
 * Mutations of `text`, and their names (for the failure report): half the time one edit that
 * usually keeps the file valid, else one to three of any kind.
 */
export function mutate(text: string, rng: Rng): { text: string; ops: string[] } {
  if (rng.next() < 0.5) {
    const name = rng.pick(GENTLE_NAMES);
    return { text: (GENTLE[name] as Mutation)(text, rng), ops: [name] };
  }
  const ops: string[] = [];
  let out = text;
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const name = rng.pick(NAMES);
    ops.push(name);
    out = (MUTATIONS[name] as Mutation)(out, rng);
  }
  return { text: out, ops };
}

/** Env names the fuzz runs treat as set: `${env:PRESENT}` is, every `FUZZ_*` one is not. */
export const FUZZ_ENV = new Set(["PRESENT", "HOME"]);
