import { checksPlacement } from "./checksPlacement";
import { onErrorPlacement } from "./onErrorPlacement";
import { rejectedTable } from "./rejectedTable";
import { connectionType } from "./connectionType";
import { cycle } from "./cycle";
import { duplicateStepId } from "./duplicateStepId";
import { hardcodedSecret } from "./hardcodedSecret";
import { invalidExpression } from "./invalidExpression";
import { invalidSchedule } from "./invalidSchedule";
import { joinNotUpstream } from "./joinNotUpstream";
import { lagAppend } from "./lagAppend";
import { missingEnv } from "./missingEnv";
import { missingInput } from "./missingInput";
import type { Rule } from "./rule";
import { nameTooLong } from "./nameTooLong";
import { templateInSqlLiteral } from "./templateInSqlLiteral";
import { typeMismatch } from "./typeMismatch";
import { unknownConnection } from "./unknownConnection";
import { historyConnection } from "./historyConnection";
import { unknownStep } from "./unknownStep";
import { unusedConnection } from "./unusedConnection";
import { urlCredentials } from "./urlCredentials";

/** Every semantic rule, in reporting order. Adding a rule: write it, list it here, test it. */
export const RULES: readonly Rule[] = [
  duplicateStepId,
  unknownStep,
  cycle,
  joinNotUpstream,
  missingInput,
  unknownConnection,
  connectionType,
  historyConnection,
  nameTooLong,
  invalidExpression,
  typeMismatch,
  checksPlacement,
  onErrorPlacement,
  rejectedTable,
  invalidSchedule,
  templateInSqlLiteral,
  lagAppend,
  missingEnv,
  hardcodedSecret,
  urlCredentials,
  unusedConnection,
];

export { runRules } from "./rule";
export type { Rule, RuleContext, RuleInput, StepCheck, StepProblemCache } from "./rule";
