import { CronExpressionParser } from "cron-parser";
import { SCHEDULE_MACROS, SCHEDULE_PATTERN } from "../model";
import { problem } from "../problem";
import type { Rule } from "./rule";

/** A 5-field cron expression that cron-parser rejects or that can never fire (e.g. 30 February). */
export const invalidSchedule: Rule = {
  code: "invalid-schedule",
  check({ outline }) {
    const s = outline.schedule;
    if (!s || (SCHEDULE_MACROS as readonly string[]).includes(s.value) || !new RegExp(SCHEDULE_PATTERN).test(s.value)) return [];
    try {
      const expr = CronExpressionParser.parse(s.value, { currentDate: new Date(Date.UTC(2000, 0, 1)), strict: false });
      expr.next();
      return [];
    } catch (err: unknown) {
      const reason = err instanceof Error ? err.message : String(err);
      return [problem("invalid-schedule", "error", `schedule \`${s.value}\` can never run: ${reason.charAt(0).toLowerCase()}${reason.slice(1)} (fields: minute hour day-of-month month day-of-week)`, s.span)];
    }
  },
};
