import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectTables } from "../../../server/src/generate/catalogPlan";
import type { PostgresCatalog, TableInfo } from "../../../server/src/sources/analysis/types";

const table = (name: string, kind: TableInfo["kind"], extra: Partial<TableInfo> = {}): TableInfo => ({
  schema: "public", name, kind, columns: [{ name: "id", type: "integer" }], primaryKey: [], foreignKeys: [], rowEstimate: 10, ...extra,
});

const catalog: PostgresCatalog = {
  kind: "catalog",
  schemas: ["public"],
  defaultSchema: "public",
  tables: [
    table("events", "partitioned_table"),
    table("events_2024", "table", { partitionOf: { schema: "public", table: "events" } }),
    table("orders", "table"),
    table("recent_orders", "view"),
  ],
};

describe("which tables a PostgreSQL source generates", () => {
  it("copies base and partitioned tables once: partitions and views are left out by default", () => {
    assert.deepEqual(selectTables(catalog, undefined).map((t) => t.name), ["events", "orders"]);
  });

  it("takes exactly what --include names, partitions and views included", () => {
    assert.deepEqual(selectTables(catalog, ["events_2024", "public.recent_orders"]).map((t) => t.name), ["events_2024", "recent_orders"]);
  });
});
