/**
 * `unique`: no two records share a key (the listed columns together; records with an empty key
 * column are not compared). First pass, while the output is staged: each key's 64-bit hash goes
 * into a KeyHashSet, and a hash seen before makes its key a candidate. Only when there are
 * candidates does a second pass re-read the staged output and count the candidates' exact keys,
 * so a hash collision can never fail the check. Past MAX_CANDIDATES distinct candidate hashes the
 * check certainly fails (real duplicates); the rows past them are counted by hash.
 */
import { fieldReader } from "../../pipeline/ownKeys";
import { stringifyJson } from "../../sources/formats/exactJson";
import type { DataRecord } from "../../sources/types";
import { keep, sampleText, someOf, type Evaluator, type Finding, type Sample } from "./finding";
import { hash64, hashToken, KeyHashSet } from "./keyHashes";
import { isEmpty } from "./rowChecks";

export const MAX_CANDIDATES = 100_000;

type Reader = (record: DataRecord) => unknown;

const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "object" ? stringifyJson(v) : String(v));

/** The key of a record as text, or undefined when a key column is empty. */
function keyReader(columns: readonly string[]): (record: DataRecord) => string | undefined {
  const readers: Reader[] = columns.map(fieldReader);
  if (readers.length === 1) {
    const read = readers[0] as Reader;
    return (record) => {
      const v = read(record);
      return isEmpty(v) ? undefined : text(v);
    };
  }
  return (record) => {
    let key = "";
    for (let i = 0; i < readers.length; i++) {
      const v = (readers[i] as Reader)(record);
      if (isEmpty(v)) return undefined;
      // A separator no text key holds (JSON-escaped): ("a\u001fb", "c") and ("a", "b\u001fc") stay apart.
      key += (i > 0 ? "\u001f" : "") + JSON.stringify(text(v));
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
  const candidates = new Set<number>();
  const h = new Uint32Array(2);
  let hashDuplicates = 0;
  let overflow = false;
  return {
    observe(batch) {
      for (let r = 0; r < batch.length; r++) {
        const key = keyOf(batch[r] as DataRecord);
        if (key === undefined) continue;
        hash64(key, h);
        if (seen.add(h[0] as number, h[1] as number)) continue;
        hashDuplicates++;
        if (candidates.size < MAX_CANDIDATES) candidates.add(hashToken(h[0] as number, h[1] as number));
        else overflow = true;
      }
    },
    async finish(total): Promise<Finding> {
      const samples: Sample[] = [];
      const exact = hashDuplicates === 0 ? 0 : await exactDuplicates(await reread(), keyOf, valueOf, candidates, samples);
      // Past the candidates kept, real duplicates are certain (exact > 0): count the rest by hash.
      const failed = overflow && exact > 0 ? hashDuplicates : exact;
      const names = columns.map((c) => `\`${c}\``).join(", ");
      const detail = `${someOf(failed, total, ["repeats", "repeat"])} a ${columns.length > 1 ? "combination of " : ""}${names} already seen${sampleText(samples)}`;
      return { passed: failed === 0, failed, samples, detail, fix: `fix the source, or keep one record per key with a \`dedupe: [${columns.join(", ")}]\` in a transform` };
    },
  };
}

async function exactDuplicates(batches: AsyncIterable<DataRecord[]>, keyOf: (r: DataRecord) => string | undefined, valueOf: Reader, candidates: Set<number>, samples: Sample[]): Promise<number> {
  const counts = new Map<string, number>();
  const h = new Uint32Array(2);
  let row = 0;
  let duplicates = 0;
  for await (const batch of batches) {
    for (const record of batch) {
      row++;
      const key = keyOf(record);
      if (key === undefined) continue;
      hash64(key, h);
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
