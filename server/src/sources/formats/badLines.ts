/**
 * Lines of a CSV or JSON Lines input that do not parse, under an extract's `on_error: quarantine`:
 * the reader hands each to an `OnBadLine` and reads on, instead of failing at the first one.
 */

/** One line (or, for CSV, the lines of one record) that does not parse. */
export interface BadLine {
  /** The file or object, as messages name it. */
  source: string;
  /** Its first line's number in the input, from 1. */
  line: number;
  /** The raw text, at most `MAX_BAD_LINE_TEXT` characters of it. */
  text: string;
  /** The parser's reason. */
  reason: string;
}

export type OnBadLine = (bad: BadLine) => void;

/** A rejected line's text is cut here (an unclosed quote can make a "line" of megabytes). */
export const MAX_BAD_LINE_TEXT = 1000;

/** The text as kept: cut to `MAX_BAD_LINE_TEXT` characters, with `…` when cut. */
export function keptText(text: string): string {
  return text.length <= MAX_BAD_LINE_TEXT ? text : `${text.slice(0, MAX_BAD_LINE_TEXT)}…`;
}
