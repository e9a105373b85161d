/** Splitting the `--cli` option (`node "/my repo/dist/cli.js"`) into words, like a POSIX shell would. */

export type WordsResult = { words: string[] } | { error: string };

/**
 * Words separated by blanks; `'…'` keeps everything literally, `"…"` and `\` escape as in sh
 * (no expansion: `$`, `` ` `` and globs are plain characters here).
 */
export function splitWords(text: string): WordsResult {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) word += text[++i];
      else word += ch;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      inWord = true;
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch === "\\" && i + 1 < text.length) word += text[++i];
      else word += ch;
    }
  }
  if (quote) return { error: `unclosed ${quote} quote` };
  if (inWord) words.push(word);
  if (words.length === 0) return { error: "the command is empty" };
  return { words };
}
