// How the npm wing's requests connect, read the way npm 10 flattens its settings for
// npm-registry-fetch. Trust: `cafile` (a PEM file; npm applies it after `ca`, so a readable cafile
// wins), else `ca` (inline PEM, a string or `ca[]=` entries); either replaces the host's trust store,
// else Node's roots plus NODE_EXTRA_CA_CERTS apply. `strict-ssl=false` turns verification off.
// Proxy: `https-proxy`, else `proxy`, for every registry URL (npm-registry-fetch passes
// `httpsProxy || proxy`), bypassed for `noproxy` hosts (default: NO_PROXY); with neither set, the
// environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply as for any request. Each setting takes the
// value from the highest layer that has it (command line, npm_config_*, project, user, global).

import { defaultConnection, makeConnection, maskProxy, pemCertificates, type Connection } from '../../http/connection';
import { proxySettingsFromEnv, type ProxySettings } from '../../http/proxy';
import type { NpmSettings } from './npmrc';

export const NPM_TLS_ADVICE = {
  untrusted: 'set cafile or ca in .npmrc to its authority, or add it to NODE_EXTRA_CA_CERTS',
  clientCertificate: 'Pinsight does not send npm client certificates (certfile and keyfile)',
};

export interface NpmConnectionInput {
  /** Highest precedence first, as resolveNpmConfig takes them. */
  layers: Array<{ layer: string; settings: NpmSettings }>;
  env: Record<string, string | undefined>;
  readFile: (path: string) => Promise<string | undefined>;
  /** npm's path resolution for settings (`~/`, relative to the project). */
  resolvePath: (p: string) => string;
}

function first(input: NpmConnectionInput, key: string): { value: Exclude<ReturnType<NpmSettings['get']>, undefined>; layer: string } | undefined {
  for (const { layer, settings } of input.layers) {
    const value = settings.get(key);
    if (value !== undefined) return { value, layer };
  }
  return undefined;
}

function text(found: ReturnType<typeof first>): string | undefined {
  return typeof found?.value === 'string' && found.value !== '' ? found.value : undefined;
}

/** The Connection for npm registry requests, with warnings for settings that cannot be used; never throws. */
export async function loadNpmConnection(input: NpmConnectionInput): Promise<{ connection: Connection; warnings: string[] }> {
  const warnings: string[] = [];
  const sources: string[] = [];
  let ca: string[] | undefined;
  const inline = first(input, 'ca');
  if (inline && inline.value !== null && inline.value !== '') {
    const pem = Array.isArray(inline.value) ? inline.value.join('\n') : String(inline.value);
    const certificates = pemCertificates(pem);
    if (certificates.length > 0) {
      ca = certificates;
      sources.push(`Trusted certificate authorities: ca (from the ${inline.layer} npm config)`);
    } else warnings.push(`ca in the ${inline.layer} npm config holds no PEM certificate; Pinsight ignores it.`);
  }
  const cafile = first(input, 'cafile');
  const cafilePath = text(cafile);
  if (cafile && cafilePath !== undefined) {
    const path = input.resolvePath(cafilePath);
    const body = await input.readFile(path).catch(() => undefined);
    const certificates = body === undefined ? [] : pemCertificates(body);
    if (body === undefined) warnings.push(`cafile in the ${cafile.layer} npm config names ${path}, which cannot be read; npm ignores it too.`);
    else if (certificates.length === 0) warnings.push(`cafile in the ${cafile.layer} npm config names ${path}, which holds no PEM certificate.`);
    else {
      ca = certificates;
      sources.splice(0, sources.length, `Trusted certificate authorities: ${path} (cafile, from the ${cafile.layer} npm config)`);
    }
  }
  const strict = first(input, 'strict-ssl');
  const verify = !(strict && (strict.value === false || (typeof strict.value === 'string' && strict.value.trim().toLowerCase() === 'false')));
  if (!verify) sources.push(`Certificates not verified: strict-ssl=false (from the ${strict?.layer} npm config)`);

  const proxy = npmProxy(input, sources);
  if (!ca && verify && !proxy) return { connection: defaultConnection(NPM_TLS_ADVICE), warnings };
  return { connection: makeConnection({ verify, advice: NPM_TLS_ADVICE, sources, ...(ca ? { ca } : {}), ...(proxy ? { proxy } : {}) }), warnings };
}

function npmProxy(input: NpmConnectionInput, sources: string[]): ProxySettings | undefined {
  const httpsProxy = first(input, 'https-proxy');
  const plainProxy = first(input, 'proxy');
  const chosen = text(httpsProxy) !== undefined ? httpsProxy : text(plainProxy) !== undefined ? plainProxy : undefined;
  const noProxyFound = first(input, 'noproxy');
  const noProxy = Array.isArray(noProxyFound?.value) ? noProxyFound.value.join(',') : text(noProxyFound);
  if (!chosen && noProxy === undefined) return undefined;
  if (noProxy !== undefined) sources.push(`No proxy for: ${noProxy} (noproxy, from the ${noProxyFound?.layer} npm config)`);
  if (!chosen) return { ...proxySettingsFromEnv(input.env), noProxy };
  const url = chosen.value as string;
  const key = chosen === httpsProxy ? 'https-proxy' : 'proxy';
  sources.push(`Proxy: ${maskProxy(url)} (${key}, from the ${chosen.layer} npm config)`);
  return { proxy: url, noProxy: noProxy ?? proxySettingsFromEnv(input.env).noProxy };
}
