/** Readable messages for the schema's `pattern`s: what the value should look like, with an example. */
import { DATE_PATTERN, DURATION_PATTERN, IDENTIFIER_PATTERN, METRIC_PATTERN, SCHEDULE_PATTERN, TABLE_PATTERN } from "./model";

/** Lowercases and replaces what an identifier may not hold, e.g. `Daily Orders` → `daily_orders`. */
function toIdentifier(raw: string): string {
  let id = raw
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!/^[a-z]/.test(id)) id = `x_${id}`;
  return id.slice(0, 63);
}

/** `subject` names the value, e.g. "`Orders` (in `name`)" or "connection name `Out-DB`". */
export function messageForPattern(pattern: string, value: string, subject: string): string {
  switch (pattern) {
    case IDENTIFIER_PATTERN:
      return `${subject} is not a valid identifier: use lowercase letters, digits and \`_\`, starting with a letter (at most 63), e.g. \`${toIdentifier(value)}\``;
    case DURATION_PATTERN:
      return `${subject} is not a duration: write a whole number and a unit, e.g. \`500ms\`, \`30s\`, \`10m\` or \`2h\``;
    case DATE_PATTERN:
      return `${subject} is not a date: write \`YYYY-MM-DD\`, e.g. \`2024-01-31\``;
    case SCHEDULE_PATTERN:
      return `${subject} is not a schedule: write a 5-field cron expression (minute hour day month weekday, e.g. \`0 6 * * *\`) or one of \`@hourly\`, \`@daily\`, \`@weekly\`, \`@monthly\`, \`@yearly\`, \`@once\``;
    case METRIC_PATTERN:
      return `${subject} is not a metric: use \`count()\`, \`sum(column)\`, \`min(column)\`, \`max(column)\` or \`avg(column)\``;
    case TABLE_PATTERN:
      return value === ""
        ? `${subject} is empty: write the table's name, \`schema.table\` or \`table\``
        : `${subject} holds a template, and table names take none (templates are filled in keys, paths, \`query\` texts and HTTP query/body values): write the table's name`;
    default:
      return `${subject} does not match the pattern \`${pattern}\``;
  }
}
