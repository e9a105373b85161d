/** Per-document analysis: the piecewise validator's result for a version, cached. */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Dag } from "../dag/graph";
import { PiecewiseValidator } from "../pipeline/piecewise";
import type { PipelineOutline } from "../pipeline/outline";
import { textTooLarge } from "../pipeline/limits";
import type { Problem } from "../pipeline/problem";
import { refusedResult } from "../pipeline/validate";
import type { EnvNames } from "./envNames";

export interface Analysis {
  uri: string;
  version: number;
  text: string;
  problems: Problem[];
  outline: PipelineOutline;
  dag: Dag;
  envStamp: string;
  /** How it was computed, and how long it took: the server waits longer between slow whole-file runs. */
  mode: "pieces" | "whole";
  costMs: number;
}

/** Keeps one piecewise validator and the latest analysis per open document. */
export class AnalysisStore {
  private readonly validators = new Map<string, PiecewiseValidator>();
  private readonly latest = new Map<string, Analysis>();

  /** The analysis of this exact version, computed now if needed. */
  analyze(document: TextDocument, env: EnvNames): Analysis {
    const last = this.latest.get(document.uri);
    if (last && last.version === document.version && last.envStamp === env.stamp && last.text.length === document.getText().length) return last;
    const text = document.getText();
    const refused = textTooLarge(text);
    if (refused) {
      // Not parsed at all: the validator's pieces of an earlier, smaller version are let go too.
      this.validators.delete(document.uri);
      const analysis: Analysis = { uri: document.uri, version: document.version, text, envStamp: env.stamp, mode: "whole", costMs: 0, ...refusedResult(refused) };
      this.latest.set(document.uri, analysis);
      return analysis;
    }
    let validator = this.validators.get(document.uri);
    if (!validator) {
      validator = new PiecewiseValidator();
      this.validators.set(document.uri, validator);
    }
    const started = performance.now();
    let result;
    try {
      result = validator.update(text, { envNames: env.names });
    } catch (err: unknown) {
      // A failure may leave the validator's pieces half updated: the next version starts afresh.
      this.close(document.uri);
      throw err;
    }
    const costMs = performance.now() - started;
    const analysis: Analysis = { uri: document.uri, version: document.version, text, envStamp: env.stamp, mode: validator.lastMode, costMs, ...result };
    this.latest.set(document.uri, analysis);
    return analysis;
  }

  /** The latest analysis, possibly of an older version (good enough for names in completion). */
  last(uri: string): Analysis | undefined {
    return this.latest.get(uri);
  }

  close(uri: string): void {
    this.validators.delete(uri);
    this.latest.delete(uri);
  }
}

/** A small pipeline with a bit of everything a real one has (schedule, each connection and step kind). */
const WARM_UP = `version: 1
name: warm_up
schedule: "0 6 * * 1-5"
defaults: {retries: 2, retry_delay: 30s}
connections:
  raw: {type: file, root: ./data}
  db:
    type: postgres
    url: \${env:DATABASE_URL}
steps:
  - id: read
    extract: {connection: raw, path: orders.csv}
  - id: paid
    depends_on: [read]
    transform:
      - filter: "status = 'paid'"
      - derive: {cents: amount * 100}
      - cast: {id: integer}
  - id: save
    depends_on: [paid]
    load:
      connection: db
      table: public.orders
      mode: merge
      key: [id]
`;

/**
 * Runs the validator once on a small pipeline, so the first document opened does not also pay for
 * loading and first runs of the parser, schema validators, rules and cron parser.
 */
export function warmUp(): void {
  const validator = new PiecewiseValidator();
  validator.update(WARM_UP, { envNames: new Set() });
  validator.update(WARM_UP.replace("retries: 2", "retries: 3"), { envNames: new Set() });
}
