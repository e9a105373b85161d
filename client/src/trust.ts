/**
 * Workspace Trust. In Restricted Mode the extension still validates, completes and previews, but
 * nothing that resolves a pipeline's secrets or connects to the servers it names: the language
 * server is told the workspace is not trusted (no live analysis of those connections), and runs and
 * analysis explain why they are off and offer to trust the folder. Export and Generate stay on: they
 * resolve none of the pipeline's secrets (Generate connects only to what the user types), and the
 * settings that name programs or folders (`restrictedConfigurations` in package.json) are read from
 * the user's settings only.
 */
import * as vscode from "vscode";

/** What each command that is off in Restricted Mode would do, for its message. */
export const RESTRICTED_ACTIONS = {
  "Run Pipeline": "run the pipeline's steps, resolving its secrets (${env:}, ${file:}, .env) and connecting to the servers it names",
  "Run Step": "run a step, resolving the pipeline's secrets and connecting to the servers it names",
  "Resume Last Run": "run the remaining steps, resolving the pipeline's secrets and connecting to the servers it names",
  "Analyze Sources": "resolve the pipeline's secrets and connect to the servers it names",
  "Refresh Source Cache": "resolve the pipeline's secrets and connect to the servers it names",
  // The language-model tools (agent/agentTools.ts) an agent calls.
  "Analyze Tool": "resolve the pipeline's secrets and connect to the servers it names",
  "Plan Tool": "resolve the pipeline's secrets (${env:}, ${file:}, .env) to show the resolved paths and tables",
  "Run Tool": "run the pipeline's steps, resolving its secrets and connecting to the servers it names",
} as const;

export type RestrictedAction = keyof typeof RESTRICTED_ACTIONS;

/** The message a command shows in Restricted Mode. Pure, for tests. */
export function restrictedMessage(action: RestrictedAction): string {
  return `${action} is off in Restricted Mode: it would ${RESTRICTED_ACTIONS[action]}, and this folder is not trusted. Trust the folder to enable it (live analysis of such connections starts then too).`;
}

const MANAGE = "Manage Workspace Trust";

/** True when the workspace is trusted; otherwise says why `action` is off, offers to trust, and returns false. */
export function requireTrust(action: RestrictedAction): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(restrictedMessage(action), MANAGE).then((pick) => {
    if (pick === MANAGE) void vscode.commands.executeCommand("workbench.trust.manage");
  });
  return false;
}
