/**
 * Generators of hostile pipeline files: inputs whose size or shape once made `validate` or the
 * language server do quadratic or unbounded work. Tests and `npm run bench -- hostile` build them
 * at run time (no large files are committed).
 */

const HEADER = ["version: 1", "name: hostile", "connections:", "  raw: {type: file, root: ./data}", "steps:"];

/** `n` steps; each transform names a misspelt upstream (`stpe_i` for `step_i`): `n` "did you mean" searches over `n` ids. */
export function misspeltReferences(n: number): string {
  const lines = [...HEADER];
  for (let i = 0; i < n; i++) {
    lines.push(`  - id: step_${i}`);
    if (i % 2 === 0) lines.push("    extract: {connection: raw, path: a.csv}");
    else lines.push(`    depends_on: [stpe_${i - 1}]`, "    transform:", "      - filter: amount > 0");
  }
  return lines.join("\n") + "\n";
}

/** A step with `n` keys no step has (`unknown_key_i: 1`), or, with `where: "top"`, as many top-level keys. */
export function unknownKeys(n: number, where: "step" | "top" = "step"): string {
  const lines = [...HEADER, "  - id: only", "    extract: {connection: raw, path: a.csv}"];
  const indent = where === "step" ? "    " : "";
  const keys: string[] = [];
  for (let i = 0; i < n; i++) keys.push(`${indent}unknown_key_${i}: 1`);
  return where === "step" ? [...lines, ...keys].join("\n") + "\n" : [...keys, ...lines].join("\n") + "\n";
}

/** `n` steps that all have the id `same`. */
export function duplicateIds(n: number): string {
  const lines = [...HEADER];
  for (let i = 0; i < n; i++) lines.push("  - id: same", "    extract: {connection: raw, path: a.csv}");
  return lines.join("\n") + "\n";
}

/** A valid pipeline of at least `bytes` bytes (extract → transform → load chains). */
export function largePipeline(bytes: number): string {
  const lines = [...HEADER.slice(0, 4), "  out: {type: file, root: ./out}", "steps:"];
  let size = lines.join("\n").length;
  for (let i = 0; size < bytes; i += 3) {
    const chunk = [
      `  - id: read_${i}`,
      `    extract: {connection: raw, path: part_${i}.csv}`,
      `  - id: clean_${i}`,
      `    depends_on: [read_${i}]`,
      "    transform:",
      "      - cast: {amount: number}",
      "      - filter: amount > 0",
      `  - id: save_${i}`,
      `    depends_on: [clean_${i}]`,
      `    load: {connection: out, path: part_${i}.csv}`,
    ];
    lines.push(...chunk);
    size += chunk.join("\n").length + 1;
  }
  return lines.join("\n") + "\n";
}

/**
 * `n` file extracts over a `file` connection rooted at `root`, each reading its own file
 * (`f_i.csv`, columns `id` and `name`: see `extractFiles`), each followed by a transform that
 * selects `id` and, where `wrong(i)`, a column the file lacks.
 */
export function manyFileExtracts(n: number, root: string, wrong: (i: number) => boolean = () => true): string {
  const lines = ["version: 1", "name: many_extracts", "connections:", `  raw: {type: file, root: ${JSON.stringify(root)}}`, "steps:"];
  for (let i = 0; i < n; i++) {
    lines.push(`  - id: read_${i}`, `    extract: {connection: raw, path: f_${i}.csv}`);
    lines.push(`  - id: use_${i}`, `    depends_on: [read_${i}]`, "    transform:", `      - select: [id${wrong(i) ? ", no_such_column" : ""}]`);
  }
  return lines.join("\n") + "\n";
}

/** The files `manyFileExtracts(n, …)` reads, as written into its root folder. */
export function extractFiles(n: number): { name: string; text: string }[] {
  return Array.from({ length: n }, (_, i) => ({ name: `f_${i}.csv`, text: "id,name\n1,a\n" }));
}
