/**
 * The connector registry is the one place a connection type is named (server/src/sources/registry.ts):
 * every type the JSON schema accepts has a descriptor, and no module outside `sources/<type>/`
 * compares, switches on or builds a value with a connection type's name.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { CONNECTORS, descriptorFor } from "../../server/src/sources/registry";

const ROOT = join(__dirname, "..", "..");
const SERVER = join(ROOT, "server", "src");

/** The `type:` values the published schema accepts for a connection. */
function schemaTypes(): string[] {
  const schema = JSON.parse(readFileSync(join(ROOT, "schemas", "pipeline.schema.json"), "utf8")) as {
    properties: { connections: { additionalProperties: { oneOf: { properties: { type: { const: string } } }[] } } };
  };
  return schema.properties.connections.additionalProperties.oneOf.map((c) => c.properties.type.const);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

const COMPARISONS = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

/** How a string literal that equals a connection type's name is used, when it is used as a type name. */
function typeNameUse(literal: ts.StringLiteralLike): string | undefined {
  const parent = literal.parent;
  if (ts.isBinaryExpression(parent) && COMPARISONS.has(parent.operatorToken.kind)) return "compares with";
  if (ts.isCaseClause(parent)) return "switches on";
  if (ts.isPropertyAssignment(parent) && parent.initializer === literal && /^(type|kind)$/.test(parent.name.getText())) return `sets ${parent.name.getText()} to`;
  // `["postgres", "s3"].includes(type)`, `new Set(["s3"])`: a list of types is a comparison too.
  if (ts.isArrayLiteralExpression(parent)) return "lists";
  // `type: "postgres"` as a TypeScript type (`Location & { kind: "s3" }`) narrows on the name.
  if (ts.isLiteralTypeNode(parent)) return "narrows to";
  if (ts.isCallExpression(parent) && /^descriptor(For|Of)$/.test(parent.expression.getText())) return "looks up";
  return undefined;
}

/** Every use of a connection type's name as a type name in a file. */
function typeNameUses(file: string, names: ReadonlySet<string>): string[] {
  const text = readFileSync(file, "utf8");
  // Only files that hold a quoted name are parsed (one parse of the whole tree is slow on a shared machine).
  if (![...names].some((n) => text.includes(`"${n}"`) || text.includes(`'${n}'`) || text.includes(`\`${n}\``))) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split("\n");
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && names.has(node.text)) {
      const use = typeNameUse(node);
      if (use) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${relative(ROOT, file).split(sep).join("/")}:${line + 1} ${use} "${node.text}": ${(lines[line] ?? "").trim().slice(0, 120)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Literals that equal a type's name but do not name a connection type, each with why. An entry that
 * no longer matches fails the test, so the list cannot outlive its reason.
 */
const HOMONYMS: { file: string; text: string; why: string }[] = [
  { file: "server/src/pipeline/secrets.ts", text: '"env" | "file"', why: "`${file:…}` secret references" },
  { file: "server/src/language/links.ts", text: 'ref.kind !== "file"', why: "`${file:…}` secret references" },
  { file: "server/src/language/live/connections.ts", text: 'r.kind === "file"', why: "`${file:…}` secret references" },
  { file: "server/src/language/live/trustNotes.ts", text: 'ref.kind !== "file"', why: "`${file:…}` secret references" },
  { file: "server/src/pipeline/model.ts", text: '{ type: "file", root: "./data" }', why: "the example the schema documents for a connection" },
  { file: "server/src/cli/commands/run.ts", text: '"file" | "pipeline"', why: "the `file` option of a run (the pipeline file's path)" },
];

/** The connector's own code: `sources/<type>/` and `sources/<type>.ts`. */
const ownCode = (file: string, type: string): boolean => file.startsWith(join(SERVER, "sources", type) + sep) || file === join(SERVER, "sources", `${type}.ts`);

describe("connector registry", () => {
  it("has one descriptor for every connection type the schema accepts, in the schema's order", () => {
    const types = schemaTypes();
    assert.ok(types.length >= 4, `the schema lists connection types (found ${types.join(", ")})`);
    for (const type of types) assert.equal(descriptorFor(type)?.type, type, `the schema accepts type: ${type}, which has no descriptor in server/src/sources/registry.ts`);
    assert.deepEqual(CONNECTORS.map((d) => d.type), types);
  });

  it("keeps each descriptor in sources/<type>/descriptor.ts", () => {
    for (const { type } of CONNECTORS) assert.ok(tsFiles(join(SERVER, "sources", type)).some((f) => f.endsWith(`${sep}descriptor.ts`)), `server/src/sources/${type}/descriptor.ts`);
  });

  it("finds no type name compared, switched on, listed or set outside sources/<type>/", () => {
    const names = new Set(CONNECTORS.map((d) => d.type));
    // Validators generated from the schema (which the registry builds) compare its `const`s.
    const files = tsFiles(SERVER).filter((f) => !f.endsWith(".generated.ts") && ![...names].some((type) => ownCode(f, type)));
    assert.ok(files.length > 100, `scanned ${files.length} files`);
    const uses = files.flatMap((f) => typeNameUses(f, names));
    const homonym = (use: string) => HOMONYMS.find((h) => use.startsWith(`${h.file}:`) && use.includes(h.text));
    for (const h of HOMONYMS) assert.ok(uses.some((u) => homonym(u) === h), `stale HOMONYMS entry (${h.why}): ${h.file} no longer has ${h.text}`);
    const named = uses.filter((u) => !homonym(u));
    assert.deepEqual(named, [], `ask the registry (descriptorFor / typesWhere / a descriptor capability) instead:\n${named.join("\n")}`);
  });

  it("the scan sees every form it forbids", () => {
    const text = [
      'if (c.type === "postgres") f();',
      'if ("s3" !== kind) f();',
      'switch (t) { case "http": break; }',
      'const w = { type: "file", root: "." };',
      'const l = ["postgres", "s3"].includes(t);',
      'type L = { kind: "s3" };',
      'const d = descriptorFor("http");',
      'const fine = `postgres`.length + "http".length; log("file");',
    ].join("\n");
    const source = ts.createSourceFile("probe.ts", text, ts.ScriptTarget.Latest, true);
    const uses: string[] = [];
    const visit = (node: ts.Node): void => {
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && ["postgres", "s3", "http", "file"].includes(node.text)) {
        const use = typeNameUse(node);
        if (use) uses.push(`${use} ${node.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    assert.deepEqual(uses, ["compares with postgres", "compares with s3", "switches on http", "sets type to file", "lists postgres", "lists s3", "narrows to s3", "looks up http"]);
  });
});
