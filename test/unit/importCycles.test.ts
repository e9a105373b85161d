/**
 * No import cycle in the server or the client (issue #18: the runner → sources → postgres → runner
 * cycle was the one the code had). A cycle of modules that load each other at run time makes the
 * order of their top-level code depend on who is imported first; type-only imports are erased and
 * do not count, and neither does `await import(…)` (a descriptor loading its connector lazily).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { stronglyConnected } from "../../server/src/dag/scc";

const ROOT = join(__dirname, "..", "..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** Whether an import or export declaration loads its module at run time. */
function loadsAtRunTime(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return !node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return true; // `import "./x"`: for its effects
  if (clause.isTypeOnly) return false;
  if (clause.name) return true;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return true;
  return bindings.elements.length === 0 || bindings.elements.some((e) => !e.isTypeOnly);
}

function resolveRelative(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [`${base}.ts`, join(base, "index.ts")].find((f) => existsSync(f));
}

/** Each file's relative imports that run at load time. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    const targets: string[] = [];
    for (const statement of source.statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
      const spec = (statement.moduleSpecifier as ts.StringLiteral).text;
      if (!spec.startsWith(".") || !loadsAtRunTime(statement)) continue;
      const target = resolveRelative(file, spec);
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The cycles: strongly connected components of more than one file, or a file importing itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  const out = new Map([...graph].map(([file, targets]) => [file, targets.map((to) => ({ to }))]));
  return stronglyConnected([...graph.keys()], out)
    .filter((component) => component.length > 1 || (graph.get(component[0] as string) ?? []).includes(component[0] as string))
    .map((component) => component.map((f) => relative(ROOT, f)).sort());
}

describe("import cycles", () => {
  it("are found: two files importing each other, a longer loop, a file importing itself; a chain is none", () => {
    const at = (name: string): string => join(ROOT, name);
    const graph = new Map([
      [at("a.ts"), [at("b.ts")]],
      [at("b.ts"), [at("a.ts"), at("c.ts")]],
      [at("c.ts"), [at("d.ts")]],
      [at("d.ts"), [at("e.ts")]],
      [at("e.ts"), [at("c.ts")]],
      [at("f.ts"), [at("f.ts")]],
      [at("g.ts"), [at("a.ts")]],
    ]);
    assert.deepEqual(cycles(graph).sort(), [["a.ts", "b.ts"], ["c.ts", "d.ts", "e.ts"], ["f.ts"]]);
  });

  for (const dir of ["server/src", "client/src"]) {
    it(`${dir}: no two modules load each other, directly or through others`, () => {
      const graph = importGraph(tsFiles(join(ROOT, dir)));
      assert.ok(graph.size > 10, `${dir} has its modules`);
      assert.ok([...graph.values()].some((targets) => targets.length > 0), "imports were found");
      assert.deepEqual(cycles(graph), []);
    });
  }
});
