/** The load of one table/dataset into the target: merge on a key into PostgreSQL, or a JSONL file/object. */
import type { Location } from "./location";
import type { PlanStep } from "./plan";

export interface LoadSpec {
  /** Identifier: the target table or file name. */
  name: string;
  /** Columns identifying a row; empty when there is none. */
  key: string[];
  /** Why there is no key (for the comment). */
  noKeyReason: string;
}

export const TARGET = "target";

/** The body of the load step and the comments on its choices. */
export function loadBody(target: Location, spec: LoadSpec): Pick<PlanStep, "body" | "keyComments"> {
  if (target.kind === "postgres") {
    if (spec.key.length > 0) {
      return {
        body: { connection: TARGET, table: spec.name, mode: "merge", key: spec.key },
        keyComments: { mode: [`merge on the primary key (${spec.key.join(", ")}): a rerun updates rows instead of adding them again`] },
      };
    }
    return {
      body: { connection: TARGET, table: spec.name, mode: "replace" },
      keyComments: { mode: [`replace: ${spec.noKeyReason}, so rows cannot be merged; each run leaves the table holding exactly this run's rows`] },
    };
  }
  const file = `${spec.name}.jsonl`;
  const where = target.kind === "s3" ? { key: file } : { path: file };
  return { body: { connection: TARGET, ...where, format: "jsonl" } };
}

/** The target connection's comment. */
export function targetComment(target: Location, defaulted: boolean): string[] {
  const lines = defaulted ? ["No --to given: the data goes to the local folder ./out beside this file; change this connection to load elsewhere"] : [];
  if (target.kind === "postgres") lines.push("Tables are created from the records' column types when missing (create: true)");
  else lines.push("Loads write JSON Lines (numbers, booleans and nested values kept as they are); each run rewrites the files");
  return lines;
}
