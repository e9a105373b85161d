/** JSON Lines: one JSON object per line; blank lines are skipped. */
import { ConnectorError } from "../../errors";
import type { DataRecord } from "../types";
import { recordBatches } from "./batches";
import { JsonNumberError, mayNeedExactParse, parseJson, stringifyJson } from "./exactJson";
import { chompCr, decodeText, splitLines, type ByteSource } from "./text";

function parseRecordLine(line: string, lineNumber: number, where: string): DataRecord {
  let value: unknown;
  try {
    value = parseJson(line);
  } catch (err: unknown) {
    if (err instanceof JsonNumberError) throw new ConnectorError("bad-record", `${where}: line ${lineNumber}: ${err.message}`);
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConnectorError("bad-record", `${where}: line ${lineNumber} is not valid JSON (${reason}); each line of a JSONL file must be one JSON object`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConnectorError("bad-record", `${where}: line ${lineNumber} is not a JSON object; each line of a JSONL file must be one object (a record)`);
  }
  return value as DataRecord;
}

/** Parses a batch of lines with one JSON.parse (much cheaper per record); on any problem, line by line for the message. */
function parseLines(lines: string[], firstLine: number, where: string): DataRecord[] {
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
    // fall through: find the offending line
  }
  return lines.flatMap((raw, i) => {
    const line = chompCr(raw);
    return line.trim().length === 0 ? [] : [parseRecordLine(line, firstLine + i, where)];
  });
}

/** Reads JSONL as batches of records (the runner's fast path). */
export async function* readJsonlBatches(source: ByteSource, where = "JSONL input"): AsyncGenerator<DataRecord[]> {
  let lineNumber = 1;
  for await (const lines of splitLines(decodeText(source))) {
    const batch = parseLines(lines, lineNumber, where);
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
