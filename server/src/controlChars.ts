/** Control characters in text we print or write (terminal output, generated YAML comments). */

/** C0 controls but tab and line feed, DEL and the C1 controls (0x9b is a one-byte CSI on many terminals). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * `text` with each control character written as a `\uXXXX` escape, so nothing the CLI prints (a
 * step id, a key or message quoted from a pipeline file, a server's answer) can move the cursor,
 * clear or retitle the terminal, or ring its bell. The escape is also what JSON and YAML's
 * double-quoted strings mean by it, and our JSON, YAML and Python output only ever holds such
 * characters inside those strings, so escaping the whole output keeps its meaning.
 */
export function escapeControls(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Control characters but the line break, for text printed whole (an error may span lines). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/**
 * `text` (a step's error, which can quote any data: a path, a value, a server's message) with its
 * control characters shown as spaces, so printing it cannot clear or restyle the terminal.
 */
export function printable(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, " ");
}
