/**
 * JSON Schema validation (ajv) of the parsed data, with ajv's errors mapped back to YAML nodes
 * and rewritten into messages a person understands. ajv reports paths, not positions, and a
 * cascade of union branches; this module turns that into one problem per real mistake.
 */
import type { ErrorObject } from "ajv";
import type { Node } from "yaml";
import { asMap, isMap, isPair, itemHeadSpan, keyName, nodeAtPath, pairOf, pointerSegments, spanOf, type AnyDoc } from "./nodes";
import { problem, type Problem, type Span } from "./problem";
import { closest, listOf } from "./suggest";
import { firstProblems } from "./limits";
import { messageForPattern } from "./schemaPatterns";
import { validators } from "./validators/schemaValidators";

type AjvError = ErrorObject<string, Record<string, unknown>, unknown>;

/** The step items to check one by one: present when the data is a map whose `steps` is a list. */
export function stepItems(data: unknown): unknown[] | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const steps = (data as Record<string, unknown>)["steps"];
  return Array.isArray(steps) ? steps : undefined;
}

/** Problems of everything but the step items' contents (top-level keys, the `steps` list itself). */
export function checkTopLevel(doc: AnyDoc, data: unknown, text: string): Problem[] {
  if (data === null || data === undefined) {
    return [problem("schema", "error", "the file is empty: a pipeline needs `version: 1`, a `name` and `steps`", firstLine(text))];
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const what = Array.isArray(data) ? "a list" : "a single value";
    return [problem("schema", "error", `a pipeline file is a map of keys (\`version\`, \`name\`, \`steps\` …), not ${what}`, spanOf(doc.contents as Node))];
  }
  const validate = validators().topLevel;
  if (validate(data)) return [];
  return toProblems(doc, data, text, (validate.errors ?? []) as AjvError[]);
}

/** Problems inside step item `index` (whose data is `data.steps[index]`). */
export function checkStep(doc: AnyDoc, data: unknown, text: string, index: number): Problem[] {
  const validate = validators().step;
  const step = stepItems(data)?.[index];
  if (validate(step)) return [];
  const prefix = `/steps/${index}`;
  const errors = ((validate.errors ?? []) as AjvError[]).map((e) => ({ ...e, instancePath: prefix + e.instancePath }));
  return toProblems(doc, data, text, errors);
}

