// Usage mistakes: a mistyped command or option gets the one meant; options that would be ignored,
// conflict, or are given twice with different values are refused. Each is exit 2 with one line.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import type { Io } from "../../../server/src/cli/command";
import { loadCommands, main } from "../../../server/src/cli/main";
import { VALID } from "../helpers";

const CLI = join(__dirname, "../../../dist/cli.js");
const dir = mkdtempSync(join(tmpdir(), "agent-etl-usage-"));
const valid = join(dir, "valid.etl.yaml");
writeFileSync(valid, VALID);

async function usage(argv: string[]): Promise<string> {
  const err: string[] = [];
  const io: Io = { stdout: () => undefined, stderr: (t) => err.push(t), logger: pino({ level: "silent" }), env: {}, cwd: dir };
  const code = await main(argv, io);
  assert.equal(code, 2, `${argv.join(" ")}: exit ${code}, ${err.join("")}`);
  assert.equal(err.length, 1, err.join(""));
  return err[0] as string;
}

/** Every way of mistyping a word by one edit that keeps it at least 4 letters: a letter dropped, two swapped. */
function typos(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
  for (let i = 0; i + 1 < word.length; i++) out.add(word.slice(0, i) + (word[i + 1] as string) + (word[i] as string) + word.slice(i + 2));
  out.delete(word);
  return [...out].filter((t) => t.length >= 4);
}

/** Whether `b` is `a` with one letter inserted, removed or replaced. */
function oneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + (a.length >= b.length ? 1 : 0)) === b.slice(i + (b.length >= a.length ? 1 : 0));
}

describe("usage errors", () => {
  it("a mistyped command names the command meant (every command, every one-letter slip)", async () => {
    const commands = await loadCommands();
    let tried = 0;
    for (const c of commands) {
      for (const typo of typos(c.name)) {
        // As close to another command (`rusn`: `runs` swapped, `run` plus a letter): either may be offered.
        if (commands.some((o) => o.name === typo || (o.name !== c.name && oneEdit(o.name, typo)))) continue;
        assert.match(await usage([typo, valid]), new RegExp(`^agent-etl: unknown command \`${typo}\` — did you mean \`${c.name}\`\\?; commands: validate, dag, preview, run`));
        tried++;
      }
    }
    assert.ok(tried > 40, `tried ${tried}`);
  });

  it("a mistyped option names the option meant (every long option of every command)", async () => {
    const commands = await loadCommands();
    let tried = 0;
    for (const c of commands) {
      const names = Object.keys(c.options);
      for (const name of names.filter((n) => n.length >= 5)) {
        for (const typo of typos(name)) {
          // A slip that is as close to another option is ambiguous: any of them may be offered.
          const rivals = names.filter((n) => n !== name && typos(n).includes(typo));
          if (names.includes(typo) || rivals.length > 0) continue;
          const line = await usage([c.name, `--${typo}`, "x"]);
          assert.match(line, new RegExp(`^agent-etl: ${c.name}: unknown option '--${typo}' — did you mean --${name}\\?; its options: `), line);
          tried++;
        }
      }
    }
    assert.ok(tried > 100, `tried ${tried}`);
  });

  it("an option given twice with different values is refused; the same value twice, or a repeatable option, is not", async () => {
    assert.equal(await usage(["validate", "--format", "json", "--format=text", valid]), 'agent-etl: validate: --format is given twice, as "json" and "text"; give it once (see agent-etl validate --help)');
    assert.match(await usage(["export", "airflow", valid, "-o", "a", "--out", "b"]), /^agent-etl: export: --out is given twice, as "a" and "b"; give it once/);
    const quiet: Io = { stdout: () => undefined, stderr: () => undefined, logger: pino({ level: "silent" }), env: {}, cwd: dir };
    assert.equal(await main(["validate", "--format", "json", "--format", "json", valid], quiet), 0);
    assert.equal(await main(["run", valid, "--step", "orders", "--step", "paid", "--dry-run"], quiet), 0);
  });

  it("options that would be ignored or contradict each other are refused, saying why", async () => {
    const cases: [string[], RegExp][] = [
      [["export", "airflow", valid, "-o", "-", "--check"], /^agent-etl: export: --check and -o - cannot go together: --check compares the DAG file in the -o folder/],
      [["generate", "--from", dir, "--list", "-o", "out.etl.yaml"], /^agent-etl: generate: --list and -o cannot go together: --list prints what the source offers and writes no pipeline/],
      [["generate", "--from", dir, "--list", "--to", "/tmp/x"], /^agent-etl: generate: --list and --to cannot go together/],
      [["generate", "--from", dir, "--format", "json"], /^agent-etl: generate: --format only applies with --list: --format is the format of --list/],
      [["generate", "--from", dir, "--force"], /^agent-etl: generate: --force only applies with --output \(-o\): --force lets -o overwrite an existing file/],
      [["run", valid, "--step", "orders", "--resume"], /^agent-etl: run: --resume and --step cannot go together/],
    ];
    for (const [argv, pattern] of cases) assert.match(await usage(argv), pattern);
  });

  it("from the built CLI: exit 2, one line on stderr, nothing on stdout", () => {
    for (const argv of [["valdate", valid], ["validate", "--fromat", "json", valid], ["export", "airflow", valid, "-o", "-", "--check"]]) {
      const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: "utf8", env: { PATH: process.env.PATH } });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /did you mean|cannot go together/);
    }
  });
});
