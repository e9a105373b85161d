import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { columnsAt, expressionType, fieldsOf, propagateColumns, PropagationMemo, unknownColumns, upstreamOf, type Column, type ColumnSet } from "../../../server/src/pipeline/columns";
import { PiecewiseValidator } from "../../../server/src/pipeline/piecewise";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { locate, yaml } from "../helpers";

const ORDERS: Column[] = [
  { name: "id", type: "integer" },
  { name: "customer_id", type: "integer" },
  { name: "amount", type: "decimal" },
  { name: "status", type: "string" },
];
const CUSTOMERS: Column[] = [
  { name: "id", type: "integer" },
  { name: "name", type: "string" },
  { name: "status", type: "string" },
];

function pipeline(...steps: string[]): string {
  return yaml(
    "version: 1",
    "name: p",
    "connections:",
    "  db: {type: postgres, url: postgres://localhost/db}",
    "steps:",
    "  - id: orders",
    "    extract: {connection: db, table: public.orders}",
    "  - id: customers",
    "    extract: {connection: db, table: public.customers}",
    ...steps,
  );
}

function run(text: string, sources: Record<string, ColumnSet> = { orders: ORDERS, customers: CUSTOMERS }) {
  const v = validatePipeline(text);
  const prop = propagateColumns(v.outline, v.dag, new Map(Object.entries(sources)));
  const out = (id: string) => {
    const o = prop.steps.get(id)?.output;
    return o === "unknown" || o === undefined ? o : o.map((c) => `${c.name}:${c.type ?? "?"}`).join(" ");
  };
  return { v, prop, out, problems: locate(text, unknownColumns(prop)) };
}

const transform = (...ops: string[]) => pipeline("  - id: t", "    depends_on: [orders, customers]", "    transform:", ...ops.map((o) => `      - ${o}`));

describe("schema propagation through every op", () => {
  it("extract: the source's columns; `columns` picks them; unknown source stays unknown", () => {
    const { out } = run(pipeline());
    assert.equal(out("orders"), "id:integer customer_id:integer amount:decimal status:string");
    const picked = run(pipeline().replace("table: public.orders}", "table: public.orders, columns: [amount, id]}"));
    assert.equal(picked.out("orders"), "amount:decimal id:integer");
    assert.equal(run(pipeline(), {}).out("orders"), "unknown");
    assert.equal(run(pipeline().replace("table: public.orders}", "table: public.orders, columns: [amount]}"), {}).out("orders"), "amount:?");
  });

  it("select keeps order and types; drop removes; rename renames in place", () => {
    assert.equal(run(transform("select: [status, id]")).out("t"), "status:string id:integer");
    assert.equal(run(transform("drop: [status, customer_id]")).out("t"), "id:integer amount:decimal");
    assert.equal(run(transform("rename: {amount: total}")).out("t"), "id:integer customer_id:integer total:decimal status:string");
  });

  it("cast sets the type; filter, dedupe and limit pass the columns through", () => {
    assert.equal(run(transform("cast: {amount: number, id: string}")).out("t"), "id:string customer_id:integer amount:number status:string");
    assert.equal(run(transform("filter: amount > 0", "dedupe: [id]", "limit: 10")).out("t"), "id:integer customer_id:integer amount:decimal status:string");
  });

  it("derive: JSONata result types when knowable, later expressions see earlier columns", () => {
    const { out, problems } = run(transform("derive: {cents: amount * 100, upper: $uppercase(status), big: cents > 10, copy: status, odd: $foo(id), both: $string(id) & 'x'}"));
    assert.equal(out("t"), "id:integer customer_id:integer amount:decimal status:string cents:number upper:string big:boolean copy:string odd:? both:string");
    assert.deepEqual(problems, []);
  });

  it("join: the right side's non-key columns, a clash becomes `<with>_<col>` (as join.ts does)", () => {
    const { out } = run(transform("join: {with: customers, on: {customer_id: id}}"));
    assert.equal(out("t"), "id:integer customer_id:integer amount:decimal status:string customers_name:string customers_status:string".replace("customers_name", "name"));
    const same = run(transform("join: {with: customers, on: id}"));
    assert.equal(same.out("t"), "id:integer customer_id:integer amount:decimal status:string name:string customers_status:string");
    assert.equal(run(transform("join: {with: customers, on: id}"), { orders: ORDERS }).out("t"), "unknown");
  });

  it("aggregate decides its own columns, even when the input is unknown", () => {
    const agg = "aggregate: {group_by: [status], metrics: {n: count(), total: sum(amount), top: max(amount), mean: avg(id), ids: sum(id)}}";
    assert.equal(run(transform(agg)).out("t"), "status:string n:integer total:decimal top:decimal mean:number ids:integer");
    assert.equal(run(transform(agg), {}).out("t"), "status:? n:integer total:number top:? mean:number ids:number");
  });

  it("select decides its set too; other ops on an unknown input stay unknown", () => {
    assert.equal(run(transform("select: [a, b]"), {}).out("t"), "a:? b:?");
    for (const op of ["drop: [a]", "rename: {a: b}", "cast: {a: string}", "derive: {x: 1}"]) assert.equal(run(transform(op), {}).out("t"), "unknown", op);
  });

  it("loads pass their input through; `input` picks the upstream", () => {
    const text = pipeline(
      "  - id: t",
      "    depends_on: [customers, orders]",
      "    input: orders",
      "    transform:",
      "      - select: [id]",
      "  - id: save",
      "    depends_on: [t]",
      "    load: {connection: db, table: out, mode: merge, key: [id]}",
    );
    const { out, v } = run(text);
    assert.equal(out("save"), "id:integer");
    const t = v.outline.steps.find((s) => s.id?.name === "t");
    assert.equal(t && upstreamOf(t), "orders");
  });
});

