// The I/O the pure core may use, injected by its host: the language server (open documents first,
// then the disk), the CLI (the disk) and tests (in-memory maps). Later issues add fetch, cache dir
// and clock here.

export interface Runtime {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** Environment variables used for `${VAR}` expansion and registry configuration. */
  env: Record<string, string | undefined>;
}
