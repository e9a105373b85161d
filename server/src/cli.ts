// The `agent-etl` command line. Wiring only: see cli/main.ts.
import { main } from "./cli/main";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agent-etl: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
