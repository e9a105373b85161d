/**
 * Anchors, aliases and merge keys checked on the YAML tree before it becomes data. `yaml` parses an
 * alias to an anchor that does not exist, an alias inside the node it names, or a merge key (`<<`)
 * whose source is not a map without an error, and only throws (or builds circular data) when the
 * document is turned into data; these are the user's mistakes, so they become problems here, each
 * at the node it is about, with the anchor's name.
 */
import { visit, type Document, type Node, type Pair } from "yaml";
import { isAlias, isMap, isScalar, isSeq, spanOf } from "./nodes";
import { problem, type Problem } from "./problem";

/** True for a merge key: `yaml` (with `merge: true`) resolves a plain `<<` key to a symbol. */
export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol" && key.value.description === "<<";
}

function kindOf(node: unknown): string {
  if (isSeq(node)) return "a list";
  if (isScalar(node)) return node.value === null ? "an empty value" : "a scalar";
  return "not a map";
}

/**
 * Walks the tree in document order, the order `yaml` resolves aliases in (an alias names the last
 * node before it with that anchor). Returns the problems and, for each alias that resolves, its node.
 */
function resolveAliases(doc: Document): { problems: Problem[]; targets: Map<Node, Node>; merges: Pair[] } {
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node>();
  const merges: Pair[] = [];
  const problems: Problem[] = [];
  visit(doc, {
    Node(_key, node, path) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        const name = node.source;
        if (!target) {
          problems.push(problem("yaml-syntax", "error", `undefined alias \`*${name}\`: no anchor \`&${name}\` comes before it; mark the value to reuse with \`&${name}\` above this line, or write the value out here`, spanOf(node)));
        } else if (path.includes(target)) {
          problems.push(problem("yaml-syntax", "error", `alias \`*${name}\` is inside the value anchored \`&${name}\`, so it would contain itself; point it at another anchor, or write the value out`, spanOf(node)));
        } else targets.set(node, target);
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
    },
    Pair(_key, pair) {
      if (isMergeKey(pair.key)) merges.push(pair);
    },
  });
  return { problems, targets, merges };
}

/** What a merge key's value gives: a map, or a list whose items are maps (each possibly through an alias). */
function mergeProblems(merges: Pair[], targets: Map<Node, Node>): Problem[] {
  const problems: Problem[] = [];
  const follow = (n: unknown): unknown => (isAlias(n) ? targets.get(n) : n);
  for (const pair of merges) {
    const value = pair.value;
    if (isAlias(value) && !targets.has(value)) continue; // already reported as an undefined alias
    const source = follow(value);
    const items = isSeq(source) ? source.items : [value];
    for (const item of items) {
      if (isAlias(item) && !targets.has(item)) continue;
      const resolved = follow(item);
      if (isMap(resolved)) continue;
      const named = isAlias(item) ? ` (\`*${item.source}\` names ${kindOf(resolved)})` : ` (it is ${kindOf(resolved)})`;
      const at = spanOf(item as Node | null, spanOf(pair.key as Node));
      problems.push(problem("yaml-syntax", "error", `a merge key \`<<\` takes a map, an alias of a map, or a list of them${named}; point it at a map anchored with \`&name\`, or write the keys out`, at));
    }
  }
  return problems;
}

/** Undefined and self-containing aliases, and merge keys whose source is not a map. */
export function aliasProblems(doc: Document): Problem[] {
  const { problems, targets, merges } = resolveAliases(doc);
  if (merges.length > 0) problems.push(...mergeProblems(merges, targets));
  return problems;
}
