/** Byte/text stream helpers shared by the record formats. */

/** Anything a format reader accepts: Node readables and web/async iterables of bytes or text. */
export type ByteSource = AsyncIterable<Uint8Array | string>;

/** Decodes UTF-8 chunks (a leading BOM is dropped) into text chunks. */
export async function* decodeText(source: ByteSource): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of source) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
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
