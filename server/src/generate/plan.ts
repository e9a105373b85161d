/** What a generator produces before it becomes YAML: steps and connections, with the comments that explain each choice. */

export interface PlanStep {
  id: string;
  description?: string;
  depends_on?: string[];
  kind: "extract" | "transform" | "load";
  /** The value under `extract`/`transform`/`load`. */
  body: Record<string, unknown> | Record<string, unknown>[];
  /** Comment lines above the step. */
  comment?: string[];
  /** Comment lines above a key of the body (`mode`, `incremental`, `paginate` …). */
  keyComments?: Record<string, string[]>;
}

export interface PlanConnection {
  value: Record<string, unknown>;
  comment?: string[];
}

export interface PipelinePlan {
  name: string;
  description: string;
  /** Comment lines at the top of the file. */
  header: string[];
  connections: Record<string, PlanConnection>;
  steps: PlanStep[];
}

/** One table or dataset a source offers (for `--list` and `--include`). */
export interface SourceItem {
  /** What `--include` matches (`schema.table`, a dataset name, the records path). */
  name: string;
  kind: "table" | "view" | "dataset" | "endpoint";
  detail: string;
}
