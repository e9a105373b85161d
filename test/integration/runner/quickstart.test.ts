import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, runCli } from "./helpers";

const EXAMPLE = join(ROOT, "examples", "quickstart");

/** Revenue per country computed from the example's data without the runner. */
function expectedRevenue(): Map<string, { orders: number; cents: number }> {
  const customers = new Map<number, string>();
  const csvLines = readFileSync(join(EXAMPLE, "data", "customers.csv"), "utf8").trim().split("\n").slice(1);
  for (const line of csvLines) {
    const id = Number(line.split(",")[0]);
    const country = /,([A-Z]{2}),\d{4}-\d{2}-\d{2}$/.exec(line)?.[1];
    if (country) customers.set(id, country);
  }
  const orders = JSON.parse(readFileSync(join(EXAMPLE, "data", "orders.json"), "utf8")) as { customer_id: string; amount: string; status: string }[];
  const out = new Map<string, { orders: number; cents: number }>();
  for (const o of orders) {
    const country = customers.get(Number(o.customer_id));
    if (o.status !== "paid" || !country) continue;
    const g = out.get(country) ?? { orders: 0, cents: 0 };
    out.set(country, { orders: g.orders + 1, cents: g.cents + Math.round(Number(o.amount) * 100) });
  }
  return out;
}

describe("the quickstart", () => {
  it("validates with no problems at all", async () => {
    const r = await runCli(["validate", join(EXAMPLE, "quickstart.etl.yaml")], { cwd: ROOT });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /✓ 1 file valid/);
  });

  it("`npm run quickstart`'s script runs it and shows the output, which matches an independent computation", async () => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "quickstart.mjs")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, out);
    assert.match(out, /Output written to examples\/quickstart\/out\//);
    const csv = readFileSync(join(EXAMPLE, "out", "revenue_by_country.csv"), "utf8").trim().split("\n");
    assert.equal(csv[0], "country,orders,revenue_cents,largest_order_cents,revenue");
    const expected = expectedRevenue();
    assert.equal(csv.length - 1, expected.size);
    for (const line of csv.slice(1)) {
      const [country, orders, cents, , revenue] = line.split(",");
      const e = expected.get(country ?? "");
      assert.ok(e, line);
      assert.equal(Number(orders), e.orders);
      assert.equal(Number(cents), e.cents);
      assert.equal(revenue, (e.cents / 100).toFixed(2));
    }
  });

  it("`npm run quickstart -- --duckdb` loads the orders into a DuckDB file and prints revenue per country queried from it", async () => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "quickstart.mjs"), "--duckdb"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, out);
    assert.match(out, /Loaded into examples\/quickstart\/warehouse\.duckdb; SELECT \* FROM revenue_by_country:/);
    const table = out.slice(out.indexOf("country  orders  revenue")).trim().split("\n").slice(1);
    const expected = [...expectedRevenue()].sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(
      table.map((l) => l.trim().split(/\s+/)),
      expected.map(([country, e]) => [country, String(e.orders), (e.cents / 100).toFixed(2)]),
    );
  });
});
