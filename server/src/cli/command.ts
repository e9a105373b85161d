/** The command table's shape, and argument parsing (node:util parseArgs, values checked with zod). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Logger } from "pino";
import { z } from "zod";
import { UsageError } from "../errors";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command<T> {
  name: string;
  summary: string;
  usage: string;
  help: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Validates `{positionals, ...options}`; its issues become one usage line. */
  schema: z.ZodType<T>;
  run(args: T, io: Io): Promise<number>;
}

/** Any command, for the table (each command keeps its own argument type). */
export type AnyCommand = Command<never> & { parse(argv: string[]): unknown; run(args: unknown, io: Io): Promise<number> };

export function defineCommand<T>(command: Command<T>): AnyCommand {
  return {
    ...command,
    parse(argv: string[]): T {
      let parsed;
      try {
        parsed = parseArgs({ args: argv, options: { ...command.options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
      } catch (err: unknown) {
        const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, "") : String(err);
        throw new UsageError(`${command.name}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
      }
      const { help: _help, ...values } = parsed.values;
      const result = command.schema.safeParse({ positionals: parsed.positionals, ...values });
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? (issue.path[0] === "positionals" ? "" : `--${String(issue.path[0])}: `) : "";
        throw new UsageError(`${command.name}: ${where}${issue?.message ?? "bad arguments"}`);
      }
      return result.data;
    },
  } as unknown as AnyCommand;
}

/** A `--format` option restricted to the given values, with a readable error. */
export function formatOption<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, { error: (issue) => `unknown format ${JSON.stringify(issue.input)}; use ${values.join(", ")}` }).default(values[0]);
}