/** The problems of ajv's errors; past `MAX_PROBLEMS` (e.g. 100,000 unknown keys) only counted (limits.ts). */
function toProblems(doc: AnyDoc, data: unknown, text: string, raw: AjvError[]): Problem[] {
  const errors = simplify(raw);
  const seen = new Set<string>();
  return firstProblems(
    errors.length,
    (i) => {
      const p = toProblem(doc, data, text, errors[i] as AjvError);
      if (!p) return undefined;
      const key = `${p.span.start}:${p.span.end}:${p.message}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      return p;
    },
    "error",
  );
}

// ---------------------------------------------------------------------------------------------
// Cascade removal

function isKindOneOf(error: AjvError): boolean {
  const branches = error.schema;
  return (
    error.keyword === "oneOf" &&
    Array.isArray(branches) &&
    branches.every((b) => typeof b === "object" && b !== null && Object.keys(b).length === 1 && Array.isArray((b as { required?: unknown }).required))
  );
}

function requiredOnly(branches: unknown): boolean {
  return Array.isArray(branches) && branches.every((b) => typeof b === "object" && b !== null && Object.keys(b).length === 1 && Array.isArray((b as { required?: unknown }).required));
}

function under(schemaPath: string, prefix: string): boolean {
  return schemaPath.startsWith(prefix + "/");
}

/** True when an error's instance is the union's instance or inside it (errors of other items share schema paths). */
function within(instancePath: string, unionPath: string): boolean {
  return instancePath === unionPath || instancePath.startsWith(unionPath + "/");
}

/**
 * Drops `if` noise and collapses each union (anyOf/oneOf) into what the user meant: the errors of
 * the one branch whose type matched, or a single "must be X or Y" error.
 */
function simplify(errors: AjvError[]): AjvError[] {
  // A `propertyNames` error is noise when another error names the property (counted once, not per error).
  const named = errors.reduce((n, e) => n + (e.propertyName !== undefined ? 1 : 0), 0);
  let remaining = errors.filter((e) => e.keyword !== "if" && !(e.keyword === "propertyNames" && named - (e.propertyName !== undefined ? 1 : 0) > 0));
  const unions = remaining.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  // A value of the wrong type (a scalar where a map belongs) is that one mistake, not also a union no branch of which fits it.
  const wrongType = new Set(remaining.filter((e) => e.keyword === "type").map((e) => `${e.instancePath}\n${e.schemaPath.replace(/\/type$/, "")}`));
  for (const union of unions) {
    if (!remaining.includes(union)) continue;
    const branchErrors = remaining.filter((e) => under(e.schemaPath, union.schemaPath) && within(e.instancePath, union.instancePath));
    remaining = remaining.filter((e) => e !== union && !branchErrors.includes(e));
    if (wrongType.has(`${union.instancePath}\n${union.schemaPath.replace(/\/(?:oneOf|anyOf)$/, "")}`)) continue;
    if (isKindOneOf(union)) {
      remaining.push(union);
      continue;
    }
    if (union.keyword === "anyOf" && requiredOnly(union.schema)) {
      // `{anyOf: [{required: [min]}, {required: [max]}]}`: one message naming every way out.
      remaining.push({ ...union, keyword: "requiredAny" });
      continue;
    }
    const byBranch = new Map<string, AjvError[]>();
    for (const e of branchErrors) {
      const branch = e.schemaPath.slice(union.schemaPath.length + 1).split("/")[0] ?? "";
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    const matching = [...byBranch.values()].filter((errs) => !errs.some((e) => e.keyword === "type" && e.instancePath === union.instancePath));
    if (matching.length > 0) {
      matching.sort((a, b) => a.length - b.length);
      remaining.push(...(matching[0] ?? []));
    } else {
      remaining.push({ ...union, keyword: "unionType" });
    }
  }
  return remaining;
}

// ---------------------------------------------------------------------------------------------
// Messages

function firstLine(text: string): Span {
  const nl = text.indexOf("\n");
  return { start: 0, end: nl < 0 ? text.length : nl };
}

function lookup(data: unknown, segments: readonly string[]): unknown {
  let current: unknown = data;
  for (const s of segments) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[s];
  }
  return current;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "boolean") return "a boolean";
  return "a string";
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "`true` or `false`",
  object: "a map of keys",
  array: "a list",
  null: "empty (`null`)",
};

function expectedTypes(types: unknown): string {
  const list = String(types).split(",").map((t) => TYPE_WORDS[t] ?? t);
  return list.length === 1 ? (list[0] ?? "") : `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
}

/** "`retries`", "item 2 of `depends_on`", "the file". */
function label(segments: readonly string[]): string {
  const last = segments[segments.length - 1];
  if (last === undefined) return "the file";
  if (/^\d+$/.test(last)) {
    const parent = segments[segments.length - 2];
    return `item ${Number(last) + 1} of \`${parent ?? "list"}\``;
  }
  return `\`${last}\``;
}

/** What kind of map the keys of `segments` belong to, e.g. "a step key", "a key of a postgres connection". */
function mapKind(data: unknown, segments: readonly string[]): string {
  const [first, , third, fourth] = segments;
  if (segments.length === 0) return "a top-level key";
  if (first === "steps" && segments.length === 2) return "a step key";
  if (first === "steps" && third === "transform" && segments.length === 4 && fourth !== undefined) return "a transform operation";
  if (first === "connections" && segments.length === 2) {
    const type = lookup(data, [...segments, "type"]);
    return typeof type === "string" ? `a key of a \`${type}\` connection` : "a connection key";
  }
  const last = segments[segments.length - 1] ?? "";
  return /^\d+$/.test(last) ? "a key here" : `a \`${last}\` key`;
}

function valueSpan(doc: AnyDoc, segments: readonly string[]): Span {
  const target = nodeAtPath(doc, segments);
  if (!target) return { start: 0, end: 0 };
  const span = spanOf(target.deepest);
  if (span.end > span.start) return span;
  return spanOf(target.deepestKey ?? target.deepest);
}

/** The span for "this map lacks a key": the key naming the map, a list item's head, or line 1. */
function ownerSpan(doc: AnyDoc, segments: readonly string[], text: string): Span {
  if (segments.length === 0) return firstLine(text);
  const target = nodeAtPath(doc, segments);
  if (!target?.node) return valueSpan(doc, segments);
  if (target.key) return spanOf(target.key);
  return itemHeadSpan(doc, target.node);
}

function keySpan(doc: AnyDoc, segments: readonly string[], key: string): Span {
  const map = asMap(doc, nodeAtPath(doc, segments)?.node);
  const pair = pairOf(doc, map, key);
  return pair ? spanOf(pair.key as Node) : valueSpan(doc, segments);
}

function toProblem(doc: AnyDoc, data: unknown, text: string, e: AjvError): Problem | undefined {
  const segments = pointerSegments(e.instancePath);
  const params = e.params;
  const value = lookup(data, segments);
  const at = () => valueSpan(doc, segments);
  const err = (message: string, span: Span, suggestion?: string) =>
    problem("schema", "error", message, span, suggestion === undefined ? {} : { suggestion });

  switch (e.keyword) {
    case "additionalProperties": {
      const extra = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const best = closest(extra, known);
      const hint = best ? ` — did you mean \`${best}\`?` : known.length > 0 ? `; expected one of ${listOf(known)}` : "";
      return err(`\`${extra}\` is not ${mapKind(data, segments)}${hint}`, keySpan(doc, segments, extra), best);
    }
    case "required": {
      const missing = String(params.missingProperty);
      const owner = segments.length === 0 ? "the pipeline" : label(segments);
      if (e.schemaPath.includes("/then/")) {
        return err(`${owner} with \`mode: merge\` needs \`${missing}\`: the columns that identify a row, e.g. \`key: [id]\``, keySpan(doc, segments, "mode"));
      }
      const where = segments[0] === "steps" && segments.length === 2 ? "a step" : owner;
      return err(`${where} needs \`${missing}\``, ownerSpan(doc, segments, text));
    }
    case "requiredAny": {
      const names = (e.schema as { required: string[] }[]).flatMap((b) => b.required).map((n) => `\`${n}\``);
      return err(`${label(segments)} needs ${names.join(" or ")}`, ownerSpan(doc, segments, text));
    }
    case "oneOf":
      return segments[2] === "checks" ? checkKindProblem(doc, data, segments, e.schema) : kindProblem(doc, data, segments);
    case "discriminator": {
      const tag = String(params.tag);
      const options = discriminatorValues(e.parentSchema);
      const tagValue = (value as Record<string, unknown> | undefined)?.[tag];
      if (params.error === "tag" && (tagValue === undefined || tagValue === null)) {
        return err(`${segments[0] === "connections" && segments.length === 2 ? "a connection" : label(segments)} needs \`${tag}\`: one of ${listOf(options)}`, ownerSpan(doc, segments, text));
      }
      const shown = typeof tagValue === "string" ? tagValue : JSON.stringify(tagValue);
      const best = typeof tagValue === "string" ? closest(tagValue, options) : undefined;
      return err(`\`${shown}\` is not a valid \`${tag}\`: use ${listOf(options)}${best ? ` — did you mean \`${best}\`?` : ""}`, valueSpan(doc, [...segments, tag]), best);
    }
    case "type": {
      const tagged = taggedMap(e.parentSchema, segments);
      if (tagged) return err(`${tagged}; got ${value === null || value === undefined ? "an empty value" : typeName(value)}`, at());
      return err(`${label(segments)} must be ${expectedTypes(params.type)}, not ${typeName(value)}`, at());
    }
    case "unionType":
      return err(`${label(segments)} has the wrong form (${typeName(value)}): ${describeUnion(e.schema)}`, at());
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const best = typeof value === "string" ? closest(value, allowed) : undefined;
      return err(`${label(segments)} must be one of ${listOf(allowed)}, not \`${String(value)}\`${best ? ` — did you mean \`${best}\`?` : ""}`, at(), best);
    }
    case "const":
      return err(`${label(segments)} must be \`${JSON.stringify(params.allowedValue)}\``, at());
    case "pattern": {
      if (e.propertyName !== undefined) {
        const noun = segments[0] === "connections" ? "connection name" : segments[0] === "params" ? "parameter name" : "name";
        return err(messageForPattern(String(params.pattern), e.propertyName, `${noun} \`${e.propertyName}\``), keySpan(doc, segments, e.propertyName));
      }
      return err(messageForPattern(String(params.pattern), String(value), `\`${String(value)}\` (in ${label(segments)})`), at());
    }
    case "minimum":
    case "maximum": {
      const s = e.parentSchema as { minimum?: number; maximum?: number };
      const range = s.minimum !== undefined && s.maximum !== undefined ? `between ${s.minimum} and ${s.maximum}` : e.keyword === "minimum" ? `at least ${s.minimum}` : `at most ${s.maximum}`;
      return err(`${label(segments)} must be ${range}, not ${String(value)}`, at());
    }
    case "exclusiveMinimum":
      return err(`${label(segments)} must be greater than ${String(params.limit)}`, at());
    case "minItems":
      return err(`${label(segments)} needs at least ${String(params.limit)} item${params.limit === 1 ? "" : "s"}`, at());
    case "minLength":
      return err(`${label(segments)} must not be empty`, at());
    case "maxLength":
      return err(`${label(segments)} must be at most ${String(params.limit)} character${params.limit === 1 ? "" : "s"}`, at());
    case "uniqueItems": {
      const j = Number(params.j);
      const dup = Array.isArray(value) ? String(value[j]) : "";
      return err(`${label(segments)} lists \`${dup}\` twice; remove one`, valueSpan(doc, [...segments, String(Math.max(Number(params.i), j))]));
    }
    case "minProperties":
      return err(`${label(segments)} is empty: ${mapKind(data, segments) === "a transform operation" ? "write one operation, e.g. `select: [id, amount]`" : "add a key"}`, at());
    case "maxProperties": {
      const map = asMap(doc, nodeAtPath(doc, segments)?.node);
      const pairs = map?.items.filter(isPair) ?? [];
      const names = pairs.map((p) => keyName(p) ?? "?");
      const second = pairs[1];
      return err(
        `each transform item holds exactly one operation, but this one has ${listOf(names, "and")}: start each with its own \`- \``,
        second ? spanOf(second.key as Node) : at(),
      );
    }
    default:
      return err(`${label(segments)}: ${e.message ?? "is not valid"}`, at());
  }
}

/**
 * For a value that must be a map with a `type` (a discriminated union given a scalar, a list or
 * nothing): what it should look like, e.g. "a connection is a map such as `{type: file, root: ./data}`
 * (`type`: one of …)". Undefined for other maps.
 */
function taggedMap(parentSchema: unknown, segments: readonly string[]): string | undefined {
  const schema = parentSchema as { discriminator?: { propertyName?: unknown }; examples?: unknown[]; oneOf?: unknown; anyOf?: unknown } | undefined;
  const branches = schema?.oneOf ?? schema?.anyOf;
  if (!Array.isArray(branches)) return undefined;
  const tag = String(schema?.discriminator?.propertyName ?? "type");
  const options = discriminatorValues({ oneOf: branches });
  if (options.length === 0) return undefined;
  const example = schema?.examples?.[0];
  const shown = example && typeof example === "object" ? `{${Object.entries(example).map(([k, v]) => `${k}: ${String(v)}`).join(", ")}}` : undefined;
  const what = segments[0] === "connections" && segments.length === 2 ? "a connection" : label(segments);
  return `${what} is a map${shown ? ` such as \`${shown}\`` : ""} whose \`${tag}\` is one of ${listOf(options)}`;
}

