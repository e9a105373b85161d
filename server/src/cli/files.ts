/** Reading pipeline files and `.env` files for the CLI. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { decodeUtf8, looksBinary } from "../pipeline/parse";
import type { Problem } from "../pipeline/problem";
import { InputError } from "../errors";

/** Larger files are refused before reading: no real pipeline comes near it. */
export const MAX_PIPELINE_BYTES = 64 * 1024 * 1024;

export interface PipelineText {
  path: string;
  text: string;
  /** A decoding problem (not UTF-8), reported like any other diagnostic. */
  problem?: Problem;
}

export function readPipelineFile(path: string): PipelineText {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file`);
  }
  if (stat.isDirectory()) throw new InputError(`${path} is a directory; give a pipeline file (*.etl.yaml)`);
  if (!stat.isFile()) throw new InputError(`${path} is not a regular file`);
  if (stat.size > MAX_PIPELINE_BYTES) throw new InputError(`${path} is ${Math.round(stat.size / 1048576)} MB; pipeline files over ${MAX_PIPELINE_BYTES / 1048576} MB are refused`);
  const bytes = readFileSync(path);
  if (looksBinary(bytes)) throw new InputError(`${path} is a binary file, not a YAML pipeline`);
  const decoded = decodeUtf8(bytes);
  return { path, text: decoded.text, ...(decoded.problem ? { problem: decoded.problem } : {}) };
}

function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * Variables visible to a pipeline: the process environment, then `.env` beside the pipeline file
 * and at the workspace root (the current folder). Values are returned for the runner; the
 * validator only needs the names.
 */
export function loadEnv(pipelinePath: string, env: NodeJS.ProcessEnv = process.env, workspaceRoot = process.cwd()): Map<string, string> {
  const vars = new Map<string, string>();
  const files = [join(resolve(workspaceRoot), ".env"), join(dirname(resolve(pipelinePath)), ".env")];
  for (const file of [...new Set(files)]) for (const [k, v] of Object.entries(readEnvFile(file))) vars.set(k, v);
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  return vars;
}
