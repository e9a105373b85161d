/**
 * The CLI's commands, in the order its help lists them. Apart from the command table (main.ts) so
 * that the launcher (cliLauncher.ts) can name a code cache per command without loading any command.
 */
export const COMMAND_NAMES = ["validate", "dag", "preview", "run", "runs", "export", "analyze", "generate", "mcp"] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}
