/** Byte/text stream helpers shared by the record formats. */
import { StringDecoder } from "node:string_decoder";

/** Anything a format reader accepts: Node readables and web/async iterables of bytes or text. */
export type ByteSource = AsyncIterable<Uint8Array | string>;

/**
 * Decodes UTF-8 chunks (a leading BOM is dropped; bytes that are not UTF-8 become U+FFFD) into
 * text chunks. StringDecoder, not TextDecoder: it decodes with V8's own UTF-8 decoder, about four
 * times faster on large files (57 MB: 20 ms against 87 ms).
 */
export async function* decodeText(source: ByteSource): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let first = true;
  for await (const chunk of source) {
    let text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    if (first && text.length > 0) {
      first = false;
      if (typeof chunk !== "string" && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** Splits text chunks into lines (without `\n`/`\r\n`); yields arrays of lines to keep per-line overhead low. */
export async function* splitLines(source: AsyncIterable<string>): AsyncGenerator<string[]> {
  let carry = "";
  for await (const chunk of source) {
    const text = carry + chunk;
    const parts = text.split("\n");
    carry = parts.pop() ?? "";
    if (parts.length > 0) yield parts;
  }
  if (carry.length > 0) yield [carry];
}

/** Drops a trailing `\r` (CRLF files). */
export function chompCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
