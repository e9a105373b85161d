/** Shared by the generate integration tests: the generated file's load → extract mapping, and validation. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { validatePipeline } from "../../../server/src/pipeline/validate";

export interface GeneratedStep {
  id: string;
  depends_on?: string[];
  extract?: Record<string, unknown>;
  transform?: Record<string, unknown>[];
  load?: Record<string, unknown>;
}

export interface Generated {
  name: string;
  connections: Record<string, Record<string, unknown>>;
  steps: GeneratedStep[];
}

/** Parses and validates a generated file: zero errors, and no secret literal in it. */
export function checkGenerated(text: string, env: readonly string[], secrets: readonly string[] = []): Generated {
  const result = validatePipeline(text, { envNames: new Set(env) });
  const errors = result.problems.filter((p) => p.severity === "error");
  assert.deepEqual(errors, [], "the generated file validates with zero errors");
  for (const secret of secrets) assert.ok(!text.includes(secret), "no secret in the generated file");
  return parse(text) as Generated;
}

/** Each load with the extract it reads from (following the first `depends_on` through transforms). */
export function loadsWithExtracts(generated: Generated): { load: GeneratedStep; extract: GeneratedStep }[] {
  const byId = new Map(generated.steps.map((s) => [s.id, s]));
  return generated.steps
    .filter((s) => s.load)
    .map((load) => {
      let step = load;
      while (!step.extract) step = byId.get(step.depends_on?.[0] ?? "") as GeneratedStep;
      return { load, extract: step };
    });
}