describe("column references and unknown-column", () => {
  it("finds every kind of reference at its exact place, with did-you-mean", () => {
    const text = transform(
      "select: [amout, id]",
      "drop: [idd]",
      "rename: {ammount: total}",
      "cast: {stauts: string}",
      "dedupe: [idx]",
      'filter: amout > 0 and `stat us` = "x"',
      "aggregate: {group_by: [stat], metrics: {s: sum(amont)}}",
    );
    const { problems } = run(text);
    const got = problems.map((p) => `${p.text}@${p.range}`);
    assert.deepEqual(got, ["amout@13:18-13:23", "idd@14:16-14:19", "ammount@15:18-15:25", "stauts@16:16-16:22", "idx@17:18-17:21", "`stat us`@18:31-18:40", "stat@19:32-19:36", "amont@19:56-19:61"]);
    // `select` made `amout` a column (of nulls), so the filter after it may name it.
    assert.match(problems[0]?.message ?? "", /column `amout` is not in the input of this op \(from step `orders`\) — did you mean `amount`\?/);
  });

  it("checks each op against the columns before it", () => {
    const { problems } = run(transform("select: [id]", "select: [amount]"));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.text, "amount");
    assert.match(problems[0]?.message ?? "", /it has `id`/);
  });

  it("join.on: left names against the input, right names against the `with` step", () => {
    const { problems } = run(transform("join: {with: customers, on: {customer_idd: idd}}"));
    assert.deepEqual(problems.map((p) => p.text), ["customer_idd", "idd"]);
  });

  it("load key and extract columns/incremental are checked for postgres only", () => {
    const text = pipeline(
      "  - id: save",
      "    depends_on: [orders]",
      "    load: {connection: db, table: out, mode: merge, key: [idd]}",
    ).replace("table: public.orders}", "table: public.orders, columns: [ammount], incremental: {column: updated}}");
    const { problems } = run(text);
    assert.deepEqual(problems.map((p) => p.text), ["ammount", "updated", "idd"]);
  });

  it("never warns when the upstream is unknown", () => {
    const text = transform("drop: [nope]", "filter: nope > 1", "join: {with: customers, on: nope}");
    assert.deepEqual(run(text, {}).problems, []);
    assert.deepEqual(run(text, { orders: "unknown", customers: "unknown" }).problems, []);
  });

  it("derive expressions see columns derived before them, not after", () => {
    const { problems } = run(transform("derive: {a: later + 1, later: 2, b: later * 2}"));
    assert.deepEqual(problems.map((p) => p.text), ["later"]);
    assert.equal(problems[0]?.range, "13:21-13:26");
  });
});

describe("expressions", () => {
  it("fields: first steps of paths, not nested steps, predicates, variables or lambda bodies", () => {
    assert.deepEqual(fieldsOf("a.b > 1 and items[price > 0] and $x.y and $map(c, function($v){ $v.z })").map((f) => f.name), ["a", "items", "c"]);
    assert.deepEqual(fieldsOf("does not parse ((("), []);
  });

  it("types", () => {
    const cols: Column[] = [{ name: "n", type: "integer" }];
    assert.equal(expressionType("n", cols), "integer");
    assert.equal(expressionType("n > 1 ? 'a' : 'b'", cols), "string");
    assert.equal(expressionType("n > 1 ? 'a' : 2", cols), undefined);
    assert.equal(expressionType("true", cols), "boolean");
    assert.equal(expressionType("-n", cols), "number");
  });
});

describe("columnsAt: what completion offers at an offset", () => {
  it("the columns before the op holding the offset; a join offers both sides", () => {
    const text = transform("select: [id, amount]", "join: {with: customers, on: id}");
    const { v, prop } = run(text);
    const names = (at: number) => {
      const found = columnsAt(v.outline, prop, at, upstreamOf)?.columns;
      return found === "unknown" || !found ? found : found.map((c) => c.name).join(" ");
    };
    assert.equal(names(text.indexOf("amount]")), "id customer_id amount status");
    assert.equal(names(text.indexOf("on: id")), "id amount name status");
  });
});

describe("PropagationMemo: unchanged steps are reused, with their references moved", () => {
  it("after edits (incremental parse), the memoized result equals a fresh one", () => {
    const iv = new PiecewiseValidator();
    const memo = new PropagationMemo();
    const sources = new Map<string, ColumnSet>([["orders", ORDERS], ["customers", CUSTOMERS]]);
    let text = transform("select: [id, amout]", "join: {with: customers, on: {customer_id: idd}}").replace("  - id: t", "  - id: pad\n    extract: {connection: db, table: x}\n  - id: t");
    const edits = [(t: string) => t.replace("  - id: pad", "\n  - id: pad"), (t: string) => t.replace("amout", "amount"), (t: string) => t.replace("table: x}", "table: xy}")];
    for (const edit of [(t: string) => t, ...edits]) {
      text = edit(text);
      const r = iv.update(text, {});
      const memoized = propagateColumns(r.outline, r.dag, sources, memo);
      const fresh = propagateColumns(r.outline, r.dag, sources);
      assert.deepEqual(locate(text, unknownColumns(memoized)), locate(text, unknownColumns(fresh)));
      assert.deepEqual([...memoized.steps.entries()].map(([k, v]) => [k, v.output]), [...fresh.steps.entries()].map(([k, v]) => [k, v.output]));
    }
    assert.deepEqual(locate(text, unknownColumns(propagateColumns(iv.update(text, {}).outline, iv.update(text, {}).dag, sources, memo))).map((p) => p.text), ["customer_id", "idd"]);
  });
});
