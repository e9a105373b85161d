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

const FLOAT = new Float64Array(1);
const WORDS = new Uint32Array(FLOAT.buffer);

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A number's 64-bit hash, from its bits (no text made: most keys are numbers once cast). */
export function hashNumber(value: number, out: Uint32Array): void {
  FLOAT[0] = value === 0 ? 0 : value;
  const a = WORDS[0] as number;
  const b = WORDS[1] as number;
  const hi = fmix(a ^ Math.imul(b, 0x9e3779b1) ^ 0x27d4eb2f);
  const lo = fmix(b ^ Math.imul(hi, 0x85ebca77) ^ 0x165667b1);
  out[0] = hi >>> 0;
  out[1] = lo >>> 0 || 1;
}

/** A number that stands for a 64-bit hash in a `Set` (53 of its bits: a shared value only costs an exact comparison). */
export function hashToken(hi: number, lo: number): number {
  return (hi >>> 11) * 4294967296 + lo;
}

export class KeyHashSet {
  /** Slot i holds hi at 2i and lo at 2i + 1: one cache line per probe. */
  private slots: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialBits = 16) {
    this.slots = new Uint32Array(2 << initialBits);
    this.mask = (1 << initialBits) - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Adds the hash; false when it was already there (`lo` is never 0: 0 marks an empty slot). */
  add(hi: number, lo: number): boolean {
    if (this.count + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    const slots = this.slots;
    let i = (lo ^ hi) & this.mask;
    for (;;) {
      const l = slots[2 * i + 1] as number;
      if (l === 0) {
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        this.count++;
        return true;
      }
      if (l === lo && slots[2 * i] === hi) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Uint32Array(2 * size);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 1; i < old.length; i += 2) {
      const lo = old[i] as number;
      if (lo !== 0) this.add(old[i - 1] as number, lo);
    }
  }
}
