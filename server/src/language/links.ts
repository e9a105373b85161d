/** Document links for file paths that exist: `path:` of `file` connections and `${file:…}` references. */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isScalar, visit } from "yaml";
import type { DocumentLink } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { asMap, pairOf, spanOf, stringValue } from "../pipeline/nodes";
import { findSecretRefs } from "../pipeline/secrets";
import type { Analysis } from "./analysis";
import { filePathOf } from "./envNames";
import { toRange } from "./ranges";
import { contentSpan } from "./refs";
import { descriptorFor } from "../sources/registry";

const GLOB = /[*?[\]{}]/;

function link(document: TextDocument, start: number, end: number, target: string): DocumentLink | undefined {
  if (GLOB.test(target) || target.includes("{{") || !existsSync(target)) return undefined;
  return { range: toRange(document, { start, end }), target: pathToFileURL(target).toString(), tooltip: target };
}

export function documentLinks(document: TextDocument, analysis: Analysis): DocumentLink[] {
  const file = filePathOf(document.uri);
  if (!file) return [];
  const base = dirname(file);
  const { outline, text } = analysis;
  const links: DocumentLink[] = [];
  for (const step of outline.steps) {
    const kind = step.kinds[0];
    if (!kind || kind.kind === "transform" || kind.kind === "sql" || !step.connection) continue;
    const conn = outline.connections.get(step.connection.name);
    const local = descriptorFor(conn?.type)?.localFiles;
    if (!conn || !local) continue;
    const rootValue = stringValue(outline.doc, pairOf(outline.doc, conn.node, local.rootKey)?.value) ?? ".";
    const root = isAbsolute(rootValue) ? rootValue : resolve(base, rootValue);
    const pathPair = pairOf(outline.doc, asMap(outline.doc, kind.node), local.pathKey);
    const value = stringValue(outline.doc, pathPair?.value);
    if (!pathPair || value === undefined) continue;
    const span = contentSpan(text, spanOf(pathPair.value as never));
    const l = link(document, span.start, span.end, resolve(root, value));
    if (l) links.push(l);
  }
  for (const conn of outline.connections.values()) {
    if (!conn.node) continue;
    visit(conn.node, {
      Scalar(_k, node) {
        if (!isScalar(node) || typeof node.value !== "string") return;
        const span = spanOf(node);
        const source = text.slice(span.start, span.end);
        for (const ref of findSecretRefs(node.value)) {
          if (ref.kind !== "file") continue;
          const at = source.indexOf(node.value.slice(ref.start, ref.end));
          if (at < 0) continue;
          const l = link(document, span.start + at, span.start + at + (ref.end - ref.start), isAbsolute(ref.name) ? ref.name : resolve(base, ref.name));
          if (l) links.push(l);
        }
      },
    });
  }
  return links;
}
