/**
 * A set of 64-bit key hashes in two typed arrays (open addressing, linear probing): `unique` over
 * millions of records in bounded memory, 8 bytes a slot (5M keys: 2^23 slots, 64 MB), where a
 * `Set` of the key strings takes ~5 times that. Two keys with one hash are told apart afterwards by
 * an exact pass over the candidates (uniqueCheck.ts), so a hash collision never fails a check.
 */

const MAX_LOAD = 0.7;

/** Two independent 32-bit hashes of a string (cyrb53's mixing, both halves kept), into `out` (no allocation per key). */
export function hash64(text: string, out: Uint32Array): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0 || 1;
}

/** A number that stands for a 64-bit hash in a `Set` (53 of its bits: a shared value only costs an exact comparison). */
export function hashToken(hi: number, lo: number): number {
  return (hi >>> 11) * 4294967296 + lo;
}

export class KeyHashSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialBits = 16) {
    this.hi = new Uint32Array(1 << initialBits);
    this.lo = new Uint32Array(1 << initialBits);
    this.mask = (1 << initialBits) - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  /** Adds the hash; false when it was already there (`lo` is never 0: 0 marks an empty slot). */
  add(hi: number, lo: number): boolean {
    if (this.count + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    let i = (lo ^ hi) & this.mask;
    for (;;) {
      const l = this.lo[i] as number;
      if (l === 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.count++;
        return true;
      }
      if (l === lo && this.hi[i] === hi) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const size = (this.mask + 1) * 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < oldLo.length; i++) {
      const lo = oldLo[i] as number;
      if (lo !== 0) this.add(oldHi[i] as number, lo);
    }
  }
}
