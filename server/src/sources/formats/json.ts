/**
 * JSON arrays of objects, streamed: a small scanner finds each top-level element's extent and
 * parses elements one by one, so a large array never sits in memory whole.
 */
import { ConnectorError } from "../../errors";
import type { DataRecord } from "../types";
import { recordBatches } from "./batches";
import { JsonNumberError, parseJson, stringifyJson } from "./exactJson";
import { decodeText, type ByteSource } from "./text";

interface ScanState {
  started: boolean;
  ended: boolean;
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** Text of the current element so far. */
  element: string;
  count: number;
}

function fail(where: string, what: string): never {
  throw new ConnectorError("bad-record", `${where}: ${what}; a JSON file must hold one array of objects, e.g. [{"id": 1}, {"id": 2}]`);
}

function finishElement(state: ScanState, where: string, out: DataRecord[]): void {
  const text = state.element.trim();
  state.element = "";
  if (text.length === 0) return;
  state.count++;
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err: unknown) {
    if (err instanceof JsonNumberError) throw new ConnectorError("bad-record", `${where}: element ${state.count}: ${err.message}`);
    fail(where, `element ${state.count} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(where, `element ${state.count} is not an object`);
  out.push(value as DataRecord);
}

/** Scans one text chunk; returns the records completed in it. */
function scan(chunk: string, state: ScanState, where: string): DataRecord[] {
  const out: DataRecord[] = [];
  let from = 0;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (state.inString) {
      if (state.escaped) state.escaped = false;
      else if (c === 92 /* \ */) state.escaped = true;
      else if (c === 34 /* " */) state.inString = false;
      continue;
    }
    if (!state.started) {
      if (c === 91 /* [ */) {
        state.started = true;
        from = i + 1;
      } else if (!isSpace(c)) fail(where, "it does not start with `[`");
      continue;
    }
    if (state.ended) {
      if (!isSpace(c)) fail(where, "there is text after the closing `]`");
      continue;
    }
    if (c === 34) state.inString = true;
    else if (c === 123 || c === 91) state.depth++;
    else if (c === 125 || c === 93) {
      if (state.depth === 0 && c === 93) {
        state.element += chunk.slice(from, i);
        finishElement(state, where, out);
        state.ended = true;
        continue;
      }
      state.depth--;
    } else if (c === 44 /* , */ && state.depth === 0) {
      state.element += chunk.slice(from, i);
      finishElement(state, where, out);
      from = i + 1;
    }
  }
  if (state.started && !state.ended) state.element += chunk.slice(from);
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

export async function* readJsonArrayBatches(source: ByteSource, where = "JSON input"): AsyncGenerator<DataRecord[]> {
  const state: ScanState = { started: false, ended: false, depth: 0, inString: false, escaped: false, element: "", count: 0 };
  for await (const chunk of decodeText(source)) {
    const records = scan(chunk, state, where);
    if (records.length > 0) yield records;
  }
  if (!state.started) fail(where, "it is empty");
  if (!state.ended) fail(where, "the array is not closed with `]` (truncated file?)");
}

export async function* writeJsonArray(records: AsyncIterable<DataRecord>): AsyncGenerator<string> {
  let first = true;
  let buffer = "";
  for await (const batch of recordBatches(records)) {
    for (const record of batch) {
      buffer += (first ? "[\n" : ",\n") + stringifyJson(record);
      first = false;
    }
    if (buffer.length >= 65536) {
      yield buffer;
      buffer = "";
    }
  }
  yield buffer + (first ? "[]\n" : "\n]\n");
}
