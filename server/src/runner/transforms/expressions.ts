/** filter and derive: JSONata expressions evaluated per record, with the record's columns as fields. */
import jsonata from "jsonata";
import { StepError } from "../../errors";
import { ownValue, setOwn } from "../../pipeline/ownKeys";
import type { DataRecord } from "../../sources/types";
import { compileExpression, NEEDS_INTERPRETER, type CompiledExpression } from "./compileExpression";
import { explainTypeError, type JsonataFailure } from "./expressionErrors";
import type { Rejects } from "./rejects";
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

class ExpressionFailure extends Error {}

/** `record` is the record's evaluation view (typedView.ts): typed numeric columns as numbers. */
async function interpret(expr: Expression, record: DataRecord): Promise<unknown> {
  try {
    return await expr.interpreted.evaluate(record);
  } catch (err: unknown) {
    const failure = err as JsonataFailure;
    throw new ExpressionFailure(`expression \`${expr.text}\` failed: ${explainTypeError(expr.interpreted.ast(), failure, record) ?? failure.message ?? String(err)}`);
  }
}

const REJECTED = Symbol("rejected");

/** The interpreted value, or REJECTED once the failure is handed to `rejects`; without them, the failure fails the step. */
async function interpretOrReject(expr: Expression, view: DataRecord, at: { record: DataRecord; row: number; opIndex: number; column: string | null; rejects: Rejects | undefined }): Promise<unknown> {
  try {
    return await interpret(expr, view);
  } catch (err: unknown) {
    if (!(err instanceof ExpressionFailure)) throw err;
    if (!at.rejects) throw new StepError("expression-failed", `transform op ${at.opIndex + 1}: ${err.message.replace(/ failed: /, ` failed at row ${at.row}: `)}`);
    at.rejects.reject({ op: at.opIndex + 1, row: at.row, column: at.column, value: null, reason: err.message, record: at.record });
    return REJECTED;
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
export function filterStage(expression: string, opIndex: number, columns: () => Columns | undefined = () => undefined, rejects?: Rejects): Stage {
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
      if (value === NEEDS_INTERPRETER) value = await interpretOrReject(expr, v, { record: r, row, opIndex, column: null, rejects });
      if (value !== REJECTED && truthy(value)) out.push(r);
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

export function deriveStage(derived: Record<string, string>, opIndex: number, columns: () => Columns | undefined = () => undefined, rejects?: Rejects): Stage {
  const compiled = Object.entries(derived).map(([name, text]) => {
    const expr = compile(text, opIndex);
    return { name, expr, copies: passThroughColumn(expr.interpreted.ast()) };
  });
  let row = 0;
  let view: ((r: DataRecord) => DataRecord) | undefined;
  return mapBatches(async (batch) => {
    view ??= evaluationView(columns());
    const kept: DataRecord[] = [];
    for (const r of batch) {
      row++;
      // Later expressions see the columns derived before them, in the view as in the record.
      const v = view(r);
      let rejected = false;
      for (const c of compiled) {
        const seen = c.copies !== undefined ? ownValue(v, c.copies) : undefined;
        const exact = c.copies !== undefined ? ownValue(r, c.copies) : undefined;
        let computed: unknown;
        if (exact === seen) {
          computed = evaluate(c.expr, v);
          if (computed === NEEDS_INTERPRETER) computed = await interpretOrReject(c.expr, v, { record: r, row, opIndex, column: c.name, rejects });
          if (computed === REJECTED) {
            rejected = true;
            break;
          }
        }
        const value = exact !== seen ? exact : plain(computed);
        setOwn(r, c.name, value);
        if (v !== r) setOwn(v, c.name, exact !== seen ? seen : value);
      }
      if (!rejected) kept.push(r);
    }
    return kept;
  });
}