function discriminatorValues(parentSchema: unknown): string[] {
  const branches = (parentSchema as { oneOf?: Array<{ properties?: { type?: { const?: unknown } } }> } | undefined)?.oneOf ?? [];
  return branches.map((b) => String(b.properties?.type?.const ?? "")).filter((v) => v !== "");
}

function describeUnion(branches: unknown): string {
  if (!Array.isArray(branches)) return "see the documentation";
  const forms = branches.map((b: { type?: unknown; items?: { type?: unknown } }) => {
    if (b.type === "array") return `a list${b.items?.type === "string" ? " of strings" : ""}`;
    if (b.type === "object") return "a map";
    return TYPE_WORDS[String(b.type)] ?? String(b.type);
  });
  return `use ${[...new Set(forms)].join(" or ")}`;
}

/** A check with none, or several, of the check kinds (the kinds are the `oneOf` branches' keys). */
function checkKindProblem(doc: AnyDoc, data: unknown, segments: readonly string[], branches: unknown): Problem {
  const kinds = Array.isArray(branches) ? branches.map((b: { required?: unknown[] }) => String(b.required?.[0] ?? "")) : [];
  const check = lookup(data, segments) as Record<string, unknown> | undefined;
  const map = asMap(doc, nodeAtPath(doc, segments)?.node);
  const keys = map ? map.items.filter(isPair).map((p) => keyName(p) ?? "") : [];
  const present = keys.filter((k) => kinds.includes(k) && check?.[k] !== undefined);
  if (present.length > 1) {
    return problem("schema", "error", `a check tests one thing, but this one has ${listOf(present, "and")}: start each with its own \`- \``, keySpan(doc, segments, present[1] ?? ""));
  }
  const misspelt = keys.map((k) => closest(k, kinds)).find((k) => k !== undefined);
  const hint = misspelt ? ` — did you mean \`${misspelt}\`?` : "";
  return problem("schema", "error", `a check needs one of ${listOf(kinds)}${hint}`, map ? itemHeadSpan(doc, map) : valueSpan(doc, segments));
}

