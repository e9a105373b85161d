/** The CLI's log output (server/src/cli/log.ts) as a user sees it on stderr of the real dist/cli.js. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createLogger, onTerminalLog } from "../../../server/src/cli/log";
import { coverageEnv } from "../../support/coverageEnv";
import { poll } from "../../support/poll";
import { VALID } from "../helpers";

const CLI = join(__dirname, "../../../dist/cli.js");
const dir = mkdtempSync(join(tmpdir(), "agent-etl-log-"));
const file = join(dir, "valid.etl.yaml");
writeFileSync(file, VALID);
after(() => rmSync(dir, { recursive: true, force: true }));

function validate(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, "validate", file], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...coverageEnv(), ...env } });
  return { code: r.status, stderr: r.stderr };
}

describe("agent-etl logging", () => {
  for (const [env, named, valid] of [
    [{ LOG_LEVEL: "LOUD", LOG_FORMAT: "json" }, 'LOG_LEVEL="LOUD"', "trace, debug, info, warn, error, fatal, silent"],
    [{ LOG_LEVEL: "verbose" }, 'LOG_LEVEL="verbose"', "trace, debug, info, warn, error, fatal, silent"],
    [{ LOG_FORMAT: "xml" }, 'LOG_FORMAT="xml"', "json, pretty"],
    [{ LOG_FORMAT: "JSON " }, 'LOG_FORMAT="JSON "', "json, pretty"],
  ] as const) {
    it(`${named} is a usage error naming the valid values, before the command runs`, () => {
      const r = validate(env);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]?.startsWith(`agent-etl: ${named} is not a log `), r.stderr);
      assert.ok(lines[0]?.endsWith(`use one of ${valid}`), r.stderr);
    });
  }

  it("an empty LOG_LEVEL or LOG_FORMAT is unset", () => {
    const r = validate({ LOG_LEVEL: "", LOG_FORMAT: "" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
  });

  it("LOG_LEVEL is read whatever its case", () => {
    const r = validate({ LOG_LEVEL: "DEBUG", LOG_FORMAT: "json" });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.split("\n").some((l) => l.includes('"msg":"validated"')), r.stderr);
  });

  it("LOG_FORMAT=pretty writes readable lines, not JSON", () => {
    const r = validate({ LOG_LEVEL: "debug", LOG_FORMAT: "pretty" });
    assert.equal(r.code, 0);
    const first = r.stderr.trim().split("\n")[0] ?? "";
    assert.match(first, /DEBUG/);
    assert.throws(() => JSON.parse(first));
  });

  it("LOG_LEVEL=silent writes nothing to stderr", () => {
    const r = validate({ LOG_LEVEL: "silent", LOG_FORMAT: "json" });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
  });
});

describe("log lines on a terminal", () => {
  it("pretty lines escape control characters from messages and fields; JSON lines keep the values", () => {
    const hostile = "bad \u001b[2J\u0007 value";
    const outputs: Record<string, string> = {};
    for (const format of ["pretty", "json"]) {
      const out = join(dir, `controls-${format}.log`);
      const fd = openSync(out, "w");
      try {
        const logger = createLogger({ LOG_FORMAT: format, LOG_LEVEL: "info" }, false, fd);
        logger.error({ step: hostile, err: new Error(hostile), nested: { list: [hostile] } }, `step failed: ${hostile}`);
        logger.flush();
      } finally {
        closeSync(fd);
      }
      outputs[format] = readFileSync(out, "utf8");
    }
    // eslint-disable-next-line no-control-regex -- the test looks for raw control characters
    assert.doesNotMatch(outputs.pretty ?? "", /[\u0000-\u0008\u000b-\u001f]/);
    assert.match(outputs.pretty ?? "", /bad \\u001b\[2J\\u0007 value/);
    // An error keeps its message (serialized as pino would), escaped like the rest.
    assert.ok((outputs.pretty ?? "").includes('"message": "bad \\\\u001b[2J'), outputs.pretty);
    const entry = JSON.parse(outputs.json ?? "") as { msg: string; step: string; nested: { list: string[] } };
    assert.equal(entry.msg, `step failed: ${hostile}`);
    assert.equal(entry.step, hostile);
    assert.deepEqual(entry.nested.list, [hostile]);
  });

  for (const format of ["pretty", "json"]) {
    it(`run the terminal hook before each ${format} line is written, so a live block can erase itself first`, async () => {
      const out = join(dir, `tty-${format}.log`);
      const fd = openSync(out, "w");
      const sizesAtHook: number[] = [];
      onTerminalLog(() => sizesAtHook.push(statSync(out).size));
      try {
        const logger = createLogger({ LOG_FORMAT: format, LOG_LEVEL: "info" }, true, fd);
        logger.warn({ table: "orders" }, "first");
        logger.info("second");
        logger.flush();
        await poll("the second line", () => (readFileSync(out, "utf8").includes("second") ? true : undefined), 5000, 10);
      } finally {
        onTerminalLog(undefined);
        closeSync(fd);
      }
      const text = readFileSync(out, "utf8");
      const secondStart = text.lastIndexOf("\n", text.indexOf("second")) + 1;
      // Each call came before its own entry: the file was empty at the first, and held exactly the first entry at the second.
      assert.deepEqual(sizesAtHook, [0, Buffer.byteLength(text.slice(0, secondStart))]);
      assert.match(text, /first/);
    });
  }
});
