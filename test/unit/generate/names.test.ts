import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NameSet, tableRef, toIdentifier } from "../../../server/src/generate/names";
import { IDENTIFIER_PATTERN } from "../../../server/src/pipeline/model";

const ID = new RegExp(IDENTIFIER_PATTERN);

describe("generate names", () => {
  it("turns any text into an identifier", () => {
    assert.equal(toIdentifier("Order Items"), "order_items");
    assert.equal(toIdentifier("orderItems"), "order_items");
    assert.match(toIdentifier("2024-raw/"), /^[a-z]_2024_raw$/);
    assert.equal(toIdentifier("Café Crème"), "cafe_creme");
    assert.equal(toIdentifier("!!!"), "unnamed");
    assert.equal(toIdentifier("---", 63, "dataset"), "dataset");
    for (const text of ["", "A".repeat(200), "ünïcödé", "_x_", "9", "a b c", "日本語"]) assert.match(toIdentifier(text), ID, text);
    assert.equal(toIdentifier("a".repeat(100)).length, 63);
  });

  it("resolves clashes with _2, _3 … and stays within the length", () => {
    const names = new NameSet(10);
    assert.equal(names.take("Orders"), "orders");
    assert.equal(names.take("orders"), "orders_2");
    assert.equal(names.take("ORDERS!"), "orders_3");
    const long = ["abcdefghijklmno", "abcdefghijXYZ", "abcdefghij"].map((t) => names.take(t));
    assert.deepEqual(long, ["abcdefghij", "abcdefgh_2", "abcdefgh_3"]);
    for (const n of long) assert.ok(n.length <= 10);
    const reserved = new NameSet(63, ["source"]);
    assert.equal(reserved.take("source"), "source_2");
  });

  it("quotes table names only when PostgreSQL needs it", () => {
    assert.equal(tableRef("public", "orders"), "public.orders");
    assert.equal(tableRef("Sales", "Order Items"), '"Sales"."Order Items"');
    assert.equal(tableRef(undefined, 'we"ird'), '"we""ird"');
  });
});
