/**
 * The DAG preview's page: strict CSP with a nonce, one script, no inline style. The panel serves
 * it in the webview; the bench loads the same page in Chromium. Pure string, no `vscode`.
 */
import { escapeXml } from "./escape";

export interface PageOptions {
  /** The webview's own origin (`webview.cspSource`), allowed for styles and fonts. */
  cspSource: string;
  nonce: string;
  /** URI of dist/preview.js. */
  script: string;
}

export function previewHtml(page: PageOptions): string {
  const csp = `default-src 'none'; img-src ${page.cspSource} data:; style-src ${page.cspSource} 'nonce-${page.nonce}'; font-src ${page.cspSource}; script-src 'nonce-${page.nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeXml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>DAG preview</title>
</head>
<body>
<div class="toolbar" role="toolbar" aria-label="DAG preview">
  <span class="title" id="title">DAG</span>
  <span id="zoom" class="zoom" aria-live="off">100%</span>
  <button id="fit" type="button" title="Fit to window (0)">Fit</button>
  <button id="actual" type="button" title="Actual size (1)">100%</button>
  <button id="zoomIn" type="button" title="Zoom in (+)" aria-label="Zoom in">+</button>
  <button id="zoomOut" type="button" title="Zoom out (−)" aria-label="Zoom out">−</button>
  <button id="exportSvg" type="button" title="Save the picture as an SVG file">Export SVG</button>
</div>
<div id="run" class="run" role="status" aria-live="polite" hidden></div>
<div id="message" class="message" role="status">Loading the pipeline's graph…</div>
<div id="hint" class="sr-only">Arrow keys pan the graph; Tab enters the steps, where arrow keys move between steps and Enter shows a step in the editor. Drag or scroll to pan, Ctrl and scroll or plus and minus to zoom, 0 fits the whole graph, 1 shows it at 100%.</div>
<div id="canvas" tabindex="0" role="group" aria-label="Pipeline DAG" aria-describedby="hint">
<div id="world"><svg id="graph" xmlns="http://www.w3.org/2000/svg" width="0" height="0">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead" d="M0 0L10 5L0 10z"/></marker>
<marker id="arrow-missing" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead missing" d="M0 0L10 5L0 10z"/></marker></defs>
<g id="content"></g>
</svg></div>
<div id="minimap" class="minimap" hidden><canvas id="minimapCanvas" aria-hidden="true"></canvas><div id="minimapView" class="minimap-view"></div></div>
</div>
<script nonce="${page.nonce}" src="${escapeXml(page.script)}"></script>
</body>
</html>`;
}
