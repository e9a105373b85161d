/** Text → YAML document with source ranges, and YAML-level problems (`yaml-syntax`). */
import { Document, isAlias, parseDocument, visit } from "yaml";
import { aliasProblems } from "./aliases";
import { parseBlockYaml } from "./fastYaml/blockYaml";
import { MAX_NESTING, tooDeepAt } from "./nesting";
import { problem, type Problem, type Span } from "./problem";
import { MAX_ALIAS_COUNT, spanOf } from "./nodes";
import { yamlSyntaxProblems } from "./yamlErrors";

export { MAX_ALIAS_COUNT } from "./nodes";

export interface ParsedYaml {
  doc: Document.Parsed;
  /** Plain data for schema validation; undefined when the YAML is broken. */
  data: unknown;
  problems: Problem[];
}

/**
 * Parses pipeline text. Never throws: every failure becomes a `yaml-syntax` problem. Plain block
 * YAML goes through the fast path (`fastYaml/blockYaml.ts`: the same nodes and data as `yaml`);
 * anything else, and every text with an error, through `yaml`.
 */
export function parseYaml(text: string): ParsedYaml {
  const fast = parseBlockYaml(text);
  if (fast) {
    // Nodes carry their ranges, as parsed ones do; the type says so.
    const doc = new Document() as Document.Parsed;
    doc.contents = fast.contents as Document.Parsed["contents"];
    return { doc, data: fast.data, problems: [] };
  }
  const deep = tooDeepAt(text);
  if (deep >= 0) return { doc: parseDocument(""), data: undefined, problems: [problem("yaml-syntax", "error", `collections are nested too deeply to read (more than ${MAX_NESTING} levels here); flatten the file`, { start: deep, end: deep + 1 })] };
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (err: unknown) {
    const message = err instanceof RangeError ? "collections are nested too deeply to read; flatten the file" : `the YAML could not be read (${err instanceof Error ? err.message : String(err)})`;
    return { doc: parseDocument(""), data: undefined, problems: [problem("yaml-syntax", "error", message, { start: 0, end: 0 })] };
  }
  const problems = yamlSyntaxProblems(doc, text);
  const control = controlCharProblem(text);
  if (control) problems.unshift(control);
  if (problems.length === 0 && MAY_ALIAS.test(text)) problems.push(...aliasProblems(doc));
  if (problems.length > 0) return { doc, data: undefined, problems };
  try {
    return { doc, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), problems };
  } catch (err: unknown) {
    return { doc, data: undefined, problems: [dataProblem(doc, err)] };
  }
}

/** Text without these cannot hold an anchor, an alias or a merge key: the tree walk is skipped. */
const MAY_ALIAS = /[&*]|<</;

/** Why a tree that parsed (and passed `aliasProblems`) could not become data: too many aliases, or too deep. */
function dataProblem(doc: Document.Parsed, err: unknown): Problem {
  if (err instanceof RangeError) return problem("yaml-syntax", "error", "collections are nested too deeply to read; flatten the file", { start: 0, end: 0 });
  const bomb = err instanceof ReferenceError && /alias count/i.test(err.message);
  const message = bomb
    ? `aliases expand into too much data (more than ${MAX_ALIAS_COUNT} alias uses; is this an alias bomb?); write the values out or use fewer aliases`
    : `the YAML could not be read as data (${err instanceof Error ? err.message : String(err)}); simplify the anchors and aliases near here`;
  return problem("yaml-syntax", "error", message, firstAliasSpan(doc));
}

function firstAliasSpan(doc: Document.Parsed): Span {
  let span: Span = { start: 0, end: 0 };
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node)) span = spanOf(node);
      return visit.BREAK;
    },
  });
  return span;
}

/** Characters YAML does not allow in a text (C0 controls but tab, newline and carriage return; DEL). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
export const CONTROL_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * The first control character anywhere in the text, as a problem: `yaml` would take it into a value
 * silently. A NUL is the mark of binary data (or a UTF-16 file) wherever it is, not only near the start.
 */
function controlCharProblem(text: string): Problem | undefined {
  const match = CONTROL_CHAR.exec(text);
  if (!match) return undefined;
  const at = match.index;
  const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
  const message =
    code === "0000"
      ? "the file holds a NUL character (U+0000) here; pipeline files are text, so delete it (binary data pasted in, or a file saved as UTF-16, shows up like this)"
      : `the file holds a control character (U+${code}) here, which YAML does not allow; delete it, or write it as the escape "\\x${code.slice(2)}" inside a double-quoted string`;
  return problem("yaml-syntax", "error", message, { start: at, end: at + 1 });
}

export interface DecodedText {
  text: string;
  problem?: Problem;
}

/** Decodes file bytes as UTF-8 (dropping a BOM); invalid bytes become a `yaml-syntax` problem. */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text };
  } catch {
    const text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(bytes);
    const at = Math.max(0, text.indexOf("\uFFFD"));
    return {
      text,
      problem: problem("yaml-syntax", "error", "the file is not valid UTF-8 text; save it with UTF-8 encoding", { start: at, end: at + 1 }),
    };
  }
}

/** True when the bytes look binary (a NUL byte early on), so tools refuse it instead of parsing. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8000);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}
