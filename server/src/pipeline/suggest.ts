/**
 * "Did you mean" for keys, ids and names: the closest candidate within a small edit distance.
 * Every search is bounded, because a hostile file can ask for thousands of them over thousands of
 * candidates: at most `MAX_CANDIDATES` candidates are compared (callers pass the likeliest first),
 * candidates whose length alone rules them out are skipped, and each comparison stops as soon as
 * it cannot come within the distance that would be suggested.
 */

/** Most candidates one search compares. Callers with more order them, likeliest first. */
export const MAX_CANDIDATES = 500;
/** Longer words get no suggestion: nobody misspells a 100-character name one letter off. */
const MAX_WORD = 100;

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent swaps): `retires` → `retries` is 1. */
export function editDistance(a: string, b: string): number {
  return boundedDistance(a, b, Math.max(a.length, b.length));
}

/**
 * The optimal string alignment distance of `a` and `b` when it is at most `limit`, else `limit + 1`.
 * Only a band of `2 × limit + 1` cells per row is filled, and it stops at the first row whose band
 * is all over the limit: O(length × limit), not O(length²).
 */
export function boundedDistance(a: string, b: string, limit: number): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > limit) return limit + 1;
  if (m === 0 || n === 0) return Math.max(m, n);
  const over = limit + 1;
  // Three rows in one reused buffer (a search makes hundreds of comparisons), rotated by offset.
  // Cells outside a row's band are never filled; its two edge cells are set to `over` so the next
  // row reads the right values.
  const width = n + 1;
  if (rows.length < 3 * width) rows = new Int32Array(3 * width * 2);
  const r = rows;
  let prev2 = 0;
  let prev = width;
  let cur = 2 * width;
  r.fill(over, 0, 3 * width);
  for (let j = 0; j <= Math.min(n, limit); j++) r[prev + j] = j;
  for (let i = 1; i <= m; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(n, i + limit);
    r[cur] = i <= limit ? i : over;
    if (from > 1) r[cur + from - 1] = over;
    if (to < n) r[cur + to + 1] = over;
    let rowMin = r[cur] as number;
    const ai = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j++) {
      const bj = b.charCodeAt(j - 1);
      let v = Math.min((r[prev + j] as number) + 1, (r[cur + j - 1] as number) + 1, (r[prev + j - 1] as number) + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) v = Math.min(v, (r[prev2 + j - 2] as number) + 1);
      if (v > over) v = over;
      r[cur + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return over;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(r[prev + n] as number, over);
}

let rows = new Int32Array(3 * 64);

/** The edit distance a word may be off by and still be suggested: 1 for short words, up to 3. */
function suggestionLimit(word: string): number {
  return Math.max(1, Math.min(3, Math.floor(word.length / 3)));
}

/**
 * The closest candidate, if it is close enough to be what the user meant. A candidate that
 * differs only in case wins; among equally close ones, the first. Looks at the first
 * `MAX_CANDIDATES` candidates only.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_WORD) return undefined;
  const lower = word.toLowerCase();
  const limit = suggestionLimit(word);
  let best: string | undefined;
  let bestDistance = limit + 1;
  let compared = 0;
  for (const candidate of candidates) {
    if (compared++ >= MAX_CANDIDATES) break;
    if (candidate === word || Math.abs(candidate.length - word.length) >= bestDistance) continue;
    const other = candidate.toLowerCase();
    // Once a candidate one edit away is found, only one differing in case alone can beat it.
    const d = other === lower ? 0.5 : bestDistance <= 1 ? Infinity : boundedDistance(lower, other, Math.ceil(bestDistance) - 1);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
      if (d === 0.5) break;
    }
  }
  return best;
}

/** `a, b or c` for messages. */
export function listOf(items: readonly string[], conj = "or"): string {
  const quoted = items.map((i) => `\`${i}\``);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} ${conj} ${quoted[quoted.length - 1]}`;
}