function kindProblem(doc: AnyDoc, data: unknown, segments: readonly string[]): Problem {
  const kinds = ["extract", "transform", "load", "sql"];
  const step = lookup(data, segments) as Record<string, unknown> | undefined;
  const map = asMap(doc, nodeAtPath(doc, segments)?.node);
  const inFileOrder = map ? map.items.filter(isPair).map((p) => keyName(p) ?? "") : [];
  const present = inFileOrder.filter((k) => kinds.includes(k) && step?.[k] !== undefined);
  if (present.length > 1) {
    const second = present[1] ?? "";
    return problem(
      "schema",
      "error",
      `a step does one thing, but this one has ${listOf(present, "and")}: split it into ${present.length} steps linked with \`depends_on\``,
      keySpan(doc, segments, second),
    );
  }
  const stepKeys = map ? map.items.filter(isPair).map((p) => keyName(p) ?? "") : [];
  const misspelt = stepKeys.map((k) => closest(k, kinds)).find((k) => k !== undefined);
  const hint = misspelt ? ` — did you mean \`${misspelt}\`?` : "";
  const span = map ? itemHeadSpan(doc, map) : { start: 0, end: 0 };
  return problem("schema", "error", `a step needs one of ${listOf(kinds)}${hint}`, isMap(map) ? span : valueSpan(doc, segments));
}
