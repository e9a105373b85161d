import js from "@eslint/js";
import tseslint from "typescript-eslint";

const PURE_CORE_BAN = {
  patterns: [
    { group: ["vscode", "vscode-*"], message: "The core is pure: no editor or LSP types here (ARCHITECTURE.md)." },
    { group: ["node:fs", "node:fs/*", "fs", "node:child_process", "node:net", "node:http", "node:https", "pg", "@aws-sdk/*"], message: "The core does no I/O (ARCHITECTURE.md)." },
  ],
};

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
  {
    files: ["server/src/pipeline/**/*.ts", "server/src/dag/**/*.ts"],
    rules: { "no-restricted-imports": ["error", PURE_CORE_BAN] },
  },
  {
    files: ["server/src/language/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["vscode"], message: "The server never imports vscode." }] }] },
  },
  {
    files: ["test/**/*.ts", "scripts/**", "bench/**", "esbuild.mjs"],
    rules: { "no-console": "off" },
  },
);
