/** The custom requests the extension sends the language server (types from protocol.ts only). */
import type { LanguageClient } from "vscode-languageclient/node";
import { DagRequest, RefreshSourcesRequest, StepsRequest, type DagResult, type RefreshSourcesParams, type RefreshSourcesResult, type StepsResult } from "../../server/src/protocol";

export class ServerApi {
  constructor(private readonly client: LanguageClient) {}

  /** The graph of an open pipeline (the server answers from the open document, not the disk). */
  dag(uri: string): Promise<DagResult> {
    return this.client.sendRequest(DagRequest, { uri });
  }

  /** Drops what live analysis cached for the pipeline's connections and fetches it again. */
  refreshSources(uri: string, connection?: string): Promise<RefreshSourcesResult> {
    const params: RefreshSourcesParams = connection ? { uri, connection } : { uri };
    return this.client.sendRequest(RefreshSourcesRequest, params);
  }

  /** The steps of an open pipeline; falls back to the graph's nodes if the server lacks the request. */
  async steps(uri: string): Promise<StepsResult> {
    try {
      return await this.client.sendRequest(StepsRequest, { uri });
    } catch {
      const dag = await this.dag(uri);
      return { steps: dag.nodes.map(({ description: _d, ...rest }) => rest) };
    }
  }
}

/** A readable reason when a request fails (e.g. the server does not implement it yet). */
export function requestFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /unhandled method|method not found/i.test(message) ? "the language server does not answer this request (is it up to date?)" : message;
}
