import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { defaultTarget, parseLocation } from "../../../server/src/generate/location";
import { planPipeline, renderChecked } from "../../../server/src/generate";
import { EtlError } from "../../../server/src/errors";
import type { PostgresCatalog } from "../../../server/src/sources/analysis/types";

describe("generate locations and secrets", () => {
  it("moves a database URL with a password into an env reference", async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const loc = await parseLocation(`postgres://app:${password}@db:5432/shop`, "source", "/tmp");
    assert.equal(loc.type, "postgres");
    assert.deepEqual(loc.written, { type: "postgres", url: "${env:SOURCE_DATABASE_URL}" });
    assert.equal(loc.env[0]?.name, "SOURCE_DATABASE_URL");
    assert.equal(loc.label, "shop");
    const open = await parseLocation("postgresql://app@db/shop", "target", "/tmp");
    assert.deepEqual(open.written, { type: "postgres", url: "postgresql://app@db/shop" });
    assert.deepEqual(open.env, []);
  });

  it("splits an API URL's basic credentials and drops token parameters", async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const loc = await parseLocation(`https://bob:${password}@api.example.com/v1/orders?status=open&api_key=k123`, "source", "/tmp");
    assert.equal(loc.type, "http");
    assert.deepEqual(loc.written, { type: "http", base_url: "https://api.example.com", auth: { type: "basic", username: "bob", password: "${env:SOURCE_API_PASSWORD}" } });
    assert.equal(loc.endpoint?.path, "/v1/orders");
    assert.equal(loc.endpoint?.query.toString(), "status=open");
    assert.equal(loc.endpoint?.liveQuery.get("api_key"), "k123");
    assert.match(loc.notes.join("\n"), /api_key/);
    assert.equal(loc.env[0]?.value, password);
  });

  it("reads S3 options from the URL", async () => {
    const loc = await parseLocation("s3://lake/raw/sales?endpoint=http://127.0.0.1:9000&region=us-east-1&force_path_style=true", "source", "/tmp");
    assert.deepEqual(loc.written, { type: "s3", bucket: "lake", region: "us-east-1", endpoint: "http://127.0.0.1:9000", force_path_style: true, prefix: "raw/sales/" });
  });

  it("makes folders relative to the written file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gen-loc-"));
    mkdirSync(join(dir, "data"));
    const loc = await parseLocation("data", "source", join(dir, "pipelines"), dir);
    assert.deepEqual(loc.written, { type: "file", root: "../data" });
    await assert.rejects(parseLocation("missing", "source", dir, dir), /does not exist/);
    await assert.rejects(parseLocation("ftp://x/y", "source", dir, dir), (e: unknown) => e instanceof EtlError && e.code === "usage");
  });

  it("never writes the password into the generated file", async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const source = await parseLocation(`postgres://app:${password}@db:5432/shop`, "source", "/tmp");
    const target = await parseLocation(`postgres://etl:${password}x@wh:5432/dw`, "target", "/tmp");
    const catalog: PostgresCatalog = {
      kind: "catalog",
      schemas: ["public"],
      defaultSchema: "public",
      tables: [
        { schema: "public", name: "Users", kind: "table", primaryKey: ["id"], foreignKeys: [], rowEstimate: 3, columns: [
          { name: "id", type: "integer", nullable: false, sqlType: "integer" },
          { name: "updated_at", type: "timestamp", nullable: false, sqlType: "timestamp with time zone" },
          { name: "balance", type: "decimal", nullable: true, sqlType: "numeric(12,2)" },
        ] },
      ],
    };
        const plan = planPipeline({ kind: "catalog", source, catalog }, { target, targetDefaulted: false });
    const result = renderChecked(plan, [...source.env, ...target.env], []);
    assert.ok(!result.text.includes(password), "no password in the file");
    assert.match(result.text, /url: \$\{env:SOURCE_DATABASE_URL\}/);
    assert.match(result.text, /url: \$\{env:TARGET_DATABASE_URL\}/);
    assert.deepEqual(result.env.map((e) => e.name), ["SOURCE_DATABASE_URL", "TARGET_DATABASE_URL"]);
    assert.ok(!JSON.stringify(result.env).includes(password));
    assert.match(result.text, /incremental:\n\s+column: updated_at/);
    assert.match(result.text, /mode: merge\n\s+key: \[id\]/);
    assert.match(result.text, /balance: decimal/);
    const file = renderChecked(planPipeline({ kind: "catalog", source, catalog }, { target: await defaultTarget("/tmp/x"), targetDefaulted: true }), source.env, []);
    assert.match(file.text, /root: \.\/out/);
    assert.doesNotMatch(file.text, /incremental:/);
    assert.match(file.text, /Not incremental on updated_at: the target is rewritten/);
  });
});
