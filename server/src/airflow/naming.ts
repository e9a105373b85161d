/** Turning a pipeline name into a DAG file's module name and an Airflow `dag_id`, and checking task ids. */
import { RESERVED_MODULE_NAMES } from "./reservedNames";

/** Airflow's own rule for dag and task ids (`airflow.utils.helpers.validate_key`). */
const AIRFLOW_KEY = /^[A-Za-z0-9_.-]{1,250}$/;

/** Longest module name we write: leaves room for `.py` and a `_dag` suffix in any file system. */
const MAX_NAME = 200;

/**
 * A name that is a valid Python module name and Airflow id: lower case letters, digits and `_`,
 * starting with a letter, not a keyword or a standard-library module (`json` → `json_dag`).
 * Pipeline names already match `^[a-z][a-z0-9_]*$`; anything else is made to.
 */
export function moduleName(pipelineName: string): string {
  let name = pipelineName
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (name === "") name = "pipeline";
  if (!/^[a-z]/.test(name)) name = `etl_${name}`;
  name = name.slice(0, MAX_NAME).replace(/_+$/, "");
  return RESERVED_MODULE_NAMES.has(name) ? `${name}_dag` : name;
}

/** The `dag_id`: the sanitized name, so the DAG file and its id always agree. */
export function dagId(pipelineName: string): string {
  return moduleName(pipelineName);
}

/** Whether a step id can be an Airflow task id as is (step ids are identifiers, so they always can). */
export function isValidTaskId(id: string): boolean {
  return AIRFLOW_KEY.test(id);
}
