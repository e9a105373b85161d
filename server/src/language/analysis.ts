/** Per-document analysis: the incremental validator's result for a version, cached. */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Dag } from "../dag/graph";
import { IncrementalValidator } from "../pipeline/incremental";
import type { PipelineOutline } from "../pipeline/outline";
import type { Problem } from "../pipeline/problem";
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

/** Keeps one incremental validator and the latest analysis per open document. */
export class AnalysisStore {
  private readonly validators = new Map<string, IncrementalValidator>();
  private readonly latest = new Map<string, Analysis>();

  /** The analysis of this exact version, computed now if needed. */
  analyze(document: TextDocument, env: EnvNames): Analysis {
    const last = this.latest.get(document.uri);
    if (last && last.version === document.version && last.envStamp === env.stamp && last.text.length === document.getText().length) return last;
    let validator = this.validators.get(document.uri);
    if (!validator) {
      validator = new IncrementalValidator();
      this.validators.set(document.uri, validator);
    }
    const text = document.getText();
    const started = performance.now();
    const result = validator.update(text, { envNames: env.names });
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
