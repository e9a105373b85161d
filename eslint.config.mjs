import js from "@eslint/js";
import tseslint from "typescript-eslint";

const PURE_CORE_BAN = {
  patterns: [
    { group: ["vscode", "vscode-*"], message: "The core is pure: no editor or LSP types here (docs/architecture.md)." },
    { group: ["node:fs", "node:fs/*", "fs", "node:child_process", "node:net", "node:http", "node:https", "pg", "@aws-sdk/*"], message: "The core does no I/O (docs/architecture.md)." },
  ],
};

const VSCODE_BAN = { group: ["vscode"], message: "The server never imports vscode." };

/**
 * Layers of server/src, low to high (issue #18); a module imports its own layer and those below,
 * never one above, so a connector cannot reach for the runner nor the runner for the terminal.
 *   leaves (errors, controlChars, plainText, protocol, format/)
 *   < pipeline, dag (the pure core: dag/ imports only types from pipeline/, pipeline/ builds dags)
 *   < env (.env files, ${env:}/${file:} resolution, scrubbing)
 *   < sources (connectors) < runner, airflow, generate < language, mcp, cli < server.ts, cli.ts
 * Patterns `**` + `/name/*` match relative imports of any depth; folder names are unique in the tree.
 */
const ABOVE = {
  leaves: ["pipeline", "dag", "env", "sources", "runner", "airflow", "generate", "language", "mcp", "cli"],
  core: ["env", "sources", "runner", "airflow", "generate", "language", "mcp", "cli"],
  env: ["dag", "sources", "runner", "airflow", "generate", "language", "mcp", "cli"],
  sources: ["runner", "airflow", "generate", "language", "mcp", "cli"],
  middle: ["language", "mcp", "cli"],
  language: ["mcp", "cli"],
  mcp: ["language", "cli"],
  cli: ["language"],
};
/** server.ts and cli.ts, the entry points, as reached from one to three folders down. */
const ENTRY_POINTS = ["../", "../../", "../../../"].flatMap((up) => [`${up}server`, `${up}cli`]);

const DOWNWARD = "Import downward only: this module's layer is below that one (layers in eslint.config.mjs, issue #18).";

function layerBan(above, extra = []) {
  return {
    patterns: [{ group: [...above.flatMap((folder) => [`**/${folder}/*`, `**/${folder}`]), ...ENTRY_POINTS], message: DOWNWARD }, ...extra],
  };
}

/**
 * The one exception to the layers: the connector registry and its descriptors (sources/registry.ts,
 * sources/descriptor.ts, sources/<type>/descriptor.ts) may be imported from the core and env, since
 * the model builds `ConnectionSchema` from the descriptors and rules read their keys. In exchange
 * those files stay pure (DESCRIPTOR_PURITY): no I/O module, and connector code only through
 * `await import(…)` inside a method; type imports are free.
 */
const BELOW_SOURCES_BUT_DESCRIPTORS = { regex: "(^|/)sources(/(?!registry$|descriptor$).*)?$", message: DOWNWARD };
const notSources = (above) => above.filter((folder) => folder !== "sources");
const DESCRIPTOR_FILES = ["server/src/sources/registry.ts", "server/src/sources/descriptor.ts", "server/src/sources/*/descriptor.ts"];
const DESCRIPTOR_PURITY = [
  ...PURE_CORE_BAN.patterns,
  { regex: "^\\.\\.?/(?!(.*/)?descriptor$|\\.\\./pipeline/)", allowTypeImports: true, message: "A descriptor is read by the pure core: load connector code with `await import(…)` inside a method (eslint.config.mjs)." },
];

const LAYERS = [
  [["server/src/errors.ts", "server/src/controlChars.ts", "server/src/plainText.ts", "server/src/protocol.ts", "server/src/format/**/*.ts"], layerBan(ABOVE.leaves)],
  [["server/src/pipeline/**/*.ts", "server/src/dag/**/*.ts"], layerBan(notSources(ABOVE.core), [...PURE_CORE_BAN.patterns, BELOW_SOURCES_BUT_DESCRIPTORS])],
  [["server/src/env/**/*.ts"], layerBan(notSources(ABOVE.env), [BELOW_SOURCES_BUT_DESCRIPTORS])],
  [["server/src/sources/**/*.ts"], layerBan(ABOVE.sources)],
  [DESCRIPTOR_FILES, layerBan(ABOVE.sources, DESCRIPTOR_PURITY)],
  [["server/src/runner/**/*.ts", "server/src/airflow/**/*.ts", "server/src/generate/**/*.ts"], layerBan(ABOVE.middle)],
  [["server/src/language/**/*.ts"], layerBan(ABOVE.language, [VSCODE_BAN])],
  [["server/src/mcp/**/*.ts"], layerBan(ABOVE.mcp)],
  [["server/src/cli/**/*.ts"], layerBan(ABOVE.cli)],
];

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", "coverage/**", "test-results/**", "**/.etl/**", "**/*.d.ts", ".bench-*"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
    },
  },
  ...LAYERS.map(([files, ban]) => ({ files, rules: { "no-restricted-imports": ["error", ban] } })),
  {
    files: ["test/**/*.ts", "scripts/**", "bench/**", "esbuild.mjs"],
    rules: { "no-console": "off" },
  },
);
