// The language server: wiring only. Features live in server/src/language.
// Transport comes from the command line: `--stdio`, `--node-ipc` or `--socket=PORT` (vscode-languageserver reads it).
import { createConnection, ProposedFeatures, TextDocuments } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { LanguageServer } from "./language/languageServer";

const connection = createConnection(ProposedFeatures.all);
// stdout is the protocol: anything printed must go through the connection.
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.log = connection.console.log.bind(connection.console);
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.error = connection.console.error.bind(connection.console);
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.warn = connection.console.warn.bind(connection.console);

const documents = new TextDocuments(TextDocument);
new LanguageServer(connection, documents).register();
documents.listen(connection);
connection.listen();
