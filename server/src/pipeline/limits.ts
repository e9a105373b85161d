/**
 * What one file may cost. A pipeline file larger than `MAX_FILE_BYTES` is refused with one problem
 * instead of being parsed, and a front end shows at most `MAX_PROBLEMS` problems per file, the most
 * severe first, closed by one that counts the rest: a hostile or generated file must not take
 * `validate` minutes or the language server gigabytes (docs/pipeline-spec.md, "Diagnostics").
 */
import { problem, type Problem, type Severity, type Span } from "./problem";

/**
 * Files over 3 MiB are refused: ~13,000 steps of the usual layout, far past any real pipeline.
 * Past it, an edited file (or one made of problems) took the language server over ~500 MB.
 */
export const MAX_FILE_BYTES = 3 * 1024 * 1024;

/** Most problems shown per file. */
export const MAX_PROBLEMS = 200;

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };
const BY_RANK: readonly Severity[] = ["error", "warning", "info", "hint"];

/** Bytes of `text` in UTF-8, without encoding it. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++; // a surrogate pair: 4 bytes for 2 units
    if (c >= 0x80) bytes += c >= 0x800 ? 2 : 1;
  }
  return bytes;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

/** The refusal of a file of `bytes` bytes, when it is over the limit. */
export function fileTooLarge(bytes: number, span: Span = { start: 0, end: 0 }): Problem | undefined {
  if (bytes <= MAX_FILE_BYTES) return undefined;
  return problem(
    "file-too-large",
    "error",
    `this file is ${mib(bytes)} (${bytes.toLocaleString("en-US")} bytes); pipeline files over ${mib(MAX_FILE_BYTES)} (${MAX_FILE_BYTES.toLocaleString("en-US")} bytes) are not checked. Split it into several pipelines (or generate one per source), each under ${mib(MAX_FILE_BYTES)}`,
    span,
  );
}

/** The refusal of `text` when it is over the limit, on its first line. */
export function textTooLarge(text: string): Problem | undefined {
  // Counting bytes is needed only between the two bounds one UTF-8 character's width gives.
  if (text.length * 3 <= MAX_FILE_BYTES) return undefined;
  const bytes = text.length > MAX_FILE_BYTES ? text.length : utf8Length(text);
  const nl = text.indexOf("\n");
  return fileTooLarge(bytes, { start: 0, end: nl < 0 || nl > 200 ? Math.min(text.length, 200) : nl });
}

/** Something that may be listed: a problem, or a stand-in for `omitted` problems a check did not make. */
export interface Listable {
  severity: Severity;
  omitted?: number;
}

/** How many problems of `severity` there are, a stand-in counting those it stands for. */
export function countOf(items: readonly Listable[], severity: Severity): number {
  let n = 0;
  for (const item of items) if (item.severity === severity) n += item.omitted ?? 1;
  return n;
}

/** Which items a front end lists, and what the closing note says of the rest. */
export interface CapPlan {
  /** Per item: listed or not (stand-ins never are). */
  shown: boolean[];
  /** The closing note, when anything is not listed. */
  note?: { severity: Severity; message: string };
  /** Index of the first item not listed (where the note goes), or -1. */
  firstHidden: number;
}

/**
 * Lists the `limit` most severe items (errors first, then warnings, …; within a severity, in the
 * order given) and counts the rest, stand-ins included, in one note. Linear in the items.
 */
export function planCap(items: readonly Listable[], limit = MAX_PROBLEMS): CapPlan {
  const counts = [0, 0, 0, 0];
  const hidden = [0, 0, 0, 0];
  for (const item of items) {
    if (item.omitted !== undefined) (hidden[RANK[item.severity]] as number) += item.omitted;
    else (counts[RANK[item.severity]] as number)++;
  }
  // Whole severities while they fit, then the first few of the next one.
  const quota = [0, 0, 0, 0];
  let left = limit;
  for (let r = 0; r < 4; r++) {
    quota[r] = Math.min(left, counts[r] as number);
    left -= quota[r] as number;
    (hidden[r] as number) += (counts[r] as number) - (quota[r] as number);
  }
  let firstHidden = -1;
  const shown = items.map((item, i) => {
    const r = RANK[item.severity];
    const listed = item.omitted === undefined && (quota[r] as number) > 0;
    if (listed) (quota[r] as number)--;
    else if (firstHidden < 0) firstHidden = i;
    return listed;
  });
  const total = counts.reduce((a, b) => a + b, 0) + items.reduce((a, item) => a + (item.omitted ?? 0), 0);
  const note = hiddenNote(hidden, total);
  return { shown, firstHidden, ...(note ? { note } : {}) };
}

const WORDS = ["error", "warning", "info", "hint"];

/** "19,800 more problems not shown (19,800 errors): …", from the hidden counts per severity rank. */
function hiddenNote(hidden: readonly number[], total: number): { severity: Severity; message: string } | undefined {
  const n = hidden.reduce((a, b) => a + b, 0);
  if (n === 0) return undefined;
  const severity = BY_RANK[hidden.findIndex((c) => c > 0)] ?? "hint";
  const parts = hidden.flatMap((c, r) => (c > 0 ? [`${c.toLocaleString("en-US")} ${WORDS[r]}${c === 1 || r === 2 ? "" : "s"}`] : []));
  const shown = (total - n).toLocaleString("en-US");
  return {
    severity,
    message: `${n.toLocaleString("en-US")} more problem${n === 1 ? "" : "s"} not shown (${parts.join(", ")}): only ${shown} of this file's ${total.toLocaleString("en-US")} problems are listed, errors first; fix these and the rest appear`,
  };
}

/**
 * At most `limit` problems (see `planCap`), in the order given, then one `too-many-problems` note
 * on the first one left out, counting the rest. Fewer problems (and no stand-ins) come back as they are.
 */
export function capProblems(problems: readonly Problem[], limit = MAX_PROBLEMS): Problem[] {
  const plan = planCap(problems, limit);
  if (!plan.note) return [...problems];
  const shown = problems.filter((_, i) => plan.shown[i]);
  return [...shown, problem("too-many-problems", plan.note.severity, plan.note.message, (problems[plan.firstHidden] as Problem).span)];
}

/**
 * The first `limit` of a check's problems, then a stand-in counting the rest: a check that finds
 * 100,000 problems makes 200 (the front end lists no more per file) and does not pay for the others.
 * `count` is how many there are in all; `make(i)` makes the i-th.
 */
export function firstProblems(count: number, make: (i: number) => Problem | undefined, severity: Severity, limit = MAX_PROBLEMS): Problem[] {
  const out: Problem[] = [];
  let i = 0;
  for (; i < count && out.length < limit; i++) {
    const p = make(i);
    if (p) out.push(p);
  }
  if (i < count) {
    // Placed on the first problem left out (made only for its place).
    const at = make(i)?.span ?? (out[out.length - 1] as Problem).span;
    out.push(problem("too-many-problems", severity, `${(count - i).toLocaleString("en-US")} more problems of this check, not made`, at, { omitted: count - i }));
  }
  return out;
}
