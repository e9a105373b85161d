// The language server: wiring only. Features live in server/src/language.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { toDiagnostic } from "./language/diagnostics";
import { validatePipeline } from "./pipeline/validate";

const connection = createConnection(ProposedFeatures.all);
// stdout is the protocol: anything printed must go through the connection.
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.log = connection.console.log.bind(connection.console);
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.error = connection.console.error.bind(connection.console);
const documents = new TextDocuments(TextDocument);

connection.onInitialize(() => ({ capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental } }));

documents.onDidChangeContent(({ document }) => {
  const { problems } = validatePipeline(document.getText(), { envNames: new Set(Object.keys(process.env)) });
  void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: problems.map((p) => toDiagnostic(document, p)) });
});
documents.onDidClose(({ document }) => void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }));

documents.listen(connection);
connection.listen();
