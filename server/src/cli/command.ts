/** The command table's shape, and argument parsing (node:util parseArgs, values checked with zod). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Logger } from "pino";
import { z } from "zod";
import { UsageError } from "../errors";
import { checkGiven, unknownOption, type FlagRule, type GivenOption } from "./flags";

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
  /** Combinations of options that would do nothing: refused as usage errors (flags.ts). */
  rules?: readonly FlagRule[];
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
        parsed = parseArgs({ args: argv, options: { ...command.options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true, tokens: true });
      } catch (err: unknown) {
        const unknown = (err as { code?: unknown }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']+)'/.exec((err as Error).message)?.[1] : undefined;
        if (unknown !== undefined) throw new UsageError(unknownOption(command.name, unknown, command.options));
        const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, "") : String(err);
        throw new UsageError(`${command.name}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
      }
      const given = parsed.tokens.flatMap((t): GivenOption[] => (t.kind === "option" ? [{ name: t.name, rawName: t.rawName, value: t.value }] : []));
      checkGiven(command.name, given, command.options, command.rules);
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
