import type { Node } from "yaml";
import { asMap, deref, isMap, isScalar, isSeq, keyName, pairOf, pairsOf, spanOf, stringValue } from "../nodes";
import { problem, type Problem, type Span } from "../problem";
import { listOf } from "../suggest";
import type { PipelineOutline, StepOutline } from "../outline";
import { sameList, stepCheck, type Rule } from "./rule";
import { connectionTypes } from "./shared";
import type { KeyForm, StepKeys } from "../../sources/descriptor";
import { CONNECTORS, descriptorFor, typesWhere } from "../../sources/registry";

/** A step uses keys that do not fit the type of the connection it names. */
export const connectionType: Rule = {
  code: "connection-type",
  steps: stepCheck<{ outline: PipelineOutline; types: (string | undefined)[] }>({
    shared: ({ outline }) => ({ outline, types: connectionTypes(outline) }),
    same: (a, b) => sameList(a.types, b.types),
    step: (step, { outline }) => checkStep(outline, step),
  }),
};

/** The article of a type name as it is read aloud: "an `s3`", "a `file`". */
const article = (type: string) => (/^[aeios]/.test(type) ? "an" : "a");
const plainList = (items: readonly string[]) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`);

const KNOWN_KEYS = new Set(CONNECTORS.flatMap((d) => [...d.extract.keys, ...(d.load?.keys ?? [])]));

function checkStep(outline: PipelineOutline, step: StepOutline): Problem[] {
  const { doc } = outline;
  const kind = step.kinds[0];
  if (!kind || step.kinds.length !== 1 || kind.kind === "transform" || !step.connection) return [];
  const conn = outline.connections.get(step.connection.name);
  const descriptor = descriptorFor(conn?.type);
  if (!conn || !descriptor) return [];
  const type = descriptor.type;
  const body = asMap(doc, kind.node);
  if (!body) return [];
  const problems: Problem[] = [];
  const bad = (message: string, span: Span) => problems.push(problem("connection-type", "error", message, span));
  const about = `\`${conn.name}\` is ${article(type)} \`${type}\` connection`;
  if (kind.kind === "sql") {
    if (!descriptor.sql) bad(`\`sql\` steps run in ${plainList(CONNECTORS.flatMap((d) => (d.sql ? [d.sql.noun] : [])))}, but ${about}`, step.connection.span);
    return problems;
  }
  const keys: StepKeys | undefined = kind.kind === "extract" ? descriptor.extract : descriptor.load;
  if (!keys) {
    bad(`records cannot be loaded into ${descriptor.noun}: ${about}; load into a ${plainList(typesWhere((d) => d.load))} connection`, step.connection.span);
    return problems;
  }
  const allowed = keys.keys;
  for (const pair of pairsOf(doc, body)) {
    const key = keyName(pair);
    if (key === undefined || key === "connection" || allowed.includes(key)) continue;
    if (!KNOWN_KEYS.has(key)) continue; // unknown keys are the schema's to report
    bad(`\`${key}\` does not apply here: ${about}, whose ${kind.kind} keys are ${listOf(allowed, "and")}`, spanOf(pair.key as Node));
  }
  checkOneOf(doc, body, keys.oneOf ?? [], `${kind.kind === "extract" ? "an" : "a"} ${kind.kind} from ${about}`, kind.keySpan, bad);
  for (const form of keys.forms ?? []) checkForm(doc, body, form, bad);
  if (kind.kind === "extract") checkIncremental(doc, body, keys.incremental, about, bad);
  return problems;
}

/** One of `oneOf` is required (`table` or `query`), and only one. */
function checkOneOf(doc: Parameters<typeof asMap>[0], body: NonNullable<ReturnType<typeof asMap>>, oneOf: readonly string[], what: string, keySpan: Span, bad: (m: string, s: Span) => void): void {
  const given = oneOf.map((key) => pairOf(doc, body, key)).filter((pair) => pair !== undefined);
  if (oneOf.length > 0 && given.length === 0) bad(`${what} needs ${listOf(oneOf, "or")}`, keySpan);
  const second = given[1];
  if (second) bad(`give either ${listOf(oneOf, "or")}, not both`, spanOf(second.key as Node));
}

/** A key shared by several types whose value form depends on the type (`query`, `key`). */
function checkForm(doc: Parameters<typeof asMap>[0], body: NonNullable<ReturnType<typeof asMap>>, { key, form, message }: KeyForm, bad: (m: string, s: Span) => void): void {
  const value = deref(doc, pairOf(doc, body, key)?.value);
  if (!value) return;
  const fits = form === "string" ? stringValue(doc, value) !== undefined : form === "map" ? isMap(value) : form === "scalar" ? isScalar(value) : isSeq(value) || isScalar(value);
  if (!fits) bad(message, spanOf(value));
}

/** `incremental` holds the keys of the connection's type, and those it needs; `lag` does not fit `by: partition`. */
function checkIncremental(doc: Parameters<typeof asMap>[0], body: NonNullable<ReturnType<typeof asMap>>, keys: StepKeys["incremental"], about: string, bad: (m: string, s: Span) => void): void {
  const pair = pairOf(doc, body, "incremental");
  const map = asMap(doc, pair?.value);
  if (!pair || !map || !keys) return;
  const { own, needs } = keys;
  for (const p of pairsOf(doc, map)) {
    const key = keyName(p);
    if (key !== undefined && !own.includes(key)) bad(`incremental \`${key}\` does not apply here: ${about}, whose incremental keys are ${listOf(own, "and")}`, spanOf(p.key as Node));
  }
  const missing = needs.filter((k) => !pairOf(doc, map, k));
  if (missing.length > 0) bad(`${about}: an incremental extract from it needs ${listOf(missing, "and")}`, spanOf(pair.key as Node));
  const lag = pairOf(doc, map, "lag");
  if (lag && stringValue(doc, deref(doc, pairOf(doc, map, "by")?.value)) === "partition") {
    bad("`lag` does not apply to `by: partition` (a partition is read once, after the last one read); use `by: modified` to re-read a window", spanOf(lag.key as Node));
  }
}
