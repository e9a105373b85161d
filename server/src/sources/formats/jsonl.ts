/** JSON Lines: one JSON object per line; blank lines are skipped. */
import { ConnectorError } from "../../errors";
import type { DataRecord } from "../types";
import { recordBatches } from "./batches";
import { JsonNumberError, mayNeedExactParse, parseJson, stringifyJson } from "./exactJson";
import { keptText, type OnBadLine } from "./badLines";
import { chompCr, decodeText, splitLines, type ByteSource } from "./text";

/** Why a line is no record: `reason`, and how the message that fails the read says it. */
class NotRecord {
  constructor(readonly reason: string, private readonly hint = "", private readonly joint = " is ") {}

  message(where: string, line: number): string {
    return `${where}: line ${line}${this.joint}${this.reason}${this.hint}`;
  }
}

function lineRecord(line: string): DataRecord | NotRecord {
  let value: unknown;
  try {
    value = parseJson(line);
  } catch (err: unknown) {
    if (err instanceof JsonNumberError) return new NotRecord(err.message, "", ": ");
    const reason = err instanceof Error ? err.message : String(err);
    return new NotRecord(`not valid JSON (${reason})`, "; each line of a JSONL file must be one JSON object");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return new NotRecord("not a JSON object", "; each line of a JSONL file must be one object (a record)");
  }
  return value as DataRecord;
}

/** Parses a batch of lines with one JSON.parse (much cheaper per record); on any problem, line by line: a bad line goes to `onBad`, or fails the read. */
function parseLines(lines: string[], firstLine: number, where: string, onBad?: OnBadLine): DataRecord[] {
  const kept: string[] = [];
  for (const raw of lines) {
    const line = chompCr(raw);
    if (line.trim().length > 0) kept.push(line);
  }
  if (kept.length === 0) return [];
  const text = `[${kept.join(",")}]`;
  try {
    const parsed = JSON.parse(text) as unknown[];
    // A number JSON.parse changed (a big integer): line by line, exactly.
    if (mayNeedExactParse(parsed, text)) throw new Error("exact numbers");
    if (parsed.length === kept.length && parsed.every((v) => v !== null && typeof v === "object" && !Array.isArray(v))) return parsed as DataRecord[];
  } catch {
    // fall through: find the offending lines
  }
  const records: DataRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = chompCr(lines[i] as string);
    if (line.trim().length === 0) continue;
    const parsed = lineRecord(line);
    if (!(parsed instanceof NotRecord)) records.push(parsed);
    else if (onBad) onBad({ source: where, line: firstLine + i, text: keptText(line), reason: parsed.reason });
    else throw new ConnectorError("bad-record", parsed.message(where, firstLine + i));
  }
  return records;
}

/** Reads JSONL as batches of records (the runner's fast path); with `onBad`, a line that is no JSON object goes there instead of failing the read. */
export async function* readJsonlBatches(source: ByteSource, where = "JSONL input", onBad?: OnBadLine): AsyncGenerator<DataRecord[]> {
  let lineNumber = 1;
  for await (const lines of splitLines(decodeText(source))) {
    const batch = parseLines(lines, lineNumber, where, onBad);
    lineNumber += lines.length;
    if (batch.length > 0) yield batch;
  }
}

/** Serializes a batch as JSONL text (one chunk per batch). */
function jsonlChunk(batch: readonly DataRecord[]): string {
  // One flat string per batch (join), not a tree of thousands of concatenations to flatten later.
  const lines = new Array<string>(batch.length + 1);
  for (let i = 0; i < batch.length; i++) lines[i] = stringifyJson(batch[i]);
  lines[batch.length] = "";
  return lines.join("\n");
}

export async function* writeJsonl(records: AsyncIterable<DataRecord>): AsyncGenerator<string> {
  let pending = "";
  for await (const batch of recordBatches(records)) {
    pending += jsonlChunk(batch);
    if (pending.length >= 1 << 16) {
      yield pending;
      pending = "";
    }
  }
  if (pending.length > 0) yield pending;
}
