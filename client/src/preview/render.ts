/**
 * The DAG as SVG markup. Built as a string (fast for 500 nodes, and the same markup is exported as
 * a file); every label goes through `escapeXml`. No inline `style` attributes: the webview's CSP
 * forbids them, so looks come from classes in preview.css.
 */
import { escapeXml } from "./escape";
import { BADGE_SPACE, LABEL_X, type Layout, type PlacedNode, type Point } from "./layout";
import type { GraphNode, GraphView, NodeStatus } from "./messages";

const KIND_ICONS: Record<string, string> = {
  extract: '<ellipse cx="8" cy="3.5" rx="5.5" ry="2.2"/><path d="M2.5 3.5v9c0 1.2 2.5 2.2 5.5 2.2s5.5-1 5.5-2.2v-9"/><path d="M2.5 8c0 1.2 2.5 2.2 5.5 2.2s5.5-1 5.5-2.2"/>',
  transform: '<path d="M1.5 2.5h13l-5 6v5l-3 1.5v-6.5z"/>',
  load: '<path d="M8 1.5v8.5M4.5 6.5 8 10l3.5-3.5M2 11v3.5h12V11"/>',
  sql: '<rect x="1.5" y="2.5" width="13" height="11" rx="1.5"/><path d="M4 6l2.2 2L4 10M8 10.5h4"/>',
  unknown: '<circle cx="8" cy="8" r="6"/><path d="M6.2 6.3a1.9 1.9 0 1 1 2.6 1.8c-.6.3-.8.7-.8 1.3M8 11.6v.1"/>',
};

function kindIcon(kind: string | null): string {
  return `<g class="icon kind-${escapeXml(kind ?? "unknown")}" transform="translate(12 10)">${KIND_ICONS[kind ?? "unknown"] ?? KIND_ICONS.unknown}</g>`;
}

export function formatRows(rows: number | null): string {
  if (rows === null) return "";
  return `${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"}`;
}

/** What a screen reader says for a node. */
export function nodeLabel(n: GraphNode, status: NodeStatus | undefined): string {
  const parts = [`Step ${n.id}`, n.kind ?? "unknown kind"];
  if (n.connection) parts.push(`connection ${n.connection}`);
  if (n.problems.length > 0) parts.push(problemSummary(n));
  if (status) parts.push(status.state, formatRows(status.rows));
  if (status && status.checks.length > 0) parts.push(checkSummary(status));
  if (status?.error) parts.push(status.error);
  for (const a of status?.anomalies ?? []) parts.push(`anomaly: ${a}`);
  return parts.filter(Boolean).join(", ");
}

/** "2 errors, 1 warning" (info and hints count as notes). */
function problemSummary(n: GraphNode): string {
  const count = (sev: string[]): number => n.problems.filter((p) => sev.includes(p.severity)).length;
  const part = (c: number, word: string): string => (c ? `${c} ${word}${c === 1 ? "" : "s"}` : "");
  return [part(count(["error"]), "error"), part(count(["warning"]), "warning"), part(count(["info", "hint"]), "note")].filter(Boolean).join(", ");
}

/** The mark of a node with problems: its count, coloured by the worst severity. */
function badge(n: GraphNode, w: number): string {
  if (n.problems.length === 0) return "";
  const worst = n.problems.some((p) => p.severity === "error") ? "error" : n.problems.some((p) => p.severity === "warning") ? "warning" : "info";
  const cx = w - BADGE_SPACE / 2 - 4;
  return `<g class="badge ${worst}" transform="translate(${cx} 17)" aria-hidden="true"><circle r="9"/><text text-anchor="middle" y="4">${n.problems.length > 9 ? "9+" : n.problems.length}</text></g>`;
}

/** "check failed: unique: [order_id]" (and warn checks), for the label and the mark's tooltip. */
export function checkSummary(status: NodeStatus): string {
  const said = (severity: "error" | "warn") => status.checks.filter((c) => c.severity === severity).map((c) => c.check ?? "a check");
  const failed = said("error");
  const warned = said("warn");
  return [failed.length > 0 ? `check failed: ${failed.join("; ")}` : "", warned.length > 0 ? `warn check failed: ${warned.join("; ")}` : ""].filter(Boolean).join(", ");
}

/** The mark of a node whose checks failed this run (red for an `error` check, amber for `warn` only), bottom right. */
export function checkMark(status: NodeStatus | undefined, w: number, h: number): string {
  if (!status || status.checks.length === 0) return "";
  const severity = status.checks.some((c) => c.severity === "error") ? "error" : "warning";
  const messages = status.checks.flatMap((c) => (c.message ? [c.message] : []));
  const title = escapeXml([checkSummary(status), ...messages].join("\n"));
  return `<g class="check-mark ${severity}" transform="translate(${w - BADGE_SPACE / 2 - 4} ${h - 14})"><title>${title}</title><circle r="8"/><text text-anchor="middle" y="4">${severity === "error" ? "✗" : "!"}</text></g>`;
}

