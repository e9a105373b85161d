/**
 * Our messages mark names as Markdown code spans (`steps`, `${env:X}`): the CLI prints them as
 * they are, but an editor shows diagnostics and quick-fix titles as plain text, where the backticks
 * are noise. This removes the markers where a message reaches an editor (the language server, the
 * extension's own diagnostics), and only the markers: a backtick that is part of a name (a column
 * named `we`ird`) stays. Pure and dependency-free: the extension imports it too.
 */
/** What may come before a code span's opening backtick: the start, a space, an opening bracket or quote, or punctuation. */
const BEFORE_OPEN = /[\s([{"'“‘—–,;:=/]/;
/** What may come after its closing backtick: the end, a space, a closing bracket or quote, punctuation, or another backtick. */
const AFTER_CLOSE = /[\s)\]}"'”’.,;:!?—–/`]/;

function opens(text: string, i: number): boolean {
  const before = text[i - 1];
  const after = text[i + 1];
  return (before === undefined || BEFORE_OPEN.test(before)) && after !== undefined && !/\s/.test(after);
}

function closes(text: string, i: number, opener: number): boolean {
  const before = text[i - 1] as string;
  const after = text[i + 1];
  return i > opener + 1 && !/\s/.test(before) && (after === undefined || AFTER_CLOSE.test(after));
}

/** Where the code span opened at `open` closes: the last closing backtick before the next opening one; -1 if none. */
function closeOf(text: string, open: number): number {
  let close = -1;
  for (let j = text.indexOf("`", open + 1); j >= 0; j = text.indexOf("`", j + 1)) {
    if (closes(text, j, open)) close = j;
    else if (close >= 0 && opens(text, j)) break;
  }
  return close;
}

/**
 * `text` without the backticks of its code spans. A span opens at a backtick after a space,
 * bracket or punctuation (or the start), and closes at the last backtick followed by a space,
 * punctuation or the end before the next span opens. A backtick inside a name is kept: in
 * "`we`ird` is" and "``x` y` (in …" the names are we`ird and `x` y.
 */
export function plainText(text: string): string {
  if (!text.includes("`")) return text;
  let out = "";
  let i = 0;
  for (let tick = text.indexOf("`"); tick >= 0; tick = text.indexOf("`", i)) {
    out += text.slice(i, tick);
    const close = opens(text, tick) ? closeOf(text, tick) : -1;
    out += close < 0 ? "`" : text.slice(tick + 1, close);
    i = close < 0 ? tick + 1 : close + 1;
  }
  return out + text.slice(i);
}
