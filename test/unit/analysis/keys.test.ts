/** Pure parts of live analysis: cache keys, fingerprints, record detection, extract → request, text report. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Connection, Extract, Pipeline } from "../../../server/src/pipeline/model";
import { defaultCacheDir } from "../../../server/src/sources/analysis/diskStore";
import { cacheKey, connectionFingerprint, connectionSecretValues, stableJson } from "../../../server/src/sources/analysis/fingerprint";
import { folderPrefix } from "../../../server/src/sources/analysis/folders";
import { connectionRequests, extractRequest } from "../../../server/src/sources/analysis/report";
import { renderReportText } from "../../../server/src/sources/analysis/reportText";
import { templatesAsGlobs } from "../../../server/src/sources/analysis/templatesGlob";
import { detectRecords } from "../../../server/src/sources/http/analyze";

const pgConn = (url: string) => ({ type: "postgres", url }) as Connection;

describe("cache keys", () => {
  it("writes stable JSON whatever the key order, dropping undefined", () => {
    assert.equal(stableJson({ b: 1, a: { d: [1, undefined], c: "x" }, e: undefined }), '{"a":{"c":"x","d":[1,null]},"b":1}');
  });

  it("fingerprints a connection without its secrets in clear; file roots depend on the base folder", () => {
    const secret = "S3cr3t-Pa55word";
    const fp = connectionFingerprint({ connection: pgConn(`postgres://u:${secret}@h/db`), baseDir: "/a" });
    assert.match(fp, /^[0-9a-f]{64}$/);
    assert.equal(fp, connectionFingerprint({ connection: pgConn(`postgres://u:${secret}@h/db`), baseDir: "/elsewhere" }));
    assert.notEqual(fp, connectionFingerprint({ connection: pgConn("postgres://u:other@h/db"), baseDir: "/a" }));
    const file = { type: "file", root: "data" } as Connection;
    assert.notEqual(connectionFingerprint({ connection: file, baseDir: "/a" }), connectionFingerprint({ connection: file, baseDir: "/b" }));
    assert.equal(cacheKey(fp, { kind: "folder", prefix: "", limit: 5 }), cacheKey(fp, { limit: 5, prefix: "", kind: "folder" } as never));
    assert.notEqual(cacheKey(fp, { kind: "folder", prefix: "" }), cacheKey(fp, { kind: "folder", prefix: "a/" }));
  });

  it("finds every literal secret of a connection", () => {
    assert.deepEqual(connectionSecretValues(pgConn("postgres://u:p%40ss@h/db")), ["p@ss", "p%40ss"]);
    assert.deepEqual(connectionSecretValues({ type: "http", base_url: "https://x", auth: { type: "bearer", token: "tok" }, headers: { "X-Api-Key": "k1", Accept: "json" } } as Connection), ["tok", "k1"]);
  });

  it("puts the cache under XDG_CACHE_HOME, else ~/.cache", () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" }), "/xdg/agent-etl/analysis");
    assert.match(defaultCacheDir({}), /\.cache\/agent-etl\/analysis$/);
  });
});

describe("request helpers", () => {
  it("finds the first array of objects breadth first", () => {
    assert.equal(detectRecords([{ a: 1 }]), "");
    assert.equal(detectRecords({ meta: { n: 1 }, data: { items: [{ id: 1 }] }, tags: ["x"] }), "data.items");
    assert.equal(detectRecords({ a: [1, 2], b: [] }), undefined);
  });

  it("samples templated keys through any value and normalizes folders", () => {
    assert.equal(templatesAsGlobs("raw/{{ ds }}/{{params.region}}-*.csv"), "raw/*/*-*.csv");
    assert.equal(folderPrefix("/raw"), "raw/");
    assert.equal(folderPrefix(""), "");
  });

  it("turns each extract into the request analysis makes for it", () => {
    const extract = (e: Partial<Extract>) => ({ connection: "c", ...e }) as Extract;
    assert.deepEqual(extractRequest(pgConn("postgres://h/db"), extract({ query: "SELECT 1" })), { kind: "query-columns", query: "SELECT 1" });
    assert.equal(extractRequest(pgConn("postgres://h/db"), extract({ table: "t" })), undefined);
    assert.deepEqual(extractRequest({ type: "s3", bucket: "b" } as Connection, extract({ key: "a/*.csv", csv: { delimiter: ";" } })), { kind: "data-columns", key: "a/*.csv", csv: { delimiter: ";" } });
    assert.deepEqual(extractRequest({ type: "http", base_url: "x" } as Connection, extract({ path: "/u", method: "POST", query: { a: 1 }, body: { b: 2 }, records: "data" })), {
      kind: "http-sample",
      path: "/u",
      method: "POST",
      query: { a: 1 },
      body: { b: 2 },
      records: "data",
    });
    const pipeline = { steps: [{ id: "a", extract: extract({ connection: "db", query: "SELECT 2" }) }, { id: "b", extract: extract({ connection: "other", query: "x" }) }] } as unknown as Pipeline;
    assert.deepEqual(connectionRequests(pipeline, "db", pgConn("postgres://h/db")), [
      { step: null, request: { kind: "catalog" } },
      { step: "a", request: { kind: "query-columns", query: "SELECT 2" } },
    ]);
  });
});

describe("text report", () => {
  it("aligns columns and shows keys, foreign keys, failures", () => {
    const text = renderReportText({
      ok: false,
      connections: [
        {
          name: "db",
          type: "postgres",
          analyses: [
            {
              step: null,
              request: { kind: "catalog" },
              result: {
                kind: "catalog",
                schemas: ["public"],
                defaultSchema: "public",
                tables: [
                  {
                    schema: "public",
                    name: "orders",
                    kind: "table",
                    primaryKey: ["id"],
                    rowEstimate: 12,
                    columns: [
                      { name: "id", type: "integer", nullable: false, sqlType: "bigint" },
                      { name: "customer_id", type: "integer", nullable: true, sqlType: "bigint" },
                    ],
                    foreignKeys: [{ name: "fk", columns: ["customer_id"], references: { schema: "public", table: "customers", columns: ["id"] } }],
                  },
                ],
              },
            },
          ],
        },
        { name: "api", type: "http", analyses: [{ step: "users", request: { kind: "http-sample", path: "/u" }, error: { code: "http-401", message: "GET /u answered HTTP 401" } }] },
      ],
    });
    assert.equal(
      text,
      [
        "db (postgres)",
        "  schemas: public; default schema public; 1 relation",
        "  public.orders (table, ~12 rows)",
        "      id           integer  bigint  not null  PK",
        "      customer_id  integer  bigint",
        "      foreign key fk (customer_id) → public.customers (id)",
        "",
        "api (http)",
        "  step users: GET /u — unavailable: GET /u answered HTTP 401 [http-401]",
      ].join("\n"),
    );
  });
});
