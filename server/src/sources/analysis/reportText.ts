/** `agent-etl analyze --format text`: the report as readable, aligned text. */
import type { AnalysisItem, AnalysisReport, ConnectionReport } from "./report";
import type { ColumnInfo, FolderListing, Catalog, TableInfo } from "./types";

function table(rows: string[][], indent: string): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd());
}

function columnRows(columns: readonly ColumnInfo[], primaryKey: readonly string[] = []): string[][] {
  return columns.map((c) => [c.name, c.type, c.sqlType ?? "", c.nullable === false ? "not null" : "", primaryKey.includes(c.name) ? "PK" : ""]);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function relationLines(t: TableInfo): string[] {
  const kind = t.kind.replace("_", " ");
  const rows = t.rowEstimate === null ? "" : `, ~${t.rowEstimate} rows`;
  const lines = [`  ${t.schema}.${t.name} (${kind}${rows})`, ...table(columnRows(t.columns, t.primaryKey), "      ")];
  if (t.primaryKey.length > 1) lines.push(`      primary key (${t.primaryKey.join(", ")})`);
  for (const fk of t.foreignKeys) lines.push(`      foreign key ${fk.name} (${fk.columns.join(", ")}) → ${fk.references.schema}.${fk.references.table} (${fk.references.columns.join(", ")})`);
  return lines;
}

function catalogLines(c: Catalog): string[] {
  return [`  schemas: ${c.schemas.join(", ") || "(none)"}; default schema ${c.defaultSchema}; ${plural(c.tables.length, "relation")}`, ...c.tables.flatMap(relationLines)];
}

function folderLines(f: FolderListing): string[] {
  const entries = [...f.folders, ...f.files.map((file) => `${file.key} (${file.size} bytes)`)];
  const head = `  folder ${f.prefix === "" ? "/" : f.prefix}: ${plural(f.folders.length, "folder")}, ${plural(f.files.length, "file")}${f.truncated ? " (more not shown)" : ""}`;
  return [head, ...entries.slice(0, 50).map((e) => `    ${e}`), ...(entries.length > 50 ? [`    … ${entries.length - 50} more`] : [])];
}

function itemLines(item: AnalysisItem): string[] {
  const step = item.step === null ? "" : `step ${item.step}: `;
  if (item.error) return [`  ${step}${describeRequest(item)} — unavailable: ${item.error.message} [${item.error.code}]`];
  const r = item.result;
  if (!r) return [];
  switch (r.kind) {
    case "catalog":
      return catalogLines(r);
    case "folder":
      return folderLines(r);
    case "query-columns":
      return [`  ${step}query → ${plural(r.columns.length, "column")}`, ...table(columnRows(r.columns), "      ")];
    case "data-columns":
      return [`  ${step}${r.key} (${r.format}, ${plural(r.sampledRecords, "record")} sampled from ${r.bytesRead} bytes)`, ...table(columnRows(r.columns), "      ")];
    case "http-sample": {
      const h = r;
      const at = h.records === null ? "the response" : `\`${h.records}\``;
      const link = h.linkNext ? "; Link rel=next" : "";
      return [`  ${step}${describeRequest(item)} → records at ${at} (${plural(h.sampledRecords, "record")} sampled; body keys: ${h.bodyKeys.join(", ") || "none"}${link})`, ...table(columnRows(h.columns), "      ")];
    }
  }
}

function describeRequest(item: AnalysisItem): string {
  const r = item.request;
  switch (r.kind) {
    case "catalog":
      return "catalog";
    case "query-columns":
      return "query";
    case "folder":
      return `folder ${r.prefix || "/"}`;
    case "data-columns":
      return r.key;
    case "http-sample":
      return `${r.method ?? "GET"} ${r.path || "/"}`;
  }
}

function connectionLines(c: ConnectionReport): string[] {
  if (c.error) return [`${c.name} (${c.type}) — unavailable: ${c.error.message} [${c.error.code}]`];
  const lines = [`${c.name} (${c.type})`, ...c.analyses.flatMap(itemLines)];
  if (c.analyses.length === 0) lines.push("  (no extract step reads from it)");
  return lines;
}

export function renderReportText(report: AnalysisReport): string {
  if (report.connections.length === 0) return "the pipeline defines no connections";
  return report.connections.map((c) => connectionLines(c).join("\n")).join("\n\n");
}
