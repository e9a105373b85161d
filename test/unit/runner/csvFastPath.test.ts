/**
 * Lines with no quote character are split without Papa (csv.ts `takeLines`), once the header is
 * read. Cut anywhere, such text must give exactly the records and errors of Papa's own parse of the
 * whole text in one piece (the first chunk always goes through Papa).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readRecords } from "../../../server/src/sources/formats";
import type { DataRecord } from "../../../server/src/sources/types";
import { seededRng, type Rng } from "../../support/mutate";

async function* pieces(text: string, sizes: number[]): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length] as number;
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function outcome(text: string, sizes: number[], delimiter: string): Promise<DataRecord[] | string> {
  const out: DataRecord[] = [];
  try {
    for await (const r of readRecords(pieces(text, sizes), "csv", { delimiter }, "t.csv")) out.push(r);
    return out;
  } catch (err: unknown) {
    return (err as Error).message;
  }
}

const CELLS = ["", "a", "Grüße ✓", " spaced ", "12.50", "x\ry", "😀", "tab\tbed", ";"];

function text(rng: Rng, delimiter: string, newline: string, columns: number, broken: boolean): string {
  const lines = [Array.from({ length: columns }, (_, i) => `c${i}`).join(delimiter)];
  for (let i = 0; i < 200; i++) {
    if (rng.next() < 0.05) lines.push("");
    const n = broken && rng.next() < 0.01 ? columns + 1 : columns;
    lines.push(Array.from({ length: n }, () => rng.pick(CELLS).replaceAll(delimiter, "")).join(delimiter));
  }
  return lines.join(newline) + (rng.next() < 0.5 ? newline : "");
}

describe("CSV without quotes, split without Papa", () => {
  it("gives Papa's records and errors for any cut, delimiter and line break", async () => {
    const rng = seededRng(24);
    for (let round = 0; round < 60; round++) {
      const delimiter = rng.pick([",", ";", "\t", "|"]);
      const newline = rng.pick(["\n", "\r\n", "\r"]);
      const body = text(rng, delimiter, newline, 1 + rng.int(5), round % 3 === 0);
      const whole = await outcome(body, [body.length * 4], delimiter);
      for (const sizes of [[1 + rng.int(40)], [3, 17], [1 + rng.int(2000)]]) {
        assert.deepEqual(await outcome(body, sizes, delimiter), whole, `round ${round}, delimiter ${JSON.stringify(delimiter)}, line break ${JSON.stringify(newline)}, cut ${sizes.join("/")}`);
      }
    }
  });
});
