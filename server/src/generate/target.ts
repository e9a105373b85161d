/**
 * The load of one table/dataset into the target: into a store of tables (the connector has a
 * `tableKey`) a merge on a key, or a replace; into a store of files (a `dataFileKey`) a JSONL
 * file/object.
 */
import { UsageError } from "../errors";
import type { ConnectorDescriptor } from "../sources/descriptor";
import type { Location } from "../sources/generation";
import { descriptorFor } from "../sources/registry";
import { locationExamples } from "./location";
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

/** How generated loads write into a target: by table name (merged on a key) or by file name. */
type LoadsBy = { table: string } | { file: string };

function loadsByOf(descriptor: ConnectorDescriptor | undefined): LoadsBy | undefined {
  if (!descriptor?.load) return undefined;
  if (descriptor.tableKey) return { table: descriptor.tableKey };
  if (descriptor.dataFileKey) return { file: descriptor.dataFileKey };
  return undefined;
}

const loadsBy = (target: Location): LoadsBy | undefined => loadsByOf(descriptorFor(target.type));

/** Throws when generated loads cannot write into the target (an HTTP API). */
export function checkTarget(target: Location): void {
  if (loadsBy(target)) return;
  const noun = descriptorFor(target.type)?.noun ?? `a ${target.type} connection`;
  throw new UsageError(`--to: ${noun} cannot be loaded into; give ${locationExamples((d) => loadsByOf(d) !== undefined)}`);
}

/** True when loads into the target are into tables, so a rerun can merge changed rows on a key. */
export function mergesRows(target: Location): boolean {
  const by = loadsBy(target);
  return by !== undefined && "table" in by;
}

/** The body of the load step and the comments on its choices. */
export function loadBody(target: Location, spec: LoadSpec): Pick<PlanStep, "body" | "keyComments"> {
  const by = loadsBy(target);
  if (!by) throw new Error(`loadBody: the target ${target.what} cannot be loaded into (checkTarget lets it through)`);
  if ("table" in by) {
    if (spec.key.length > 0) {
      return {
        body: { connection: TARGET, [by.table]: spec.name, mode: "merge", key: spec.key },
        keyComments: { mode: [`merge on the primary key (${spec.key.join(", ")}): a rerun updates rows instead of adding them again`] },
      };
    }
    return {
      body: { connection: TARGET, [by.table]: spec.name, mode: "replace" },
      keyComments: { mode: [`replace: ${spec.noKeyReason}, so rows cannot be merged; each run leaves the table holding exactly this run's rows`] },
    };
  }
  return { body: { connection: TARGET, [by.file]: `${spec.name}.jsonl`, format: "jsonl" } };
}

/** The target connection's comment. */
export function targetComment(target: Location, defaulted: boolean): string[] {
  const lines = defaulted ? ["No --to given: the data goes to the local folder ./out beside this file; change this connection to load elsewhere"] : [];
  if (mergesRows(target)) lines.push("Tables are created from the records' column types when missing (create: true)");
  else lines.push("Loads write JSON Lines (numbers, booleans and nested values kept as they are); each run rewrites the files");
  return lines;
}
