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
import { restrictedMessage, type RestrictedAction } from "./trustMessages";

export { RESTRICTED_ACTIONS, restrictedMessage, type RestrictedAction } from "./trustMessages";

const MANAGE = "Manage Workspace Trust";

/** True when the workspace is trusted; otherwise says why `action` is off, offers to trust, and returns false. */
export function requireTrust(action: RestrictedAction): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(restrictedMessage(action), MANAGE).then((pick) => {
    if (pick === MANAGE) void vscode.commands.executeCommand("workbench.trust.manage");
  });
  return false;
}
