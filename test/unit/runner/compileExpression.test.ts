/**
 * Differential fuzzing of the JSONata compiler (server/src/runner/transforms/compileExpression.ts):
 * random expressions from the compiled subset (and a little beyond it), evaluated on random records
 * (numbers, decimal-looking text, strings with white space and surrogate pairs, null, booleans,
 * nested objects, arrays, BigInts, missing and inherited-looking fields), compiled and interpreted.
 * Wherever the compiled function answers, the interpreter must give the same value and no error;
 * where it defers, the runner uses the interpreter, so the result or error is the interpreter's. A
 * share of answers is required, so the test cannot pass by deferring everything.
 *
 * The seed is printed; `FUZZ_SEED=<n>` replays a run and `FUZZ_COUNT=<n>` changes its size.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import jsonata from "jsonata";
import type { TransformOp } from "../../../server/src/pipeline/model";
import { compileTransforms, type Batches } from "../../../server/src/runner/transforms";
import { compileExpression, NEEDS_INTERPRETER } from "../../../server/src/runner/transforms/compileExpression";
import type { DataRecord } from "../../../server/src/sources/types";
import { fuzzCount, fuzzSeed, seededRng, type Rng } from "../../support/mutate";

const COUNT = fuzzCount(2000);
const RECORDS_PER_EXPRESSION = 8;

const FIELDS = ["a", "b", "c", "s", "o", "o.k", "o.t", "o.none", "s.x", "missing", "`odd name`", "constructor"];
const NUMBERS = ["0", "1", "2", "3", "-1", "0.1", "2.5", "100", "1e21", "0.000001", "7"];
const STRINGS = ["''", "'a'", "'paid'", "' x  y '", "'😀ab'", "'12'", "'-3.5'", "'B'", "'\\t a\\n'"];
const VALUES = ["true", "false", "null"];
const OPERATORS = ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "&"];
/** Name and argument counts to call with (some invalid: those must fall back or not compile). */
const FUNCTIONS: [string, number[]][] = [
  ["string", [1, 2]], ["number", [1]], ["boolean", [1]], ["not", [1]], ["exists", [1]], ["uppercase", [1, 0]], ["lowercase", [1]],
  ["trim", [1]], ["length", [1]], ["substring", [2, 3]], ["substringBefore", [2]], ["substringAfter", [2]], ["contains", [2]],
  ["round", [1, 2]], ["floor", [1]], ["ceil", [1]], ["abs", [1]], ["sqrt", [1]], ["power", [2]], ["sum", [1]],
];

function literal(rng: Rng): string {
  const kind = rng.int(3);
  return kind === 0 ? rng.pick(NUMBERS) : kind === 1 ? rng.pick(STRINGS) : rng.pick(VALUES);
}

function expression(rng: Rng, depth: number): string {
  const leaf = depth <= 0 || rng.next() < 0.25;
  if (leaf) return rng.next() < 0.55 ? rng.pick(FIELDS) : literal(rng);
  const sub = () => expression(rng, depth - 1);
  const wrap = (e: string) => (rng.next() < 0.6 ? `(${e})` : e);
  switch (rng.int(10)) {
    case 0:
      return `-${wrap(sub())}`;
    case 1:
      return rng.next() < 0.7 ? `${wrap(sub())} ? ${wrap(sub())} : ${wrap(sub())}` : `${wrap(sub())} ? ${wrap(sub())}`;
    case 2:
      return `${wrap(sub())} in [${Array.from({ length: rng.int(4) }, () => literal(rng)).join(", ")}]`;
    case 3:
    case 4: {
      const [name, arities] = rng.pick(FUNCTIONS);
      return `$${name}(${Array.from({ length: rng.pick(arities) }, sub).join(", ")})`;
    }
    default:
      return `${wrap(sub())} ${rng.pick(OPERATORS)} ${wrap(sub())}`;
  }
}

function value(rng: Rng, nested: boolean): unknown {
  switch (rng.int(nested ? 9 : 11)) {
    case 0:
      return rng.int(21) - 10;
    case 1:
      return (rng.int(2_000_001) - 1_000_000) / 100;
    case 2:
      return rng.pick([0, -0, 0.1, 1e21, 123456.78901234567, Number.MAX_SAFE_INTEGER, 5e-7]);
    case 3:
      return rng.pick(["", "a", "paid", " x  y ", "😀ab", "12", "-3.5", "B", "\t a\n", "1e400", "0x1F"]);
    case 4:
      return null;
    case 5:
      return rng.next() < 0.5;
    case 6:
      return String((rng.int(200_001) - 100_000) / 100);
    case 7:
      return rng.pick([[], [1, 2], ["a"], [[3]]]);
    case 8:
      return 10n ** 20n;
    default:
      return { k: value(rng, true), t: value(rng, true) };
  }
}

