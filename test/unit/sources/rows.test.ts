// Staged rows must bring records back exactly as JSON Lines would, however the text is cut into
// chunks, and their COPY text must equal what the PostgreSQL connector encodes record by record.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJson, stringifyJson } from "../../../server/src/sources/formats/exactJson";
import { copyTextOf, readRowsBatches, rowsTextOf, RowsEncoder } from "../../../server/src/sources/formats/rows";
import { CopyRowEncoder } from "../../../server/src/sources/postgres/copyText";
import type { DataRecord } from "../../../server/src/sources/types";
import { random } from "../../support/random";

const STRINGS = ["", "plain", "tab\there", "line\nbreak", "cr\rlf\r\n", "back\\slash", "\\N", "\\#1", "\\", "\\H[]", "é ü ß", "😀 emoji", "\ud800 lone", "lone \udc00", "quote \" and '", "null", "1", "true", " padded ", "\u0000nul", "\\\\t"];

function value(rnd: () => number, depth = 0): unknown {
  const r = rnd();
  if (r < 0.3) return STRINGS[Math.floor(rnd() * STRINGS.length)];
  if (r < 0.45) return [0, -0, 1.5, -7, 1e21, 2 ** 53 + 2, 0.1 + 0.2, 5e-324, 2n ** 53n + 1n, -(2n ** 63n), 12345678901234567890n][Math.floor(rnd() * 11)];
  if (r < 0.55) return null;
  if (r < 0.6) return undefined;
  if (r < 0.67) return rnd() < 0.5;
  if (r < 0.72) return new Date(Date.UTC(2024, 2, 1 + Math.floor(rnd() * 28), 12));
  if (r < 0.74) return new Date(NaN);
  if (depth > 1) return "deep";
  if (r < 0.87) return { a: value(rnd, depth + 1), "b\tkey": value(rnd, depth + 1) };
  return [value(rnd, depth + 1), value(rnd, depth + 1)];
}

const COLUMNS = ["id", "name", "amount", "tab\tcol", "quo\"te", "é", "\\N"];

function record(rnd: () => number, uniform: boolean): DataRecord {
  const out: DataRecord = {};
  const names = uniform ? COLUMNS.slice(0, 4) : COLUMNS.filter(() => rnd() < 0.7);
  if (!uniform && rnd() < 0.2) names.reverse();
  for (const n of names) out[n] = value(rnd);
  return out;
}

async function* chunks(text: string, rnd: () => number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(rnd() * 300);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function roundTrip(batches: DataRecord[][], rnd: () => number): Promise<DataRecord[]> {
  const encoder = new RowsEncoder();
  const text = batches.map((b) => encoder.encode(b)).join("");
  const out: DataRecord[] = [];
  for await (const batch of readRowsBatches(chunks(text, rnd), "test", 7)) out.push(...batch);
  return out;
}

/**
 * What a record is after a trip through JSON Lines (which keep −0 and exact integers: exactJson.ts).
 * JSON reads an integer beyond 2^53 as a BigInt, staged rows keep a double as a double: `exact`
 * puts both in one form (the same number) before they are compared.
 */
const exact = (v: unknown): unknown =>
  typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) < 1e21
    ? BigInt(v)
    : Array.isArray(v)
      ? v.map(exact)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exact(x)]))
        : v;
const viaJson = (r: DataRecord): DataRecord => exact(parseJson(stringifyJson(r))) as DataRecord;

