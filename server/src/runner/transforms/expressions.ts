/** filter and derive: JSONata expressions evaluated per record, with the record's columns as fields. */
import jsonata from "jsonata";
import { StepError } from "../../errors";
import { setOwn } from "../../pipeline/ownKeys";
import type { DataRecord } from "../../sources/types";
import { mapBatches, type Stage } from "./stage";

function compile(expression: string, opIndex: number): jsonata.Expression {
  try {
    return jsonata(expression);
  } catch (err: unknown) {
    throw new StepError("invalid-expression", `transform op ${opIndex + 1}: expression \`${expression}\` does not parse: ${(err as { message?: string }).message ?? String(err)}`);
  }
}

async function evaluate(expr: jsonata.Expression, record: DataRecord, row: number, text: string, opIndex: number): Promise<unknown> {
  try {
    return await expr.evaluate(record);
  } catch (err: unknown) {
    throw new StepError("expression-failed", `transform op ${opIndex + 1}: expression \`${text}\` failed at row ${row}: ${(err as { message?: string }).message ?? String(err)}`);
  }
}

/** JSONata's truthiness: empty strings, zero, empty arrays and missing values are false. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(truthy);
  return Boolean(value);
}

export function filterStage(expression: string, opIndex: number): Stage {
  const expr = compile(expression, opIndex);
  let row = 0;
  return mapBatches(async (batch) => {
    const out: DataRecord[] = [];
    for (const r of batch) {
      row++;
      if (truthy(await evaluate(expr, r, row, expression, opIndex))) out.push(r);
    }
    return out;
  });
}

/** JSONata sequences are arrays with extra flags; plain JSON values are what gets staged. */
function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return [...value].map(plain);
  return value;
}

export function deriveStage(columns: Record<string, string>, opIndex: number): Stage {
  const compiled = Object.entries(columns).map(([name, text]) => ({ name, text, expr: compile(text, opIndex) }));
  let row = 0;
  return mapBatches(async (batch) => {
    for (const r of batch) {
      row++;
      for (const c of compiled) setOwn(r, c.name, plain(await evaluate(c.expr, r, row, c.text, opIndex)));
    }
    return batch;
  });
}
