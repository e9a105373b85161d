import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import pino from "pino";
import { scrubbingLogger } from "../../../server/src/runner/safeLogger";

describe("scrubbing logger", () => {
  it("removes secret values from messages, fields, errors and child bindings", () => {
    const secret = randomBytes(12).toString("hex");
    let out = "";
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = scrubbingLogger(pino({ level: "trace" }, sink), [secret]);
    log.info(`connecting with ${secret}`);
    log.warn({ host: `db-${secret}.internal`, nested: { list: [secret] } }, "retrying");
    log.child({ dsn: `postgres://u:${secret}@h/db` }).error({ err: new Error(`auth failed for ${secret}`) }, "failed %s", secret);
    assert.ok(out.length > 0);
    assert.ok(!out.includes(secret), out);
    assert.match(out, /connecting with \*\*\*/);
    assert.match(out, /auth failed for \*\*\*/);
  });
});
