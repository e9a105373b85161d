/**
 * `unique`: no two records share a key (the listed columns together; records with an empty key
 * column are not compared; `1` and `"1"` are different keys). First pass, while the output is
 * staged: a whole-number key in [0, 2^27) goes into an IntBitmap, exact; any other key's 64-bit
 * hash goes into a KeyHashSet, and a hash seen before makes its key a candidate. Only when there are
 * candidates does a second pass re-read the staged output and count the candidates' exact keys,
 * so a hash collision can never fail the check. Past MAX_CANDIDATES distinct candidate hashes the
 * check certainly fails (real duplicates); the rows past them are counted by hash.
 */
import { fieldReader } from "../../pipeline/ownKeys";
import { stringifyJson } from "../../sources/formats/exactJson";
import type { DataRecord } from "../../sources/types";
import { keep, SAMPLE_ROWS, sampleText, someOf, type Evaluator, type Finding, type Sample } from "./finding";
import { fitsBitmap, IntBitmap } from "./intBitmap";
import { hash64, hashNumber, hashToken, KeyHashSet } from "./keyHashes";
import { isEmpty } from "./rowChecks";

export const MAX_CANDIDATES = 100_000;

type Reader = (record: DataRecord) => unknown;
/** A key: a number (one numeric column) or text; `1` and `"1"` are different keys. */
type Key = string | number;

const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "object" ? stringifyJson(v) : String(v));

/** A key's 64-bit hash into `out`. */
function hashKey(key: Key, out: Uint32Array): void {
  if (typeof key === "number") hashNumber(key, out);
  else hash64(key, out);
}

/** The key of a record, or undefined when a key column is empty. */
function keyReader(columns: readonly string[]): (record: DataRecord) => Key | undefined {
  const readers: Reader[] = columns.map(fieldReader);
  if (readers.length === 1) {
    const read = readers[0] as Reader;
    return (record) => {
      const v = read(record);
      if (typeof v === "number" || typeof v === "string") return v === "" ? undefined : v;
      // Other types are told from text by a prefix no string key can be confused with after hashing: the exact pass compares them too.
      return isEmpty(v) ? undefined : `\u0000${typeof v}:${text(v)}`;
    };
  }
  return (record) => {
    let key = "";
    for (let i = 0; i < readers.length; i++) {
      const v = (readers[i] as Reader)(record);
      if (isEmpty(v)) return undefined;
      // Each part as JSON, so a separator inside a value cannot join two keys: ("a\u001fb", "c") and ("a", "b\u001fc") stay apart.
      key += (i > 0 ? "\u001f" : "") + (typeof v === "string" ? JSON.stringify(v) : `${typeof v}:${text(v)}`);
    }
    return key;
  };
}

/** `reread`: the step's staged output again, for the exact pass. */
export function unique(columns: readonly string[], reread: () => Promise<AsyncIterable<DataRecord[]>>): Evaluator {
  const keyOf = keyReader(columns);
  const readers = columns.map(fieldReader);
  // What a message shows of a duplicate: the value, or the values of a key of several columns.
  const valueOf: Reader = readers.length === 1 ? (readers[0] as Reader) : (r) => readers.map((read) => read(r));
  const seen = new KeyHashSet();
  const ints = new IntBitmap();
  const candidates = new Set<number>();
  const h = new Uint32Array(2);
  // Repeats of whole-number keys are certain (the bitmap is exact): counted and sampled at once.
  const intSamples: Sample[] = [];
  let intDuplicates = 0;
  let hashDuplicates = 0;
  let overflow = false;
  return {
    observe(batch, first) {
      for (let r = 0; r < batch.length; r++) {
        const key = keyOf(batch[r] as DataRecord);
        if (key === undefined) continue;
        if (typeof key === "number" && fitsBitmap(key)) {
          if (ints.add(key)) continue;
          intDuplicates++;
          keep(intSamples, first + r, batch[r] as DataRecord, key);
          continue;
        }
        hashKey(key, h);
        if (seen.add(h[0] as number, h[1] as number)) continue;
        hashDuplicates++;
        if (candidates.size < MAX_CANDIDATES) candidates.add(hashToken(h[0] as number, h[1] as number));
        else overflow = true;
      }
    },
    async finish(total): Promise<Finding> {
      const hashed: Sample[] = [];
      const exact = hashDuplicates === 0 ? 0 : await exactDuplicates(await reread(), keyOf, valueOf, candidates, hashed);
      // Past the candidates kept, real duplicates are certain (exact > 0): count the rest by hash.
      const failed = intDuplicates + (overflow && exact > 0 ? hashDuplicates : exact);
      const samples = [...intSamples, ...hashed].sort((a, b) => a.row - b.row).slice(0, SAMPLE_ROWS);
      const names = columns.map((c) => `\`${c}\``).join(", ");
      const detail = `${someOf(failed, total, ["repeats", "repeat"])} a ${columns.length > 1 ? "combination of " : ""}${names} already seen${sampleText(samples)}`;
      return { passed: failed === 0, failed, samples, detail, fix: `fix the source, or keep one record per key with a \`dedupe: [${columns.join(", ")}]\` in a transform` };
    },
  };
}

async function exactDuplicates(batches: AsyncIterable<DataRecord[]>, keyOf: (r: DataRecord) => Key | undefined, valueOf: Reader, candidates: Set<number>, samples: Sample[]): Promise<number> {
  const counts = new Map<Key, number>();
  const h = new Uint32Array(2);
  let row = 0;
  let duplicates = 0;
  for await (const batch of batches) {
    for (const record of batch) {
      row++;
      const key = keyOf(record);
      // Whole numbers were judged exactly by the bitmap in the first pass.
      if (key === undefined || (typeof key === "number" && fitsBitmap(key))) continue;
      hashKey(key, h);
      if (!candidates.has(hashToken(h[0] as number, h[1] as number))) continue;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n < 2) continue;
      duplicates++;
      keep(samples, row, record, valueOf(record));
    }
  }
  return duplicates;
}
