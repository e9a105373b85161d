/** The rows panel's stylesheet: VS Code's theme variables only, so it follows light, dark and high contrast. */
export const ROWS_CSS = `
:root { color-scheme: light dark; }
body { margin: 0; padding: 0 0 16px; font-family: var(--vscode-font-family); font-size: var(--vscode-font-size);
  color: var(--vscode-editor-foreground); background: var(--vscode-editor-background); }
.toolbar { display: flex; align-items: center; gap: 12px; padding: 8px 12px; }
.toolbar .title { font-weight: 600; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.toolbar .meta, .muted { color: var(--vscode-descriptionForeground); }
button { font: inherit; padding: 3px 12px; border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; cursor: pointer;
  color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
button:disabled { opacity: 0.6; cursor: default; }
.banner { margin: 0 12px 8px; padding: 6px 10px; border-left: 3px solid var(--vscode-editorInfo-foreground, var(--vscode-focusBorder));
  background: var(--vscode-textBlockQuote-background); }
.banner.truncated { border-left-color: var(--vscode-editorWarning-foreground); }
.banner ul { margin: 0; padding-left: 18px; }
.error { margin: 8px 12px; padding: 10px 12px; border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground));
  background: var(--vscode-inputValidation-errorBackground, transparent); }
.error .code { font-family: var(--vscode-editor-font-family); color: var(--vscode-errorForeground); }
.error .fix { margin-top: 8px; }
.error pre { white-space: pre-wrap; margin: 4px 0 0; font-family: var(--vscode-editor-font-family); }
.empty { margin: 8px 12px; }
.table-wrap { margin: 0 12px; }
table { border-collapse: separate; border-spacing: 0; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); text-align: left; white-space: nowrap; vertical-align: top; }
thead th { position: sticky; top: 0; z-index: 1; background: var(--vscode-editor-background);
  border-bottom: 2px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); font-weight: 600; }
th .type { display: block; font-weight: normal; font-size: 0.9em; color: var(--vscode-descriptionForeground); }
th .type.unknown { font-style: italic; }
td.rownum, th.rownum { color: var(--vscode-editorLineNumber-foreground); text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.null { color: var(--vscode-descriptionForeground); font-style: italic; font-size: 0.85em; letter-spacing: 0.06em; }
td .ctl { color: var(--vscode-editorWarning-foreground); }
tbody tr:hover { background: var(--vscode-list-hoverBackground); }
`;
