// Core metadata (a wheel's METADATA, an sdist's PKG-INFO, a PEP 658 `.metadata` file): RFC 822
// style headers up to the first blank line, then a free-form description that is never parsed.

export interface CoreMetadata {
  metadataVersion: string;
  name?: string;
  version?: string;
  requiresPython?: string;
  requiresDist: string[];
  providesExtra: string[];
}

/** Header fields in order, with folded lines unfolded; the body after the first blank line is dropped. */
export function parseHeaders(text: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Line by line up to the end of the header block: the description after it (often a whole
  // README) is never split into lines.
  const lineBreak = /\r\n|\n|\r/g;
  for (let start = 0, more = true; more; ) {
    lineBreak.lastIndex = start;
    const m = lineBreak.exec(body);
    const line = body.slice(start, m ? m.index : body.length);
    more = m !== null;
    if (m) start = m.index + m[0].length;
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      // RFC 5322 unfolding: the line break goes, the leading whitespace stays.
      if (fields.length > 0) fields[fields.length - 1][1] += line;
      continue;
    }
    const colon = line.indexOf(':');
    // Like Python's email parser, a line that is not a header ends the header block.
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) break;
    fields.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1)]);
  }
  return fields.map(([name, value]) => [name, value.trim()]);
}

/** Parses core metadata; undefined when the text has no Metadata-Version header (not metadata at all). */
export function parseCoreMetadata(text: string): CoreMetadata | undefined {
  const fields = parseHeaders(text);
  const first = (name: string) => fields.find(([n]) => n === name)?.[1];
  const all = (name: string) => fields.filter(([n, v]) => n === name && v !== '').map(([, v]) => v);
  const metadataVersion = first('metadata-version');
  if (metadataVersion === undefined || !/^\d+(\.\d+)*$/.test(metadataVersion)) return undefined;
  const requiresPython = first('requires-python');
  return {
    metadataVersion,
    name: first('name'),
    version: first('version'),
    requiresPython: requiresPython ? requiresPython : undefined,
    requiresDist: all('requires-dist'),
    providesExtra: all('provides-extra'),
  };
}

/** Extra names used in `extra == "x"` markers, for sources that do not list Provides-Extra. */
export function extrasFromRequirements(requiresDist: string[]): string[] {
  const extras: string[] = [];
  for (const requirement of requiresDist) {
    for (const m of requirement.matchAll(/\bextra\s*==\s*(["'])([^"']*)\1/g)) if (!extras.includes(m[2])) extras.push(m[2]);
  }
  return extras;
}
