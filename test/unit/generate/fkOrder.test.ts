import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { orderByForeignKeys, type FkNode } from "../../../server/src/generate/fkOrder";

const node = (id: string, ...refs: (string | [string, boolean])[]): FkNode => ({
  id,
  foreignKeys: refs.map((r) => {
    const [to, nullable] = typeof r === "string" ? [r, false] : r;
    return { constraint: `${id}_${to}_fkey`, references: to, nullable };
  }),
});

function assertReferencedFirst(order: string[], nodes: FkNode[], dropped: Set<string>): void {
  const pos = new Map(order.map((id, i) => [id, i]));
  for (const n of nodes) for (const fk of n.foreignKeys) {
    if (fk.references === n.id || dropped.has(fk.constraint) || !pos.has(fk.references)) continue;
    assert.ok((pos.get(fk.references) as number) < (pos.get(n.id) as number), `${fk.references} before ${n.id}`);
  }
}

describe("foreign key order", () => {
  it("puts a chain's referenced tables first and keeps input order for ties", () => {
    const nodes = [node("order_items", "orders", "products"), node("orders", "customers"), node("customers"), node("products"), node("audit")];
    const result = orderByForeignKeys(nodes);
    assert.deepEqual(result.order, ["customers", "orders", "products", "order_items", "audit"]);
    assert.deepEqual(result.dependsOn.get("order_items"), ["orders", "products"]);
    assert.deepEqual(result.dropped, []);
  });

  it("ignores self references and reports references outside the set", () => {
    const result = orderByForeignKeys([node("employees", "employees", "departments")]);
    assert.deepEqual(result.order, ["employees"]);
    assert.deepEqual(result.dependsOn.get("employees"), []);
    assert.deepEqual(result.outside, [{ from: "employees", to: "departments", constraint: "employees_departments_fkey" }]);
  });

  it("breaks a cycle on its nullable edge and names the cycle", () => {
    // a → b → c → a; only c → a is nullable
    const nodes = [node("a", "b"), node("b", "c"), node("c", ["a", true]), node("d", "a")];
    const result = orderByForeignKeys(nodes);
    assert.equal(result.dropped.length, 1);
    const d = result.dropped[0];
    assert.equal(d?.constraint, "c_a_fkey");
    assert.equal(d?.nullable, true);
    assert.deepEqual(d?.cycle, ["c", "a", "b", "c"]);
    assert.deepEqual(result.order, ["c", "b", "a", "d"]);
    assertReferencedFirst(result.order, nodes, new Set(["c_a_fkey"]));
  });

  it("breaks several interlocking cycles and always returns every node", () => {
    const nodes = [node("a", "b", "c"), node("b", "a"), node("c", "a", "d"), node("d", "c"), node("e", "d")];
    const result = orderByForeignKeys(nodes);
    assert.equal(result.order.length, 5);
    assert.ok(result.dropped.length >= 2);
    for (const d of result.dropped) assert.equal(d.cycle[0], d.cycle[d.cycle.length - 1]);
    assertReferencedFirst(result.order, nodes, new Set(result.dropped.map((d) => d.constraint)));
  });

  it("orders a long chain without deep recursion", () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => node(`t${i}`, ...(i > 0 ? [`t${i - 1}`] : [])));
    const result = orderByForeignKeys([...nodes].reverse());
    assert.equal(result.order[0], "t0");
    assert.equal(result.order[19_999], "t19999");
  });
});
