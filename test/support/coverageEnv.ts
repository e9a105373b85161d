/**
 * What a child process needs to be counted by coverage (`node scripts/test.mjs --coverage`): the c8
 * output folder and the NODE_OPTIONS that run dist/cli.js and dist/server.js from source. Tests that
 * start a child with a clean environment spread this into it; empty when coverage is off.
 */
export function coverageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["NODE_V8_COVERAGE", "NODE_OPTIONS"] as const) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}
