// The package's bin, dist/cli.js: runs the CLI bundle beside it (`<this file's name>-main.js`, built
// from cli.ts) through a V8 code cache, cli/codeCache.ts. Small on purpose: V8 compiles it each time.
import { basename, join } from "node:path";
import { runBundle } from "./cli/codeCache";
import { isCommandName } from "./cli/commandNames";

const command = process.argv[2] ?? "";
runBundle(join(__dirname, `${basename(__filename, ".js")}-main.js`), isCommandName(command) ? command : "other");
