/**
 * Whole numbers seen, one bit each: the usual `unique` key (an integer id) checked exactly, with
 * nearly sequential memory access, where a hash table misses the cache on every key. Grows to the
 * largest value seen; values at or past LIMIT (and negatives) are left to the caller's hash set.
 */

/** 2^27 values: a bitmap of at most 16 MB. */
export const LIMIT = 2 ** 27;

export class IntBitmap {
  private words = new Uint32Array(1024);

  /** True when `n` (an integer in [0, LIMIT)) was not there before. */
  add(n: number): boolean {
    const w = n >>> 5;
    if (w >= this.words.length) this.grow(w);
    const bit = 1 << (n & 31);
    const word = this.words[w] as number;
    if (word & bit) return false;
    this.words[w] = word | bit;
    return true;
  }

  get bytes(): number {
    return this.words.byteLength;
  }

  private grow(w: number): void {
    let size = this.words.length * 2;
    while (size <= w) size *= 2;
    const next = new Uint32Array(Math.min(size, LIMIT / 32));
    next.set(this.words);
    this.words = next;
  }
}

/** Whether the bitmap can hold `v`. */
export function fitsBitmap(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < LIMIT;
}
