/**
 * Faults the real S3-compatible server will not produce on demand — throttling, 5xx, a connection
 * dropped in the middle of a GET — from a loopback HTTP server speaking S3's error format, to
 * prove they are classified transient (the runner retries them) and say where they happened.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Extract } from "../../../server/src/pipeline/model";
import { s3Connector } from "../../../server/src/sources/s3/connector";
import { collect, context } from "./helpers";

let server: Server;
let endpoint: string;
const hits = new Map<string, number>();

function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>r1</RequestId></Error>`;
}

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/$/, ""); // `/bucket/?list-type=2` lists
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === "/slow-bucket") {
      res.writeHead(503, { "content-type": "application/xml" }).end(s3Error("SlowDown", "Please reduce your request rate."));
    } else if (path === "/broken-bucket") {
      res.writeHead(500, { "content-type": "application/xml" }).end(s3Error("InternalError", "We encountered an internal error."));
    } else if (path === "/b/cut.csv") {
      res.writeHead(200, { "content-type": "text/csv", "content-length": "100000" });
      res.write("id,name\n1,a\n2,b\n");
      setImmediate(() => res.socket?.destroy());
    } else {
      res.writeHead(404, { "content-type": "application/xml" }).end(s3Error("NoSuchKey", "no"));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await s3Connector.close?.();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function connection(bucket: string) {
  return { type: "s3", bucket, region: "us-east-1", endpoint, force_path_style: true, access_key_id: "AKIDEXAMPLE", secret_access_key: "fault-test-secret" };
}

async function extract(bucket: string, key: string) {
  const result = await s3Connector.extract({ ...context(connection(bucket), ["fault-test-secret"]), extract: { connection: "lake", key } as Extract });
  return collect(result.records);
}

describe("s3 transient faults", () => {
  it("throttling (503 SlowDown) is transient, after the SDK's own short retries", async () => {
    await assert.rejects(extract("slow-bucket", "*.csv"), (err: Error & { code?: string; transient?: boolean }) => {
      assert.equal(err.code, "s3-unavailable");
      assert.equal(err.transient, true);
      assert.match(err.message, /SlowDown/);
      return true;
    });
    assert.equal(hits.get("/slow-bucket"), 3, "three attempts inside the SDK");
  });

  it("a 500 InternalError is transient", async () => {
    await assert.rejects(extract("broken-bucket", "*.csv"), { code: "s3-unavailable", transient: true });
  });

  it("a connection dropped in the middle of an object is transient and names the object", async () => {
    await assert.rejects(extract("b", "cut.csv"), (err: Error & { code?: string; transient?: boolean }) => {
      assert.equal(err.transient, true, `${err.code}: ${err.message}`);
      assert.match(err.message, /s3:\/\/b\/cut\.csv/);
      assert.ok(!err.message.includes("fault-test-secret"));
      return true;
    });
  });
});
