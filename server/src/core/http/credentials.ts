// Credentials from every configuration loaded so far (index URLs, .netrc, .npmrc), behind the one
// authorization callback RegistryHttp calls per request URL.

/** A configuration that can authorise requests to its own hosts. */
export interface CredentialSource {
  authorization(url: URL): string | undefined;
}

/** One authorization callback for RegistryHttp, fed by every configuration loaded so far. */
export class CredentialSources {
  private readonly sources: Array<(url: URL) => string | undefined> = [];
  private readonly known = new Set<unknown>();

  add(source: CredentialSource): void {
    if (this.known.has(source)) return;
    this.known.add(source);
    this.sources.push((url) => source.authorization(url));
  }

  /** Each source scopes its own credentials to their host; the first that has one answers. */
  readonly authorization = (url: URL): string | undefined => {
    for (const source of this.sources) {
      const value = source(url);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}
