/** filter and derive: JSONata expressions evaluated per record, with the record's columns as fields. */
import jsonata from "jsonata";
import { StepError } from "../../errors";
import { ownValue, setOwn } from "../../pipeline/ownKeys";
import type { DataRecord } from "../../sources/types";
import { compileExpression, NEEDS_INTERPRETER, type CompiledExpression } from "./compileExpression";
import { explainTypeError, type JsonataFailure } from "./expressionErrors";
import { mapBatches, type Columns, type Stage } from "./stage";
import { evaluationView, passThroughColumn } from "./typedView";

interface Expression {
  text: string;
  interpreted: jsonata.Expression;
  /** The same expression as a synchronous function, when it is in the compiled subset. */
  compiled: CompiledExpression | undefined;
}

function compile(expression: string, opIndex: number): Expression {
  try {
    const interpreted = jsonata(expression);
    return { text: expression, interpreted, compiled: compileExpression(interpreted) };
  } catch (err: unknown) {
    throw new StepError("invalid-expression", `transform op ${opIndex + 1}: expression \`${expression}\` does not parse: ${(err as { message?: string }).message ?? String(err)}`);
  }
}

/** `record` is the record's evaluation view (typedView.ts): typed numeric columns as numbers. */
async function interpret(expr: Expression, record: DataRecord, row: number, opIndex: number): Promise<unknown> {
  const text = expr.text;
  try {
    return await expr.interpreted.evaluate(record);
  } catch (err: unknown) {
    const failure = err as JsonataFailure;
    const detail = explainTypeError(expr.interpreted.ast(), failure, record) ?? failure.message ?? String(err);
    throw new StepError("expression-failed", `transform op ${opIndex + 1}: expression \`${text}\` failed at row ${row}: ${detail}`);
  }
}

/**
 * An expression's value for one record: the compiled function's, synchronously, or NEEDS_INTERPRETER
 * when the expression or this record's values are outside the compiled subset (then `interpret`).
 */
function evaluate(expr: Expression, record: DataRecord): unknown {
  return expr.compiled ? expr.compiled(record) : NEEDS_INTERPRETER;
}

/** JSONata's truthiness: empty strings, zero, empty arrays and missing values are false. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(truthy);
  return Boolean(value);
}

/** `columns`: the known column types of the op's input, asked for once its first batch has come. */
export function filterStage(expression: string, opIndex: number, columns: () => Columns | undefined = () => undefined): Stage {
  const expr = compile(expression, opIndex);
  let row = 0;
  let view: ((r: DataRecord) => DataRecord) | undefined;
  return mapBatches(async (batch) => {
    view ??= evaluationView(columns());
    const out: DataRecord[] = [];
    for (const r of batch) {
      row++;
      const v = view(r);
      let value = evaluate(expr, v);
      if (value === NEEDS_INTERPRETER) value = await interpret(expr, v, row, opIndex);
      if (truthy(value)) out.push(r);
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

export function deriveStage(derived: Record<string, string>, opIndex: number, columns: () => Columns | undefined = () => undefined): Stage {
  const compiled = Object.entries(derived).map(([name, text]) => {
    const expr = compile(text, opIndex);
    return { name, expr, copies: passThroughColumn(expr.interpreted.ast()) };
  });
  let row = 0;
  let view: ((r: DataRecord) => DataRecord) | undefined;
  return mapBatches(async (batch) => {
    view ??= evaluationView(columns());
    for (const r of batch) {
      row++;
      // Later expressions see the columns derived before them, in the view as in the record.
      const v = view(r);
      for (const c of compiled) {
        const seen = c.copies !== undefined ? ownValue(v, c.copies) : undefined;
        const exact = c.copies !== undefined ? ownValue(r, c.copies) : undefined;
        let computed: unknown;
        if (exact === seen) {
          computed = evaluate(c.expr, v);
          if (computed === NEEDS_INTERPRETER) computed = await interpret(c.expr, v, row, opIndex);
        }
        const value = exact !== seen ? exact : plain(computed);
        setOwn(r, c.name, value);
        if (v !== r) setOwn(v, c.name, exact !== seen ? seen : value);
      }
    }
    return batch;
  });
}
