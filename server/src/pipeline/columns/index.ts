/** Schema propagation (issue 5): pure, from an outline and what analysis knows of the sources. */
export { columnsAt, stepAt, type ColumnsAt } from "./at";
export { expressionType, fieldsOf } from "./expression";
export { propagateColumns, PropagationMemo, upstreamOf } from "./propagate";
export { unknownColumnProblem, unknownColumns } from "./problems";
export type { Column, ColumnRef, ColumnSet, Propagation, RefRole, SourceColumns, StepColumns } from "./types";
