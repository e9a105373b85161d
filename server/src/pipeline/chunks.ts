/**
 * Splits pipeline text into independently parseable pieces: one per top-level section and, under
 * `steps:`, one per step item. Only plain block-style layouts are split; anything the split could
 * misread (flow or quoted text running onto column 0, documents markers, odd indentation, tabs,
 * duplicate sections) returns undefined, and the caller parses the whole text instead.
 */

/** A run of whole lines `[start, end)`. */
export interface TextChunk {
  start: number;
  end: number;
}

export interface SectionChunk extends TextChunk {
  key: string;
  /** For a `steps:` section written as a block list: the step items (the section chunk holds only the head). */
  items?: TextChunk[];
}

export interface ChunkLayout {
  sections: SectionChunk[];
}

const SECTION_KEY = /^([A-Za-z_][A-Za-z0-9_-]*)[ ]*:(?:[ ]|$)/;
const HEAD_ONLY = /^steps[ ]*:[ ]*(?:#.*)?$/;
const DASH = /^( *)-(?: |$)/;

interface SplitState {
  sections: SectionChunk[];
  current?: SectionChunk;
  inSteps: boolean;
  itemIndent?: number;
  seen: Set<string>;
}

function closeCurrent(state: SplitState, at: number): void {
  const cur = state.current;
  if (!cur) return;
  const items = cur.items;
  if (items && items.length > 0) {
    const last = items[items.length - 1] as TextChunk;
    last.end = at;
    cur.end = (items[0] as TextChunk).start;
  } else {
    delete cur.items;
    cur.end = at;
  }
  state.sections.push(cur);
  delete state.current;
}

/** Handles one content line; false when the layout is not one this module can split safely. */
function onLine(state: SplitState, line: string, start: number): boolean {
  const indent = line.length - line.trimStart().length;
  if (/^ *\t/.test(line)) return false;
  const dash = DASH.exec(line);
  if (state.inSteps && dash && (state.itemIndent === undefined || indent === state.itemIndent)) {
    state.itemIndent = indent;
    const items = state.current?.items;
    const previous = items?.[items.length - 1];
    if (previous) previous.end = start;
    items?.push({ start, end: start });
    return true;
  }
  if (indent === 0) {
    const m = SECTION_KEY.exec(line);
    const key = m?.[1];
    if (key === undefined || key === "__proto__" || state.seen.has(key)) return false;
    closeCurrent(state, start);
    state.seen.add(key);
    state.inSteps = key === "steps" && HEAD_ONLY.test(line);
    delete state.itemIndent;
    state.current = { key, start, end: start, ...(state.inSteps ? { items: [] } : {}) };
    return true;
  }
  if (!state.current) return false;
  if (state.inSteps) {
    if (state.itemIndent === undefined) return false;
    if (indent <= state.itemIndent) return false;
  }
  return true;
}

/** The chunk layout of `text`, or undefined when it must be parsed whole. */
export function splitChunks(text: string): ChunkLayout | undefined {
  const state: SplitState = { sections: [], inSteps: false, seen: new Set() };
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const next = nl < 0 ? text.length : nl + 1;
    let line = text.slice(pos, nl < 0 ? text.length : nl);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.includes("\r")) return undefined;
    const trimmed = line.trimStart();
    if (trimmed !== "" && !trimmed.startsWith("#") && !onLine(state, line, pos)) return undefined;
    if (trimmed.startsWith("#") && /^ *\t/.test(line)) return undefined;
    pos = next;
  }
  closeCurrent(state, text.length);
  return state.sections.length > 0 ? { sections: state.sections } : undefined;
}
