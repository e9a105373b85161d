/** JSONata expression trees written back as text, to quote the part of an expression a message is about. */
import type { AstNode as Ast } from "./expression";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A column name as JSONata reads it: backticked unless it is a plain identifier. */
export function nameText(name: unknown): string {
  const s = String(name);
  return IDENTIFIER.test(s) ? s : `\`${s}\``;
}

/** The expression a node stands for, written back as JSONata (not necessarily as the user spaced it). */
export function printAst(node: Ast | undefined, depth = 0): string {
  if (!node || depth > 50) return "…";
  const p = (n: Ast | undefined) => (n?.type === "binary" || n?.type === "condition" ? `(${printAst(n, depth + 1)})` : printAst(n, depth + 1));
  switch (node.type) {
    case "path":
      return (node.steps ?? []).map((s) => printAst(s, depth + 1)).join(".");
    case "name":
      return nameText(node.value);
    case "string":
      return String(node.value).includes("'") ? JSON.stringify(node.value) : `'${String(node.value)}'`;
    case "number":
    case "value":
      return String(node.value);
    case "variable":
      return `$${String(node.value)}`;
    case "binary":
      return Array.isArray(node.lhs) ? "…" : `${p(node.lhs)} ${String(node.value)} ${p(node.rhs)}`;
    case "unary":
      return node.value === "-" ? `-${p(node.expression)}` : "…";
    case "function":
      return `${printAst(node.procedure, depth + 1)}(${(node.arguments ?? []).map((a) => printAst(a, depth + 1)).join(", ")})`;
    case "condition":
      return `${p(node.condition)} ? ${p(node.then)}${node.else ? ` : ${p(node.else)}` : ""}`;
    case "block":
      return `(${(node.expressions ?? []).map((e) => printAst(e, depth + 1)).join("; ")})`;
    default:
      return "…";
  }
}

