/** Datasets of files (an S3 prefix, a local folder) as steps: per dataset an extract (a glob), a cast of the inferred types, a load. */
import type { ColumnType } from "../pipeline/model";
import type { DatasetColumns, Location } from "../sources/generation";
import { descriptorFor } from "../sources/registry";
import { NameSet } from "./names";
import type { PlanStep, SourceItem } from "./plan";
import { SOURCE } from "./catalogPlan";
import { loadBody } from "./target";

/** JSON carries numbers and booleans itself; dates and timestamps arrive as text in every format. */
const TEXT_IN_JSON: ReadonlySet<ColumnType> = new Set(["date", "timestamp"]);

export function datasetItems(datasets: readonly DatasetColumns[]): SourceItem[] {
  return datasets.map((d) => ({ name: d.label, kind: "dataset", detail: `${d.glob} (${d.format}, ${d.files.length} file${d.files.length === 1 ? "" : "s"}, ${d.columns.length} columns)` }));
}

export function selectDatasets(datasets: readonly DatasetColumns[], include: readonly string[] | undefined): DatasetColumns[] {
  if (!include) return [...datasets];
  return datasets.filter((d) => include.includes(d.label) || include.includes(d.glob));
}

/** The casts a dataset needs: none for Parquet, whose columns carry their types. */
function castOf(dataset: DatasetColumns): Record<string, ColumnType> {
  if (dataset.format === "parquet") return {};
  const typed = dataset.columns.filter((c) => c.type !== "string" && (dataset.format === "csv" || TEXT_IN_JSON.has(c.type)));
  return Object.fromEntries(typed.map((c) => [c.name, c.type]));
}

export function datasetSteps(source: Location, datasets: readonly DatasetColumns[], target: Location): PlanStep[] {
  const fileKey = descriptorFor(source.type)?.dataFileKey;
  if (!fileKey) throw new Error(`datasetSteps: ${source.what} gave datasets but its connector has no dataFileKey`);
  const taken = new NameSet(55);
  const steps: PlanStep[] = [];
  for (const dataset of datasets) {
    const base = taken.take(dataset.label, "dataset");
    const extract: PlanStep = {
      id: `extract_${base}`,
      description: `Reads ${dataset.glob}`,
      kind: "extract",
      body: { connection: SOURCE, [fileKey]: dataset.glob, format: dataset.format },
      comment: [`${dataset.files.length} ${dataset.format} file${dataset.files.length === 1 ? "" : "s"} matched when generated, e.g. ${dataset.sampledKey}`],
    };
    steps.push(extract);
    const cast = castOf(dataset);
    let upstream = extract.id;
    if (Object.keys(cast).length > 0) {
      upstream = `cast_${base}`;
      steps.push({
        id: upstream,
        kind: "transform",
        depends_on: [extract.id],
        body: [{ cast }],
        comment: [`Column types inferred from the first ${dataset.sampledRecords === 1 ? "record" : `${dataset.sampledRecords} records`} of ${dataset.sampledKey}; change one to string if later files disagree`],
      });
    }
    const load = loadBody(target, { name: base, key: [], noKeyReason: "files carry no primary key" });
    steps.push({ id: `load_${base}`, kind: "load", depends_on: [upstream], ...load });
  }
  return steps;
}
