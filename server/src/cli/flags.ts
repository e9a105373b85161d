/**
 * What parseArgs lets through or words poorly, as usage errors: an unknown option with the one
 * meant ("did you mean --format?"), an option given twice with different values (the last would
 * silently win), and options that do nothing in a combination (each command's `FlagRule`s).
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../errors";
import { closest } from "../pipeline/suggest";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** One option as given on the command line (parseArgs' option token). */
export interface GivenOption {
  name: string;
  rawName: string;
  value?: string | undefined;
}

/**
 * A combination in which an option has no effect. `flag` and the names in `conflicts` are long
 * option names; `name=value` stands for the option given that value (`out=-`).
 */
export interface FlagRule {
  flag: string;
  /** Options it cannot be given with. */
  conflicts?: readonly string[];
  /** The option it only has an effect with. */
  needs?: string;
  /** Why, said to the user after the rule. */
  why: string;
}

/** The message for an unknown option: the closest option of the command, when one is close. */
export function unknownOption(command: string, raw: string, options: Options): string {
  const names = [...Object.keys(options), "help"].map((n) => `--${n}`);
  const typed = raw.split("=")[0] as string;
  const best = typed.startsWith("--") ? closest(typed, names) : undefined;
  const all = names.filter((n) => n !== "--help").join(", ");
  return `${command}: unknown option '${typed}'${best ? ` — did you mean ${best}?` : ""}${all ? `; its options: ${all}` : ""}`;
}

function matches(spec: string, given: GivenOption): boolean {
  const [name, value] = spec.split("=");
  return given.name === name && (value === undefined || given.value === value);
}

function shown(given: GivenOption, spec: string): string {
  return spec.includes("=") ? `${given.rawName} ${given.value ?? ""}` : given.rawName;
}

/** Throws a usage error for a repeated option with another value, or a combination a rule forbids. */
export function checkGiven(command: string, given: readonly GivenOption[], options: Options, rules: readonly FlagRule[] = []): void {
  const first = new Map<string, GivenOption>();
  for (const g of given) {
    const before = first.get(g.name);
    if (before && options[g.name]?.multiple !== true && before.value !== g.value) {
      throw new UsageError(`${command}: ${g.rawName} is given twice, as ${JSON.stringify(before.value)} and ${JSON.stringify(g.value)}; give it once`);
    }
    if (!before) first.set(g.name, g);
  }
  for (const rule of rules) {
    const flag = given.find((g) => matches(rule.flag, g));
    if (!flag) continue;
    for (const spec of rule.conflicts ?? []) {
      const other = given.find((g) => matches(spec, g));
      if (other) throw new UsageError(`${command}: ${shown(flag, rule.flag)} and ${shown(other, spec)} cannot go together: ${rule.why}`);
    }
    if (rule.needs !== undefined && !given.some((g) => matches(rule.needs as string, g))) {
      const short = options[rule.needs]?.short;
      throw new UsageError(`${command}: ${shown(flag, rule.flag)} only applies with --${rule.needs}${short ? ` (-${short})` : ""}: ${rule.why}`);
    }
  }
}
