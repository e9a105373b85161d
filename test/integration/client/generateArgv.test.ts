/**
 * Generate Pipeline with a typed PostgreSQL URL: the extension's call starts the real CLI, whose
 * arguments (what `ps` shows every user) must not hold the password. A loopback server speaking the
 * start of the PostgreSQL protocol asks for the password in clear, so the test sees it arrive (it
 * did reach the CLI, through the environment) while the process's command line is read.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateArgs, generateListArgs, type CliCall } from "../../../client/src/run/cliArgs";

const CLI = join(__dirname, "../../../dist/cli.js");

/** Accepts one PostgreSQL client, asks for a cleartext password, and resolves with it and the socket. */
async function passwordCatcher(): Promise<{ port: number; password: Promise<{ password: string; socket: Socket }>; close: () => void }> {
  let deliver: (v: { password: string; socket: Socket }) => void = () => undefined;
  const password = new Promise<{ password: string; socket: Socket }>((resolve) => (deliver = resolve));
  const server = createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!started && buffer.length >= 8) {
        const length = buffer.readInt32BE(0);
        if (buffer.readInt32BE(4) === 80877103) {
          socket.write("N"); // SSLRequest: no TLS here
          buffer = buffer.subarray(8);
          return;
        }
        if (buffer.length < length) return;
        buffer = buffer.subarray(length);
        started = true;
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
      }
      if (started && buffer.length >= 5 && buffer[0] === 0x70) {
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        deliver({ password: buffer.subarray(5, length).toString("utf8").replace(/\0$/, ""), socket });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, password, close: () => server.close() };
}

async function argvWhileConnected(call: CliCall, secret: string): Promise<string[]> {
  const catcher = await passwordCatcher();
  const url = `postgres://etl:${secret}@127.0.0.1:${catcher.port}/shop`;
  const withUrl: CliCall = { args: call.args, env: Object.fromEntries(Object.entries(call.env).map(([k, v]) => [k, v.replace("URL", url)])) };
  const child = spawn(process.execPath, [CLI, ...withUrl.args], { env: { ...process.env, ...withUrl.env, LOG_LEVEL: "silent" }, stdio: "ignore" });
  try {
    const caught = await catcher.password;
    assert.equal(caught.password, secret, "the password reached the server: the CLI had it");
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
    caught.socket.destroy();
    return argv;
  } finally {
    child.kill();
    catcher.close();
  }
}

describe("Generate Pipeline keeps a typed password out of the CLI's arguments", () => {
  it("--list and the writing call: the password is sent to the server, and absent from /proc/PID/cmdline", { timeout: 30_000 }, async () => {
    for (const call of [generateListArgs("URL"), generateArgs({ from: "URL", to: "URL", outFile: join(__dirname, "never-written.etl.yaml") })]) {
      const secret = `pw-${randomBytes(9).toString("hex")}`;
      const argv = await argvWhileConnected(call, secret);
      assert.ok(argv.includes(CLI) && argv.includes("generate"), `the process is the CLI: ${argv.join(" ")}`);
      assert.ok(!argv.join(" ").includes(secret), `argv shows the password: ${argv.join(" ")}`);
    }
  });
});
