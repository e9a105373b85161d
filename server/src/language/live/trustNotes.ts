/**
 * What live analysis did not do for safety, said where it applies: one note per document when the
 * workspace is not trusted (its connections that reach a server or use secrets are not analysed),
 * and a warning on each `${file:}` outside the folders secrets may be read from.
 */
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { spanOf } from "../../pipeline/nodes";
import { findSecretRefs } from "../../pipeline/secrets";
import { forEachConnectionString } from "../../pipeline/rules/missingEnv";
import type { Span } from "../../pipeline/problem";
import type { Analysis } from "../analysis";
import type { LiveConnection } from "./connections";

/** How a client turns live analysis on, for the note (VS Code: Workspace Trust; others: the option). */
export const TRUST_HINT =
  "In VS Code, trust the folder (Workspaces: Manage Workspace Trust); other editors enable it by starting the server with `initializationOptions: {workspaceTrusted: true}`.";

function diagnostic(document: TextDocument, span: Span, severity: DiagnosticSeverity, code: string, message: string): Diagnostic {
  return { range: { start: document.positionAt(span.start), end: document.positionAt(span.end) }, severity, code, source: "agent-etl", message };
}

/** The one note of a document whose connections live analysis leaves alone until the workspace is trusted. */
function untrustedNote(document: TextDocument, connections: readonly LiveConnection[]): Diagnostic[] {
  const off = connections.filter((c) => c.untrusted);
  const first = off[0];
  if (!first) return [];
  const names = off.map((c) => `\`${c.name}\``).join(", ");
  return [
    diagnostic(document, first.keySpan, DiagnosticSeverity.Information, "live-analysis-untrusted",
      `live analysis of ${names} is off until the workspace is trusted: ${off.length === 1 ? "this connection reaches" : "these connections reach"} a server or ${off.length === 1 ? "uses" : "use"} secrets, and a file from a folder you have not trusted must not send your secrets to the hosts it names. ${TRUST_HINT}`),
  ];
}

/** A warning on each `${file:}` reference live analysis refused to read. */
function refusedFiles(document: TextDocument, analysis: Analysis, connection: LiveConnection): Diagnostic[] {
  const refused = new Set(connection.refusedFiles ?? []);
  const outline = analysis.outline.connections.get(connection.name);
  if (refused.size === 0 || !outline) return [];
  const out: Diagnostic[] = [];
  const text = document.getText();
  forEachConnectionString(analysis.outline.doc, outline, text, (value, node, _keys, at) => {
    for (const ref of findSecretRefs(value)) {
      if (ref.kind !== "file" || !refused.has(ref.name)) continue;
      const start = at(ref.start);
      const span = start.start === start.end ? { start: start.start, end: start.start + (ref.end - ref.start) } : spanOf(node);
      out.push(diagnostic(document, span, DiagnosticSeverity.Warning, "secret-file-outside",
        `secret file \`${ref.name}\` is outside the workspace folders, so live analysis does not read it (connection \`${connection.name}\` is not analysed). To allow it, add its folder to the setting \`agentEtl.secretFolders\`; runs you start still read it.`));
    }
  });
  return out;
}

/** The notes for a document's connections. */
export function trustDiagnostics(document: TextDocument, analysis: Analysis, connections: Map<string, LiveConnection>): Diagnostic[] {
  const all = [...connections.values()];
  return [...untrustedNote(document, all), ...all.flatMap((c) => refusedFiles(document, analysis, c))];
}
