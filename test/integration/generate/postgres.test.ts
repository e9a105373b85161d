import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { project, runCli } from "../runner/helpers";
import { DATA, SCHEMA } from "./fixture";
import { checkGenerated, loadsWithExtracts, type Generated } from "./helpers";

let pg: TestPostgres;
let sourceUrl: string;
let targetUrl: string;
const dir = project("generate-pg");

before(async () => {
  pg = await startPostgres();
  sourceUrl = await pg.createDatabase("gen_source");
  targetUrl = await pg.createDatabase("gen_target");
  await pg.query(SCHEMA, [], "gen_source");
  await pg.query(DATA, [], "gen_source");
});

after(async () => {
  await pg?.stop();
  dir.cleanup();
});

/** Row count and a checksum over every row's JSON (jsonb keys are sorted, so column order does not matter). */
async function fingerprint(database: string, table: string): Promise<{ rows: number; sum: string }> {
  const [row] = await pg.query<{ rows: number; sum: string }>(
    `SELECT count(*)::int AS rows, md5(coalesce(string_agg(j, ',' ORDER BY j), '')) AS sum FROM (SELECT to_jsonb(t)::text AS j FROM ${table} t) s`,
    [],
    database,
  );
  return row as { rows: number; sum: string };
}

function quoted(name: string): string {
  return name
    .split(/\.(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((p) => (p.startsWith('"') ? p : `"${p}"`))
    .join(".");
}

async function assertCopied(generated: Generated): Promise<void> {
  for (const { load, extract } of loadsWithExtracts(generated)) {
    const source = await fingerprint("gen_source", quoted(String(extract.extract?.table)));
    const target = await fingerprint("gen_target", quoted(String(load.load?.table)));
    assert.deepEqual(target, source, `${String(extract.extract?.table)} → ${String(load.load?.table)}`);
  }
}

describe("generate from PostgreSQL", () => {
  let generated: Generated;
  const env = () => ({ SOURCE_DATABASE_URL: sourceUrl, TARGET_DATABASE_URL: targetUrl });

  it("writes a commented pipeline that validates, with secrets as env references", async () => {
    const res = await runCli(["generate", "--from", sourceUrl, "--to", targetUrl, "-o", "copy.etl.yaml"], { cwd: dir.dir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /SOURCE_DATABASE_URL/);
    assert.match(res.stderr, /TARGET_DATABASE_URL/);
    assert.ok(!res.stderr.includes(pg.password) && !res.stdout.includes(pg.password), "no password printed");
    const text = dir.read("copy.etl.yaml");
    generated = checkGenerated(text, ["SOURCE_DATABASE_URL", "TARGET_DATABASE_URL"], [pg.password]);
    const loads = loadsWithExtracts(generated);
    assert.equal(loads.length, 13, "one load per base table, views left out");
    const byTable = new Map(loads.map((l) => [String(l.extract.extract?.table), l]));
    assert.deepEqual(byTable.get("public.customers")?.load.load, { connection: "target", table: "customers", mode: "merge", key: ["id"] });
    assert.deepEqual(byTable.get("public.order_items")?.load.load?.key, ["order_id", "product_id"]);
    assert.equal(byTable.get('public."Audit Log"')?.load.load?.mode, "replace");
    assert.equal(byTable.get("sales.regions")?.load.load?.table, "sales_regions");
    assert.deepEqual(byTable.get("public.orders")?.extract.extract?.incremental, { column: "updated_at" });
    assert.equal(byTable.get("sales.regions")?.extract.extract?.incremental, undefined, "a nullable modified_at is not incremental");
    // referenced tables load first
    const orderLoad = byTable.get("public.order_items")?.load;
    assert.ok(orderLoad?.depends_on?.includes("load_orders") && orderLoad.depends_on.includes("load_products"));
    // the employees ↔ departments cycle is broken on the nullable edge, with a comment
    assert.match(text, /Foreign key departments_head_fkey \(public\.departments → public\.employees\) is not used for ordering: it closes the cycle/);
    assert.ok(byTable.get("public.employees")?.load.depends_on?.includes("load_departments"));
    assert.match(text, /replace: public\.Audit Log has no primary key/);
    const cast = generated.steps.find((s) => s.id === "cast_products")?.transform?.[0];
    assert.deepEqual(cast, { cast: { price: "decimal" } });
  });

  it("runs into the second database: every table's rows and checksum match", async () => {
    const res = await runCli(["run", "copy.etl.yaml"], { cwd: dir.dir, env: env() });
    assert.equal(res.code, 0, res.stderr);
    await assertCopied(generated);
  });

  it("reruns without duplicates, picking up changed and new rows", async () => {
    await pg.query(
      `UPDATE customers SET name = 'renamed', updated_at = now() WHERE id = 5;
       INSERT INTO customers VALUES (301, 'new', NULL, now(), now());
       INSERT INTO orders VALUES (1001, 301, '2024-12-31', 9.99, now());`,
      [],
      "gen_source",
    );
    const res = await runCli(["run", "copy.etl.yaml"], { cwd: dir.dir, env: env() });
    assert.equal(res.code, 0, res.stderr);
    await assertCopied(generated);
  });

  it("lists tables and honours --include and the overwrite guard", async () => {
    const listed = await runCli(["generate", "--from", sourceUrl, "--list", "--format", "json"], { cwd: dir.dir });
    assert.equal(listed.code, 0, listed.stderr);
    const items = (JSON.parse(listed.stdout) as { items: { name: string; kind: string }[] }).items;
    assert.ok(items.some((i) => i.name === "public.order_totals" && i.kind === "view"));
    assert.equal(items.length, 14);
    const again = await runCli(["generate", "--from", sourceUrl, "-o", "copy.etl.yaml"], { cwd: dir.dir });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    const some = await runCli(["generate", "--from", sourceUrl, "--include", "orders,customers", "--name", "two_tables"], { cwd: dir.dir });
    assert.equal(some.code, 0, some.stderr);
    const two = checkGenerated(some.stdout, ["SOURCE_DATABASE_URL"]);
    assert.equal(two.name, "two_tables");
    assert.deepEqual(loadsWithExtracts(two).map((l) => l.extract.extract?.table), ["public.customers", "public.orders"]);
    const bad = await runCli(["generate", "--from", sourceUrl, "--include", "nope"], { cwd: dir.dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"nope" not found/);
  });
});
