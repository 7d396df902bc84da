// The one redaction function every host applies to what leaves the process (LSP messages, logs,
// CLI text and JSON): URL userinfo and credential-shaped settings are masked, and so is every
// secret value Pinsight has seen — a credential it sent, an .npmrc token, a .netrc password, the
// value of a ${VAR} it expanded — wherever it appears (also as user:password and in base64).

const MASK = '****';
const MIN_SECRET = 6;
const secrets = new Set<string>();
let pattern: RegExp | undefined;

// scheme://user:password@host -> scheme://****@host; also git+https, and userinfo after a `//` alone.
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/|(?<![:\w])\/\/)([^\s/?#@"'<>`]+)@/gi;
// Credential-shaped text: Authorization values and npmrc/pip credential keys.
const LABELLED = /\b(Bearer|Basic|Token)\s+(?=[A-Za-z._~+/=-]*[0-9+/=])[A-Za-z0-9._~+/=-]{8,}|\b(_authToken|_auth|_password|password)(\s*[=:]\s*)("[^"]*"|[^\s"',;]+)/gi;

/** Remembers a secret value so that redact() masks it wherever it appears (short values are too common to mask). */
export function rememberSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET || secrets.has(value)) return;
  secrets.add(value);
  pattern = undefined;
}

/** Remembers what an Authorization header carries: the token, or Basic's base64, user:password and password. */
export function rememberAuthorization(header: string | undefined): void {
  if (header === undefined) return;
  const [scheme, value] = header.split(/\s+/, 2);
  if (value === undefined) return rememberSecret(scheme);
  rememberSecret(value);
  if (/^basic$/i.test(scheme)) {
    const decoded = decodeBase64(value);
    if (decoded === undefined) return;
    rememberSecret(decoded);
    const colon = decoded.indexOf(':');
    if (colon >= 0) rememberSecret(decoded.slice(colon + 1));
  }
}

/** The text with every known secret, URL userinfo and labelled credential masked. */
export function redact(text: string): string {
  if (text.length === 0) return text;
  // `git@` (ssh's user for git hosts) is no secret and is what people recognise in a git URL.
  let out = text.replace(USERINFO, (m, scheme: string, userinfo: string) => (userinfo === 'git' ? m : `${scheme}${MASK}@`));
  out = out.replace(LABELLED, (_m, scheme: string | undefined, key: string | undefined, sep: string | undefined) => (scheme ? `${scheme} ${MASK}` : `${key}${sep}${MASK}`));
  if (secrets.size === 0) return out;
  pattern ??= new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return out.replace(pattern, MASK);
}

/** redact() over every string of a JSON-like value; keys listed in `keep` are left as they are. */
export function redactDeep<T>(value: T, keep: ReadonlySet<string> = new Set()): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, keep)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = keep.has(k) ? v : redactDeep(v, keep);
    return out as T;
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeBase64(value: string): string | undefined {
  try {
    const binary = atob(value);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
