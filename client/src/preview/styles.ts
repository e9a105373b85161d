/**
 * The preview's styles, in VS Code's theme variables. Applied with a constructed style sheet (CSSOM,
 * allowed by the CSP, no inline `style`), and resolved to concrete colours for an exported SVG.
 */
export const GRAPH_CSS = `
.background { fill: var(--vscode-editor-background, #1e1e1e); }
.node { cursor: pointer; outline: none; }
.node .box { fill: var(--vscode-editorWidget-background, #252526); stroke: var(--vscode-editorWidget-border, var(--vscode-panel-border, #454545)); stroke-width: 1; }
.node .bar { fill: var(--vscode-descriptionForeground, #888); }
.node .label { fill: var(--vscode-editor-foreground, #ccc); font: 600 13px var(--vscode-editor-font-family, monospace); }
.node .sub { fill: var(--vscode-descriptionForeground, #999); font: 11px var(--vscode-font-family, sans-serif); }
.node .icon { fill: none; stroke: var(--vscode-symbolIcon-classForeground, #ee9d28); stroke-width: 1.3; stroke-linecap: round; stroke-linejoin: round; }
.node .icon.kind-extract { stroke: var(--vscode-charts-blue, #3794ff); }
.node .icon.kind-transform { stroke: var(--vscode-charts-purple, #b180d7); }
.node .icon.kind-load { stroke: var(--vscode-charts-orange, #d18616); }
.node .icon.kind-sql { stroke: var(--vscode-charts-yellow, #cca700); }
.node:hover .box { stroke: var(--vscode-focusBorder, #007fd4); }
.node:focus-visible .box { stroke: var(--vscode-focusBorder, #007fd4); stroke-width: 2.5; }
.node.highlight .box { stroke: var(--vscode-focusBorder, #007fd4); stroke-width: 2.5; fill: var(--vscode-editor-selectionHighlightBackground, rgba(38, 79, 120, 0.6)); }
.node.state-pending .bar { fill: var(--vscode-disabledForeground, #6c6c6c); }
.node.state-running .bar, .node.state-running .box { stroke: var(--vscode-charts-blue, #3794ff); }
.node.state-running .bar { fill: var(--vscode-charts-blue, #3794ff); }
.node.state-retrying .bar { fill: var(--vscode-charts-yellow, #cca700); }
.node.state-retrying .box { stroke: var(--vscode-charts-yellow, #cca700); stroke-dasharray: 4 3; }
.node.state-succeeded .bar { fill: var(--vscode-charts-green, #89d185); }
.node.state-succeeded .box { stroke: var(--vscode-charts-green, #89d185); }
.node.state-failed .bar { fill: var(--vscode-charts-red, #f14c4c); }
.node.state-failed .box { stroke: var(--vscode-charts-red, #f14c4c); stroke-width: 2; }
.node.state-skipped { opacity: 0.55; }
.node.has-warning .box { stroke: var(--vscode-editorWarning-foreground, #cca700); stroke-width: 1.6; }
.node.has-error .box { stroke: var(--vscode-editorError-foreground, #f14c4c); stroke-width: 1.6; }
.badge circle { fill: var(--vscode-editorInfo-foreground, #3794ff); }
.badge.warning circle { fill: var(--vscode-editorWarning-foreground, #cca700); }
.badge.error circle { fill: var(--vscode-editorError-foreground, #f14c4c); }
.badge text { fill: #fff; font: 700 11px var(--vscode-font-family, sans-serif); }
.check-mark circle { fill: var(--vscode-editorWarning-foreground, #cca700); }
.check-mark.error circle { fill: var(--vscode-editorError-foreground, #f14c4c); }
.check-mark text { fill: #fff; font: 700 11px var(--vscode-font-family, sans-serif); }
.ghost .box { fill: none; stroke: var(--vscode-editorError-foreground, #f14c4c); stroke-width: 1.4; stroke-dasharray: 5 3; }
.ghost .label { fill: var(--vscode-editorError-foreground, #f14c4c); font: 600 13px var(--vscode-editor-font-family, monospace); }
.ghost .sub { fill: var(--vscode-descriptionForeground, #999); font: italic 11px var(--vscode-font-family, sans-serif); }
.edge { fill: none; stroke: var(--vscode-editorLineNumber-foreground, #858585); stroke-width: 1.4; }
.edge.hl { stroke: var(--vscode-focusBorder, #007fd4); stroke-width: 2.2; }
.edge.cycle { stroke: var(--vscode-charts-red, #f14c4c); stroke-dasharray: 5 3; }
.edge.missing { stroke: var(--vscode-editorError-foreground, #f14c4c); stroke-dasharray: 5 3; }
.arrowhead { fill: var(--vscode-editorLineNumber-foreground, #858585); }
.arrowhead.missing { fill: var(--vscode-editorError-foreground, #f14c4c); }
`;

export const PAGE_CSS = `
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); display: flex; flex-direction: column; }
.toolbar { display: flex; align-items: center; gap: 6px; padding: 6px 10px; border-bottom: 1px solid var(--vscode-panel-border, transparent); flex: none; }
.toolbar .title { font-weight: 600; margin-right: auto; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.toolbar .zoom { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; min-width: 3.5em; text-align: right; }
.toolbar button { background: var(--vscode-button-secondaryBackground, #3a3d41); color: var(--vscode-button-secondaryForeground, #fff); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 3px 9px; font: inherit; cursor: pointer; }
.toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground, #45494e); }
.toolbar button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.run { padding: 4px 10px; flex: none; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
.run.phase-succeeded { color: var(--vscode-charts-green, #89d185); }
.run.phase-failed { color: var(--vscode-errorForeground, #f14c4c); }
.run[hidden], .message[hidden], .minimap[hidden] { display: none; }
.message { padding: 10px; color: var(--vscode-descriptionForeground); flex: none; }
.message.problem { color: var(--vscode-errorForeground, #f14c4c); }
#canvas { flex: 1; width: 100%; min-height: 0; position: relative; overflow: hidden; touch-action: none; cursor: grab; outline: none; user-select: none; -webkit-user-select: none; }
#world { position: absolute; left: 0; top: 0; transform-origin: 0 0; will-change: transform; }
#graph { display: block; overflow: visible; }
#canvas.panning { cursor: grabbing; }
#canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.minimap { position: absolute; right: 10px; bottom: 10px; overflow: hidden; cursor: pointer; background: var(--vscode-editorWidget-background, #252526); border: 1px solid var(--vscode-editorWidget-border, #454545); opacity: 0.92; --minimap-node: var(--vscode-descriptionForeground, #888); --minimap-ghost: var(--vscode-editorError-foreground, #f14c4c); }
.minimap canvas { display: block; }
.minimap-view { position: absolute; left: 0; top: 0; box-sizing: border-box; border: 1.5px solid var(--vscode-focusBorder, #007fd4); background: rgba(0, 127, 212, 0.12); pointer-events: none; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** Replaces `var(--name, fallback)` with the value the current theme gives it (for export). */
export function resolveCssVariables(css: string, lookup: (name: string) => string): string {
  const varRe = /var\((--[\w-]+)(?:,\s*((?:[^()]|\([^()]*\))*))?\)/g;
  let out = css;
  // Fallbacks may themselves be var(…): resolve innermost first until none are left.
  for (let i = 0; i < 4 && out.includes("var("); i++) {
    out = out.replace(varRe, (_m, name: string, fallback: string | undefined) => lookup(name).trim() || (fallback ?? "").trim() || "initial");
  }
  return out;
}
