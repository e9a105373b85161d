/** What Restricted Mode turns off, and the message that says so (trust.ts). Pure, for tests. */

/** What each command that is off in Restricted Mode would do, for its message. */
export const RESTRICTED_ACTIONS = {
  "Run Pipeline": "run the pipeline's steps, resolving its secrets (${env:}, ${file:}, .env) and connecting to the servers it names",
  "Run Step": "run a step, resolving the pipeline's secrets and connecting to the servers it names",
  "Resume Last Run": "run the remaining steps, resolving the pipeline's secrets and connecting to the servers it names",
  "Analyze Sources": "resolve the pipeline's secrets and connect to the servers it names",
  "Refresh Source Cache": "resolve the pipeline's secrets and connect to the servers it names",
  "Preview Rows": "run the pipeline up to a step, resolving its secrets and connecting to the servers it names",
  "Runs View": "start the CLI to read the pipelines' run histories, resolving their secrets when a history is kept in a database",
  // The language-model tools (agent/agentTools.ts) an agent calls.
  "Analyze Tool": "resolve the pipeline's secrets and connect to the servers it names",
  "Plan Tool": "resolve the pipeline's secrets (${env:}, ${file:}, .env) to show the resolved paths and tables",
  "Preview Tool": "read the first rows of a step from its sources, resolving the pipeline's secrets and connecting to the servers it names",
  "Run Tool": "run the pipeline's steps, resolving its secrets and connecting to the servers it names",
} as const;

export type RestrictedAction = keyof typeof RESTRICTED_ACTIONS;

/** The message a command shows in Restricted Mode. Pure, for tests. */
export function restrictedMessage(action: RestrictedAction): string {
  return `${action} is off in Restricted Mode: it would ${RESTRICTED_ACTIONS[action]}, and this folder is not trusted. Trust the folder to enable it (live analysis of such connections starts then too).`;
}
