/**
 * Snippets for a new pipeline, a connection, a step and a transform operation, offered by the
 * server only where their text is valid (a static snippets file offers every snippet everywhere,
 * e.g. a connection inside a step). Bodies are written as at column 0; `snippetItems` indents them.
 */
import { CompletionItemKind, InsertTextFormat, InsertTextMode, type CompletionItem, type Range } from "vscode-languageserver";
import { CONNECTORS } from "../sources/registry";
import type { CursorContext } from "./cursor";

/** Where a snippet fits: the key path of the map (or list) its first line goes into. */
type Place = "root" | "connections" | "steps" | "transform";

interface Snippet {
  label: string;
  detail: string;
  place: Place;
  /** Lines; a list item's first line starts with `- `. */
  body: string[];
}

const SNIPPETS: Snippet[] = [
  {
    label: "pipeline",
    detail: "A new pipeline: a file extract, a transform and a load",
    place: "root",
    body: [
      "version: 1",
      "name: ${1:my_pipeline}",
      "description: ${2:What this pipeline does}",
      "schedule: ${3|@daily,@hourly,@weekly,null|}",
      "",
      "connections:",
      "  ${4:source}:",
      "    type: file",
      "    root: ${5:./data}",
      "",
      "steps:",
      "  - id: ${6:extract_data}",
      "    extract:",
      "      connection: ${4:source}",
      "      path: ${7:input.csv}",
      "",
      "  - id: ${8:transform_data}",
      "    depends_on: [${6:extract_data}]",
      "    transform:",
      '      - filter: "${9:amount > 0}"',
      "",
      "  - id: ${10:load_data}",
      "    depends_on: [${8:transform_data}]",
      "    load:",
      "      connection: ${4:source}",
      "      path: ${11:output.jsonl}",
      "$0",
    ],
  },
  ...CONNECTORS.flatMap((d) => d.snippets.map((s): Snippet => ({ ...s, place: "connections", body: [...s.body] }))),
  { label: "step-extract", detail: "A step that reads records from a connection", place: "steps", body: ["- id: ${1:extract_id}", "  extract:", "    connection: ${2:source}", "    ${3|path,table,key|}: ${4:orders.csv}", "$0"] },
  {
    label: "step-extract-http",
    detail: "A paginated HTTP extract",
    place: "steps",
    body: ["- id: ${1:fetch_items}", "  extract:", "    connection: ${2:api}", "    path: ${3:/items}", "    records: ${4:data}", "    paginate:", "      type: ${5|cursor,page,offset,link|}", "$0"],
  },
  { label: "step-transform", detail: "A step that reshapes its upstream's records", place: "steps", body: ["- id: ${1:transform_id}", "  depends_on: [${2:upstream}]", "  transform:", "    - ${3|select,drop,dedupe|}: [${4:column}]", "$0"] },
  {
    label: "step-load",
    detail: "A step that writes its upstream's records",
    place: "steps",
    body: ["- id: ${1:load_id}", "  depends_on: [${2:upstream}]", "  load:", "    connection: ${3:target}", "    table: ${4:schema.table}", "    mode: ${5|append,replace,merge|}", "$0"],
  },
  { label: "step-sql", detail: "A step that runs SQL in a PostgreSQL connection", place: "steps", body: ["- id: ${1:sql_id}", "  sql:", "    connection: ${2:warehouse}", "    query: ${3:ANALYZE my_table}", "$0"] },
  { label: "join", detail: "A join operation (the other step must be in depends_on)", place: "transform", body: ["- join:", "    with: ${1:other_step}", "    on: ${2:id}", "    how: ${3|inner,left|}", "$0"] },
  { label: "aggregate", detail: "Group records and compute metrics", place: "transform", body: ["- aggregate:", "    group_by: [${1:column}]", "    metrics:", "      ${2:count}: count()", "      ${3:total}: sum(${4:amount})", "$0"] },
];

const LIST_PLACES: Record<Place, string> = { root: "", connections: "connections", steps: "steps", transform: "steps/[]/transform" };

/**
 * Where the cursor is, as a snippet place, and whether a `- ` is already written: a snippet that is
 * a list item goes either on a line of its own under the list's key, or into a fresh `- ` item
 * (nothing else in it yet). Anywhere else (e.g. a step's key position) no snippet fits.
 */
function placeAt(ctx: CursorContext, itemIsEmpty: boolean, fileIsEmpty: boolean): { place: Place; dashWritten: boolean } | undefined {
  if (ctx.position !== "key" || ctx.flow) return undefined;
  const path = ctx.path.join("/");
  if (path === "") return fileIsEmpty ? { place: "root", dashWritten: false } : undefined;
  for (const place of ["connections", "steps", "transform"] as const) {
    const at = LIST_PLACES[place];
    if (place !== "connections" && path === `${at}/[]` && ctx.inList && itemIsEmpty) return { place, dashWritten: true };
    if (path === at && !ctx.inList) return { place, dashWritten: false };
  }
  return undefined;
}

/** Body lines placed at column `col`; when the `- ` is already written, the body's own dash is dropped. */
function indent(body: readonly string[], col: number, dashWritten: boolean): string {
  const lines = dashWritten ? [body[0]?.replace(/^- /, "") ?? "", ...body.slice(1).map((l) => l.replace(/^ {2}/, ""))] : [...body];
  const pad = " ".repeat(col);
  return lines.map((l, i) => (i === 0 || l === "" ? l : pad + l)).join("\n");
}

/**
 * Snippet items that fit the cursor, sorted after the keys (sortText `2…`). `itemIsEmpty`: the list
 * item at the cursor holds nothing else; `fileIsEmpty`: the cursor line is the file's only content.
 */
export function snippetItems(ctx: CursorContext, itemIsEmpty: boolean, fileIsEmpty: boolean, range: Range): CompletionItem[] {
  const at = placeAt(ctx, itemIsEmpty, fileIsEmpty);
  if (!at) return [];
  return SNIPPETS.filter((s) => s.place === at.place).map((s, i) => ({
    label: s.label,
    kind: CompletionItemKind.Snippet,
    detail: s.detail,
    sortText: `2${String(i).padStart(3, "0")}`,
    textEdit: { range, newText: indent(s.body, ctx.keyCol, at.dashWritten) },
    insertTextFormat: InsertTextFormat.Snippet,
    insertTextMode: InsertTextMode.asIs,
  }));
}
