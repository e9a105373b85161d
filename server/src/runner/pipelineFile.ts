/** Reading a pipeline file from disk, for the CLI and the MCP server. */
import { readFileSync, statSync } from "node:fs";
import { fileTooLarge } from "../pipeline/limits";
import { decodeUtf8, looksBinary } from "../pipeline/parse";
import type { Problem } from "../pipeline/problem";
import type { RuleContext } from "../pipeline/rules";
import { checkPipeline, refusedResult, validatePipeline, type ValidationResult } from "../pipeline/validate";
import { InputError } from "../errors";

export interface PipelineText {
  path: string;
  /** The file's text; empty when the file is refused. */
  text: string;
  /** A decoding problem (not UTF-8) or the refusal of a file too large, reported like any other diagnostic. */
  problem?: Problem;
  /** The file is over `MAX_FILE_BYTES`: it was not read, and is not checked. */
  refused?: boolean;
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
  const tooLarge = fileTooLarge(stat.size);
  if (tooLarge) return { path, text: "", problem: tooLarge, refused: true };
  const bytes = readFileSync(path);
  if (looksBinary(bytes)) throw new InputError(`${path} is a binary file, not a YAML pipeline`);
  const decoded = decodeUtf8(bytes);
  return { path, text: decoded.text, ...(decoded.problem ? { problem: decoded.problem } : {}) };
}

/** `validatePipeline` of a file from `readPipelineFile`: its decoding problem first; a refused file is not checked. */
export function validateFile(file: PipelineText, context: RuleContext): ValidationResult {
  if (file.problem && file.refused) return refusedResult(file.problem);
  const result = validatePipeline(file.text, context);
  if (!file.problem) return result;
  const { pipeline: _valid, ...rest } = result;
  return { ...rest, problems: [file.problem, ...result.problems] };
}

/** `validateFile` without the typed pipeline (`checkPipeline`): for `validate`, which only reports problems. */
export function checkPipelineFile(file: PipelineText, context: RuleContext): Omit<ValidationResult, "pipeline"> {
  if (file.problem && file.refused) return refusedResult(file.problem);
  const result = checkPipeline(file.text, context);
  return file.problem ? { ...result, problems: [file.problem, ...result.problems] } : result;
}
