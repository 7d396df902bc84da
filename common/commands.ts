// Command identifiers contributed in package.json; the client registers them (client/src/commands.ts).

export const Commands = {
  restartServer: 'pinsight.restartServer',
  showOutput: 'pinsight.showOutput',
  explainConflict: 'pinsight.explainConflict',
  whyIsThisHere: 'pinsight.whyIsThisHere',
  updateAll: 'pinsight.updateAll',
  refresh: 'pinsight.refresh',
  clearCache: 'pinsight.clearCache',
  /** Runs a fix's command line in a terminal the user sees; arguments: one RunInTerminalArgs. */
  runInTerminal: 'pinsight.runInTerminal',
} as const;

/** The argument of pinsight.runInTerminal: what a code action asks to run, and where. */
export interface RunInTerminalArgs {
  line: string;
  cwd: string;
}
