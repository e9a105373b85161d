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
function onLine(state: SplitState, text: string, start: number, end: number, indent: number): boolean {
  const first = text.charCodeAt(start + indent);
  if (first === 9) return false; // a tab in the indentation
  const afterDash = text.charCodeAt(start + indent + 1);
  const dash = first === 45 && (start + indent + 1 >= end || afterDash === 32 || afterDash === 13);
  if (state.inSteps && dash && (state.itemIndent === undefined || indent === state.itemIndent)) {
    state.itemIndent = indent;
    const items = state.current?.items;
    const previous = items?.[items.length - 1];
    if (previous) previous.end = start;
    items?.push({ start, end: start });
    return true;
  }
  if (indent === 0) {
    let line = text.slice(start, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
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

/**
 * True when `text` has a `\r` that does not start a `\r\n`. A search for `\r` first: most files have
 * none, and it costs a fraction of the regular expression `/\r(?!\n)/` over the whole text.
 */
export function hasLoneCr(text: string): boolean {
  for (let at = text.indexOf("\r"); at >= 0; at = text.indexOf("\r", at + 1)) if (text.charCodeAt(at + 1) !== 10) return true;
  return false;
}

/** The chunk layout of `text`, or undefined when it must be parsed whole. */
export function splitChunks(text: string): ChunkLayout | undefined {
  if (hasLoneCr(text)) return undefined;
  const state: SplitState = { sections: [], inSteps: false, seen: new Set() };
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl < 0 ? text.length : nl;
    let indent = 0;
    while (text.charCodeAt(pos + indent) === 32) indent++;
    const c = pos + indent < end ? text.charCodeAt(pos + indent) : -1;
    const blank = c === -1 || c === 13 || c === 35; // empty, CR of CRLF, or a comment
    if (!blank && !onLine(state, text, pos, end, indent)) return undefined;
    pos = end + 1;
  }
  closeCurrent(state, text.length);
  return state.sections.length > 0 ? { sections: state.sections } : undefined;
}
