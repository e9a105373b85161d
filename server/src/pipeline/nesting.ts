/**
 * A bound on how deeply a text's collections nest, read before `yaml` parses it. `yaml` parses
 * recursively: somewhere past a thousand levels it runs out of stack, and where exactly depends on how
 * deep the caller's stack already is, so the same text would get different problems from the CLI
 * and from the language server's incremental path. Refusing anything near that, by a count that does
 * not depend on the stack, gives one answer everywhere. No pipeline comes near the limit.
 */

/** Nesting levels past which a text is not parsed (`yaml` overflows the stack from about 1,200). */
export const MAX_NESTING = 400;

const NL = 10;
const SPACE = 32;

/**
 * The offset where the text's nesting may pass `MAX_NESTING`, or -1. Counted per line, it never
 * counts less than the real depth by more than a few levels: a nested block needs more indentation
 * (one level per space at most, allowing for lists that share their key's indentation), each `: `,
 * `- ` and `? ` on the line may open a compact collection, and `[`/`{` open flow collections
 * (counted across lines; brackets in quoted text may raise the count, never hide real nesting).
 */
export function tooDeepAt(text: string, start = 0, end = text.length): number {
  let flow = 0;
  let lineDepth = 0;
  let atLineStart = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === NL) {
      atLineStart = true;
      lineDepth = 0;
      continue;
    }
    if (atLineStart) {
      if (c === SPACE) {
        lineDepth++;
        continue;
      }
      atLineStart = false;
    }
    if (c === 91 || c === 123) flow++;
    else if ((c === 93 || c === 125) && flow > 0) flow--;
    else if ((c === 58 || c === 45 || c === 63) && text.charCodeAt(i + 1) === SPACE) lineDepth++;
    else continue;
    if (lineDepth + flow > MAX_NESTING) return i;
  }
  return -1;
}
