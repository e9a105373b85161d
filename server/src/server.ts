// The language server: wiring only. Features live in server/src/language.
// Transport comes from the command line: `--stdio`, `--node-ipc` or `--socket=PORT` (vscode-languageserver reads it).
import { createConnection, ProposedFeatures, TextDocuments } from "vscode-languageserver/node";
import { LanguageServer } from "./language/languageServer";
import { LINE_SAFE_DOCUMENTS } from "./language/textDocuments";

const connection = createConnection(ProposedFeatures.all);
// stdout is the protocol: anything printed must go through the connection.
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.log = connection.console.log.bind(connection.console);
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.error = connection.console.error.bind(connection.console);
// eslint-disable-next-line no-console -- routing console to the client, not printing
console.warn = connection.console.warn.bind(connection.console);

// The last net under the per-document guards (language/failures.ts): a bug in a timer or a callback
// is logged, not the end of the editor's language features. A broken pipe to the client still ends it.
let reporting = false;
const survive = (what: string) => (err: unknown) => {
  if ((err as { code?: unknown } | null)?.code === "EPIPE" || reporting) process.exit(1);
  reporting = true;
  connection.console.error(`[internal-error] ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  reporting = false;
};
process.on("uncaughtException", survive("uncaught exception"));
process.on("unhandledRejection", survive("unhandled rejection"));

const documents = new TextDocuments(LINE_SAFE_DOCUMENTS);
new LanguageServer(connection, documents).register();
documents.listen(connection);
connection.listen();