describe("staged rows", () => {
  it("bring back 3,000 random records exactly as JSON Lines would, cut anywhere into chunks", async () => {
    const rnd = random(42);
    const batches = Array.from({ length: 30 }, (_, b) => Array.from({ length: 100 }, () => record(rnd, b % 3 === 0)));
    const back = await roundTrip(batches, rnd);
    assert.deepEqual(exact(back), batches.flat().map(viaJson));
  });

  it("keep NaN and infinities, which PostgreSQL floats hold (JSON Lines would make them null)", async () => {
    const back = await roundTrip([[{ a: NaN, b: Infinity, c: -Infinity }]], random(3));
    assert.deepEqual(back, [{ a: NaN, b: Infinity, c: -Infinity }]);
    const batch = [{ a: NaN, b: -Infinity }];
    new RowsEncoder().encode(batch);
    assert.equal(copyTextOf(rowsTextOf(batch) ?? { columns: [], lines: "" }), "NaN\t-Infinity\n");
  });

  it("keep key order, absent keys and records with no keys", async () => {
    const batches: DataRecord[][] = [[{ b: 1, a: 2 }, { a: 2, b: 1 }, {}, { x: undefined, y: null }, { "2": "n", a: 1 }]];
    assert.deepEqual(exact(await roundTrip(batches, random(1))), batches[0]?.map(viaJson));
  });

  it("give each batch of one header its data lines, and COPY text equal to the connector's own encoding", async () => {
    const rnd = random(9);
    const batch = Array.from({ length: 500 }, () => record(rnd, true)).filter((r) => Object.values(r).every((v) => typeof v !== "string" || !/[\ud800-\udfff]/.test(v)));
    const columns = Object.keys(batch[0] as DataRecord);
    const uniform = batch.filter((r) => Object.keys(r).join() === columns.join());
    const encoder = new RowsEncoder();
    // The first records settle each column's kind (mixed values make it `*`); the rest keep one header.
    encoder.encode(uniform.slice(0, 250));
    const tested = uniform.slice(250);
    encoder.encode(tested);
    const text = rowsTextOf(tested);
    assert.ok(text, "a batch with one header has its text");
    assert.deepEqual(text.columns, columns);
    const copy = new CopyRowEncoder(columns, () => assert.fail("unknown column"));
    let expected = "";
    for (const r of tested) expected += copy.add(r) ?? "";
    expected += copy.flush();
    assert.equal(copyTextOf(text), expected);
  });

  it("write columns that keep one kind as COPY text as it is, and widen a kind when a value differs", async () => {
    const encoder = new RowsEncoder();
    const typed = [{ id: 1, name: "a\tb", ok: true, note: null }, { id: 2.5, name: "", ok: false, note: null }];
    const text = encoder.encode(typed);
    assert.equal(text, '\\H["id","name","ok","note"]\tnsb?\n1\ta\\tb\tt\t\\N\n2.5\t\tf\t\\N\n');
    assert.equal(copyTextOf(rowsTextOf(typed) ?? { columns: [], lines: "" }), "1\ta\\tb\tt\t\\N\n2.5\t\tf\t\\N\n");
    const later = [{ id: 3, name: "c", ok: true, note: 7 }, { id: "four", name: "d", ok: null, note: 8 }];
    const more = encoder.encode(later);
    assert.equal(more, '\\H["id","name","ok","note"]\tnsbn\n3\tc\tt\t7\n\\H["id","name","ok","note"]\t*sbn\nfour\td\t\\N\t8\n');
    assert.equal(rowsTextOf(later), undefined, "a batch whose kinds change has no single text");
    assert.deepEqual(exact(await roundTrip([typed, later], random(5))), [...typed, ...later].map(viaJson));
  });

  it("leave a batch whose columns change without text, and refuse COPY text for ill-formed strings", () => {
    const encoder = new RowsEncoder();
    const mixed = [{ a: 1 }, { b: 2 }];
    encoder.encode(mixed);
    assert.equal(rowsTextOf(mixed), undefined);
    const lone = [{ a: "x\ud800" }];
    encoder.encode(lone);
    assert.equal(copyTextOf(rowsTextOf(lone) ?? { columns: [], lines: "" }), undefined);
  });

  it("write a batch straight to UTF-8 bytes exactly as the text encoder does, or leave it to the text encoder", () => {
    const rnd = random(11);
    const plain = [...STRINGS.filter((t) => !/[\ud800-\udfff]/.test(t) || t.includes("😀")), "漢\\字\t".repeat(3000), "\u07ff\u0800\uffff\u0080\u007f"];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
    const typedRecord = (): DataRecord => {
      const r: DataRecord = {
        id: rnd() < 0.05 ? null : pick([1, -0, 2.5, 1e21, NaN, -Infinity, 7, 5e-324]),
        name: rnd() < 0.1 ? null : pick(plain),
        ok: rnd() < 0.05 ? null : rnd() < 0.5,
        "tab\tcol": rnd() < 0.3 ? null : pick(["ü", "x\\y", "漢字", "a\r\nb", "😀"]),
        none: null,
      };
      // Now and then a value that leaves the fast path: a kind change, an absent key, a lone surrogate, other columns.
      const odd = rnd();
      if (odd < 0.01) r.id = "not a number";
      else if (odd < 0.02) r.name = undefined;
      else if (odd < 0.025) r.name = "lone \udc00";
      else if (odd < 0.03) r.name = "high at the end \ud800";
      else if (odd < 0.04) delete r.ok;
      return r;
    };
    const batches = Array.from({ length: 200 }, () => Array.from({ length: 1 + Math.floor(rnd() * 20) }, typedRecord));
    const textEncoder = new RowsEncoder();
    const byteEncoder = new RowsEncoder();
    let fast = 0;
    let slow = 0;
    for (const batch of batches) {
      const twin = batch.map((r) => ({ ...r }));
      const expected = Buffer.from(textEncoder.encode(twin), "utf8");
      const bytes = byteEncoder.encodeBytes(batch);
      if (bytes === undefined) {
        slow++;
        assert.deepEqual(Buffer.from(byteEncoder.encode(batch), "utf8"), expected);
        continue;
      }
      fast++;
      assert.deepEqual(Buffer.from(bytes), expected);
      const text = rowsTextOf(batch);
      assert.ok(text);
      assert.equal(copyTextOf(text), bytes, "a load sends the same bytes");
      assert.equal(text.lines, rowsTextOf(twin)?.lines);
    }
    assert.ok(fast > 30 && slow > 30, `both paths ran (${fast} batches as bytes, ${slow} as text)`);
  });

  it("size a batch's bytes sanely after a batch of huge lines, and write records with no columns", () => {
    const encoder = new RowsEncoder();
    encoder.encode([{ a: "x" }]);
    const huge = [{ a: "y".repeat(5_000_000) }];
    assert.equal(encoder.encodeBytes(huge)?.length, 5_000_001);
    // 1,000 lines sized like the last one would be 6 GB: more than a Buffer may hold.
    const small = Array.from({ length: 1000 }, (_, i) => ({ a: `z${i}` }));
    const bytes = encoder.encodeBytes(small);
    assert.ok(bytes);
    assert.equal(Buffer.from(bytes).toString(), small.map((r) => `${r.a}\n`).join(""));
    assert.ok(bytes.buffer.byteLength <= 1 << 20, `the bytes hold ${bytes.buffer.byteLength} bytes of memory`);
    const empty = new RowsEncoder();
    empty.encode([{}]);
    assert.equal(Buffer.from(empty.encodeBytes([{}, {}]) ?? []).toString(), "\n\n");
  });

  it("say clearly when a staged file is damaged: cut short, no header, a header that is not a list or repeats a name", async () => {
    const read = async (text: string) => {
      for await (const _ of readRowsBatches((async function* () {
        yield text;
      })(), "staged output of `x`")) void _;
    };
    await assert.rejects(read('\\H["a"]\n\\#1'), /staged output of `x`: line 2 is not a staged row \(it does not end with a newline/);
    await assert.rejects(read('\\H["a","b"]\tn\n'), /line 1 .*a header whose kinds do not match its columns/);
    await assert.rejects(read('\\H["a"]\t?\nx\n'), /line 2 .*a value in column "a", which has none/);
    await assert.rejects(read("\\#1\n"), /line 1 is not a staged row \(no header before it\)/);
    await assert.rejects(read("\\H{}\n"), /line 1 .*a header that is not a JSON list/);
    await assert.rejects(read('\\H["a","b","a"]\n1\t2\t3\n'), /line 1 is not a staged row \(a header that names column "a" twice\)/);
    await assert.rejects(read('\\H["a","b"]\n1\n'), /line 2 .*1 values, the header has 2/);
    await assert.rejects(read('\\H["a"]\n1\t2\n'), /line 2 .*more values than the header's 1 columns/);
  });
});
