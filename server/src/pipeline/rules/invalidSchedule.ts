import { CronExpressionParser } from "cron-parser";
import { Settings } from "luxon";
import { SCHEDULE_MACROS, SCHEDULE_PATTERN } from "../model";
import { problem } from "../problem";
import type { Rule } from "./rule";

/** A 5-field cron expression that cron-parser rejects or that can never fire (e.g. 30 February). */
export const invalidSchedule: Rule = {
  code: "invalid-schedule",
  check({ outline }) {
    const s = outline.schedule;
    if (!s || (SCHEDULE_MACROS as readonly string[]).includes(s.value) || !new RegExp(SCHEDULE_PATTERN).test(s.value)) return [];
    const reason = cronError(s.value);
    return reason === undefined ? [] : [problem("invalid-schedule", "error", `schedule \`${s.value}\` can never run: ${reason} (fields: minute hour day-of-month month day-of-week)`, s.span)];
  },
};

// cron-parser works in luxon dates; without a default locale, luxon asks Intl for the system's on
// first use, which costs ~20 ms in the language server's first check. Locales only format dates,
// and nothing here formats one.
Settings.defaultLocale = "en-US";

/** Why cron-parser rejects an expression, by its text: the language server checks on every edit. */
const CHECKED = new Map<string, string | undefined>();

function cronError(expression: string): string | undefined {
  if (CHECKED.has(expression)) return CHECKED.get(expression);
  let reason: string | undefined;
  try {
    CronExpressionParser.parse(expression, { currentDate: new Date(Date.UTC(2000, 0, 1)), strict: false }).next();
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    reason = `${message.charAt(0).toLowerCase()}${message.slice(1)}`;
  }
  if (CHECKED.size >= 1000) CHECKED.clear();
  CHECKED.set(expression, reason);
  return reason;
}
