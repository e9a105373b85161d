/**
 * The pipeline JSON Schema as two ajv validators: the top level (with the step items accepted as
 * anything) and one step item. Together they report exactly what the whole schema reports, and a
 * step's errors can be computed — and cached — on its own.
 */
import Ajv, { type ValidateFunction } from "ajv";
import schemaJson from "../../../../schemas/pipeline.schema.json";
import * as generated from "./schemaValidators.generated";

export interface SchemaValidators {
  topLevel: ValidateFunction;
  step: ValidateFunction;
}

/** The schema split in two: the top level with `steps.items` emptied, and the step item schema. */
export function splitSchema(schema: typeof schemaJson = schemaJson): { topLevel: object; step: object } {
  const steps = schema.properties.steps;
  const { items, ...stepsList } = steps;
  const { $id: _id, ...rest } = schema;
  void _id;
  const topLevel = { ...rest, properties: { ...schema.properties, steps: stepsList } };
  return { topLevel, step: { $schema: schema.$schema, ...items } };
}

/** A hash (FNV-1a, 32 bits) of the split schema: tells whether the generated validators are current. */
export function schemaHash(): string {
  const text = JSON.stringify(splitSchema());
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

export const AJV_OPTIONS = { allErrors: true, verbose: true, discriminator: true, strict: false } as const;

let compiled: SchemaValidators | undefined;

/** Compiles the validators now (the generated ones are only used while they match the schema). */
export function compileValidators(): SchemaValidators {
  const { topLevel, step } = splitSchema();
  const ajv = new Ajv(AJV_OPTIONS);
  return { topLevel: ajv.compile(topLevel), step: ajv.compile(step) };
}

export function validators(): SchemaValidators {
  if (!compiled) {
    const ahead = generated as { SCHEMA_HASH: string; topLevel: ValidateFunction; step: ValidateFunction };
    compiled = ahead.SCHEMA_HASH === schemaHash() ? { topLevel: ahead.topLevel, step: ahead.step } : compileValidators();
  }
  return compiled;
}
