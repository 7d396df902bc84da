// Command identifiers contributed in package.json; the client registers them (client/src/commands.ts).

export const Commands = {
  restartServer: 'pinsight.restartServer',
  showOutput: 'pinsight.showOutput',
} as const;