function record(rng: Rng): DataRecord {
  const r: DataRecord = {};
  for (const name of ["a", "b", "c", "s", "o", "odd name", "constructor"]) {
    if (rng.next() < 0.15) continue;
    const v = name === "o" && rng.next() < 0.7 ? { k: value(rng, true), t: value(rng, true) } : value(rng, false);
    Object.defineProperty(r, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return r;
}

type Outcome = { value: unknown } | { error: string };

async function interpreted(expr: jsonata.Expression, input: DataRecord): Promise<Outcome> {
  try {
    return { value: await expr.evaluate(input) };
  } catch (err: unknown) {
    const e = err as { code?: string; message?: string };
    return { error: `${e.code}: ${e.message}` };
  }
}

describe("compiled JSONata agrees with the interpreter", () => {
  it(`${COUNT} seeded expressions, ${RECORDS_PER_EXPRESSION} records each`, async () => {
    const seed = fuzzSeed();
    console.log(`compileExpression fuzz: seed ${seed}, ${COUNT} expressions (FUZZ_SEED=${seed} replays)`);
    const rng = seededRng(seed);
    let compiledCount = 0;
    let answered = 0;
    let deferred = 0;
    for (let i = 0; i < COUNT; i++) {
      const text = expression(rng, 1 + rng.int(4));
      let expr: jsonata.Expression;
      try {
        expr = jsonata(text);
      } catch {
        continue;
      }
      const compiled = compileExpression(expr);
      if (compiled) compiledCount++;
      for (let j = 0; j < RECORDS_PER_EXPRESSION; j++) {
        const input = record(rng);
        const expected = await interpreted(expr, input);
        if (!compiled) continue;
        const where = `seed ${seed} (FUZZ_SEED=${seed} FUZZ_COUNT=${COUNT}), expression ${JSON.stringify(text)}, record ${JSON.stringify(input, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
        let got: unknown;
        try {
          got = compiled(input);
        } catch (err: unknown) {
          assert.fail(`compiled code threw ${String(err)} at ${where}`);
        }
        if (got === NEEDS_INTERPRETER) {
          deferred++;
          continue;
        }
        answered++;
        assert.deepStrictEqual({ value: got }, expected, `compiled and interpreted differ at ${where}`);
      }
    }
    console.log(`compileExpression fuzz: ${compiledCount} of ${COUNT} compiled; ${answered} answers compiled, ${deferred} deferred to the interpreter`);
    assert.ok(compiledCount > COUNT * 0.5, `most generated expressions are in the subset (${compiledCount} of ${COUNT})`);
    assert.ok(answered > deferred / 2, `the compiled code answers a good share itself (${answered} answered, ${deferred} deferred)`);
  });
});

async function* batches(records: DataRecord[]): AsyncGenerator<DataRecord[]> {
  for (let i = 0; i < records.length; i += 4) yield records.slice(i, i + 4).map((r) => ({ ...r }));
}

async function run(ops: TransformOp[], input: DataRecord[]): Promise<DataRecord[]> {
  const compiled = compileTransforms(ops, { columns: undefined, openUpstream: () => Promise.reject(new Error("no upstream")) });
  const rows: DataRecord[] = [];
  for await (const b of compiled.stage(batches(input) as Batches)) rows.push(...b);
  return rows;
}

describe("filter and derive with compiled expressions", () => {
  const rows: DataRecord[] = Array.from({ length: 40 }, (_, i) => ({ id: i, price: (i * 37) % 100 / 4, qty: i % 5, name: ["ann", "Bob", " cy ", "😀d"][i % 4] as string, note: i % 3 === 0 ? null : `n${i}` }));

  it("give the interpreter's results, record by record", async () => {
    const derive = { total: "price * qty", label: "$uppercase($substring($trim(name), 0, 2)) & '-' & $string(qty)", big: "price * qty > 50 ? 'big' : 'small'", has: "$exists(note) and note != null" };
    const filter = "qty > 0 and (price >= 5 or name in ['ann', 'Bob'])";
    for (const [key, text] of [...Object.entries(derive), ["filter", filter]] as [string, string][]) assert.ok(compileExpression(jsonata(text)), `${key} is in the compiled subset`);
    const got = await run([{ filter }, { derive }], rows);
    const expected: DataRecord[] = [];
    for (const r of rows) {
      if (!(await jsonata(filter).evaluate(r))) continue;
      const out: DataRecord = { ...r };
      for (const [name, text] of Object.entries(derive)) out[name] = (await jsonata(text).evaluate(out)) as DataRecord[string];
      expected.push(out);
    }
    assert.ok(expected.length > 5 && expected.length < rows.length, "the filter keeps some records and drops others");
    assert.deepEqual(got, expected);
  });

  it("take names and literals that look like code as data", async () => {
    const name = 'x"]); globalThis.hacked = 1; (["';
    const text = "`" + name + "` & \"'); globalThis.hacked = 2; //\" & \"\\u2028\"";
    const compiled = compileExpression(jsonata(text));
    assert.ok(compiled, "in the subset");
    const record = { [name]: "v" };
    assert.equal(compiled(record), await jsonata(text).evaluate(record));
    assert.equal((globalThis as { hacked?: number }).hacked, undefined);
  });

  it("fail on a record the compiled code cannot answer as the interpreter does, naming the row and the fix", async () => {
    const input = [{ price: 2, qty: 3 }, { price: "12,5", qty: 1 }];
    await assert.rejects(run([{ derive: { total: "price * qty" } }], input), (err: Error) => {
      assert.equal((err as { code?: string }).code, "expression-failed");
      // The interpreter's type error, explained (expressionErrors.ts): the sub-expression, the value and the fix.
      assert.match(err.message, /^transform op 1: expression `price \* qty` failed at row 2: `price \* qty` needs numbers on both sides of `\*` but has text "12,5"; column `price` is text here: `cast: \{price: number\}`/);
      return true;
    });
    await assert.rejects(run([{ filter: "price > 'a'" }], [{ price: 3 }]), /failed at row 1: `price > 'a'` compares the number 3 with text "a"; .*convert one side with `\$number\(…\)` or `\$string\(…\)`/);
  });
});