function statusLine(n: GraphNode, status: NodeStatus | undefined): string {
  if (!status) return n.connection ?? n.kind ?? "";
  const retry = status.state === "retrying" && status.attempt ? ` (attempt ${status.attempt})` : "";
  const rows = formatRows(status.rows);
  return `${status.state}${retry}${rows ? ` · ${rows}` : ""}${status.anomalies?.length ? " · ⚠" : ""}`;
}

function nodeMarkup(n: GraphNode, p: PlacedNode, status: NodeStatus | undefined, focusable: boolean): string {
  const id = escapeXml(n.id);
  const problems = n.problems.map((q) => `${q.severity} ${q.code}: ${q.message}`);
  const tooltip = escapeXml([n.id, n.kind, n.connection && `connection: ${n.connection}`, n.description, ...problems, status?.error, ...(status?.anomalies ?? []).map((a) => `⚠ ${a}`)].filter(Boolean).join("\n"));
  const worst = n.problems.some((q) => q.severity === "error") ? " has-error" : n.problems.some((q) => q.severity === "warning") ? " has-warning" : "";
  return `<g class="node kind-${escapeXml(n.kind ?? "unknown")} state-${status?.state ?? "none"}${worst}" data-id="${id}" transform="translate(${p.x} ${p.y})" role="button" tabindex="${focusable ? 0 : -1}" aria-label="${escapeXml(nodeLabel(n, status))}">`
    + `<title>${tooltip}</title>`
    + `<rect class="box" width="${p.w}" height="${p.h}" rx="6"/>`
    + `<rect class="bar" width="4" height="${p.h}" rx="2"/>`
    + kindIcon(n.kind)
    + `<text class="label" x="${LABEL_X}" y="22">${id}</text>`
    + `<text class="sub" x="${LABEL_X}" y="41">${escapeXml(statusLine(n, status))}</text>`
    + badge(n, p.w)
    + checkMark(status, p.w, p.h)
    + "</g>";
}

/** A step that `depends_on` names but the pipeline lacks: drawn dashed, named, never clickable. */
function ghostMarkup(p: PlacedNode, dependents: string[]): string {
  const id = escapeXml(p.id);
  const label = escapeXml(`Missing step ${p.id}, named in depends_on of ${dependents.join(", ")}`);
  return `<g class="ghost" data-missing="${id}" transform="translate(${p.x} ${p.y})" role="img" aria-label="${label}">`
    + `<title>${label}</title>`
    + `<rect class="box" width="${p.w}" height="${p.h}" rx="6"/>`
    + `<text class="label" x="${LABEL_X}" y="22">${id}</text>`
    + `<text class="sub" x="${LABEL_X}" y="41">missing step</text>`
    + "</g>";
}

function edgePath(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(" ");
}

function cycleEdges(graph: GraphView): Set<string> {
  const set = new Set<string>();
  for (const c of graph.cycles) for (let i = 0; i + 1 < c.length; i++) set.add(`${c[i]}→${c[i + 1]}`);
  return set;
}

/** The graph's content (edges under nodes), in layout coordinates. */
export function graphMarkup(graph: GraphView, layout: Layout, status: Record<string, NodeStatus> = {}): string {
  const inCycle = cycleEdges(graph);
  const edges = layout.edges.map((e) => {
    const cls = e.missing ? "edge missing" : inCycle.has(`${e.from}→${e.to}`) || inCycle.has(`${e.to}→${e.from}`) ? "edge cycle" : "edge";
    const from = e.missing ? `data-missing="${escapeXml(e.from)}"` : `data-from="${escapeXml(e.from)}"`;
    return `<path class="${cls}" ${from} data-to="${escapeXml(e.to)}" d="${edgePath(e.points)}" marker-end="url(#${e.missing ? "arrow-missing" : "arrow"})"/>`;
  });
  let first = true;
  const nodes = graph.nodes.map((n) => {
    const p = layout.nodes.get(n.id);
    if (!p) return "";
    const markup = nodeMarkup(n, p, status[n.id], first);
    first = false;
    return markup;
  });
  const ghosts = [...layout.ghosts.values()].map((g) => ghostMarkup(g, graph.missing.filter((m) => m.missing === g.id).map((m) => m.step)));
  return `<g class="edges">${edges.join("")}</g><g class="nodes">${nodes.join("")}${ghosts.join("")}</g>`;
}

const ARROW_DEFS = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead" d="M0 0L10 5L0 10z"/></marker>'
  + '<marker id="arrow-missing" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead missing" d="M0 0L10 5L0 10z"/></marker></defs>';

/** A self-contained SVG file: the same markup plus the current theme's colours as a style sheet. */
export function standaloneSvg(graph: GraphView, layout: Layout, status: Record<string, NodeStatus>, css: string): string {
  const w = Math.ceil(layout.width);
  const h = Math.ceil(layout.height);
  const title = escapeXml(graph.name ?? "pipeline");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="DAG of ${title}">`
    + `<title>${title}</title><style>${css.replace(/<\//g, "<\\/")}</style>${ARROW_DEFS}<rect class="background" width="${w}" height="${h}"/>${graphMarkup(graph, layout, status)}</svg>\n`;
}
