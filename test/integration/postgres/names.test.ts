/** Names PostgreSQL would cut to 63 bytes are refused, never sent: two long names cannot become one table. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectorError } from "../../../server/src/errors";
import { postgresConnector } from "../../../server/src/sources/postgres";
import { loadRequest, pgConnection, stream, testDatabase } from "./helpers";

const DB = "names";

const db = testDatabase(DB);

const prefix = "orders_from_the_very_long_named_upstream_system_of_record_kept_";

describe("PostgreSQL names over 63 bytes", () => {
  it("a replace into a second long table name fails and leaves the first table whole", async () => {
    const first = `${prefix.slice(0, 63)}`;
    await postgresConnector.load(loadRequest(pgConnection(db.url), first, stream([{ id: 1 }, { id: 2 }])));
    const second = `${prefix}2024`;
    await assert.rejects(postgresConnector.load(loadRequest(pgConnection(db.url), second, stream([{ id: 9 }]), { mode: "replace" })), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, "postgres-identifier");
      assert.match(err.message, /is 67 bytes long; PostgreSQL keeps only the first 63 bytes/);
      return true;
    });
    assert.deepEqual(await db.pg.query(`SELECT id::int FROM "${first}" ORDER BY id`, [], DB), [{ id: 1 }, { id: 2 }]);
  });

  it("a record column over 63 bytes (e.g. a CSV header) fails the load instead of being cut", async () => {
    const long = `${"é".repeat(30)}_amount`;
    await assert.rejects(postgresConnector.load(loadRequest(pgConnection(db.url), "wide", stream([{ id: 1, [long]: 5, [`${long}_2`]: 6 }]))), /the name `é+_amount` is 67 bytes long/);
    assert.deepEqual(await db.pg.query("SELECT to_regclass('wide') IS NULL AS missing", [], DB), [{ missing: true }]);
  });
});
