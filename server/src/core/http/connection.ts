// How one wing's requests connect: which certificate authorities it trusts, the client certificate
// it presents, whether it verifies at all, and the proxy its configuration names. Each wing resolves
// these from its own tool's settings (pip.conf and requests' variables, .npmrc) and hands them to
// RegistryHttp with every fetch; the Node transport applies them. Plain data; no I/O here.

import { hashString } from './cache';
import type { ProxySettings } from './proxy';

/** What a wing tells the user when TLS fails, by problem, naming its own settings. */
export interface TlsAdvice {
  /** The server's certificate chain does not lead to a trusted authority. */
  untrusted: string;
  /** The server asked for a client certificate and got none it accepts. */
  clientCertificate: string;
}

export interface Connection {
  /** Equal for equal settings: requests share pools and in-flight answers only within one id. */
  id: string;
  /** PEM certificates trusted instead of the defaults (Node's roots plus NODE_EXTRA_CA_CERTS); undefined keeps the defaults. */
  ca?: string[];
  /** A PEM certificate chain and its private key, presented when the server asks. */
  clientCert?: { cert: string; key: string };
  /** false accepts any server certificate (npm's strict-ssl=false). */
  verify: boolean;
  /** Hosts (`host` for any port, or `host:port`) whose certificates are not verified (pip's trusted-host). */
  insecureHosts?: string[];
  /** Proxy rules that replace the environment's (HTTPS_PROXY, NO_PROXY) for this wing. */
  proxy?: ProxySettings;
  advice: TlsAdvice;
  /** Where each setting came from, credentials masked, for --explain and the status item. */
  sources: string[];
}

// A CA bundle (often the system's, ~140 certificates named by REQUESTS_CA_BUNDLE or SSL_CERT_FILE)
// is read with every check's configuration: its certificates and their digest are worked out once
// per text, and an equal text gives the same array, whose digest stands for it in the id.
const bundleDigests = new WeakMap<readonly string[], string>();
const bundles = new Map<string, string[]>();
const MAX_BUNDLES = 8;

/** Builds a Connection, computing its id from everything that changes how a socket is made. */
export function makeConnection(parts: Omit<Connection, 'id'>): Connection {
  const { ca, clientCert, verify, insecureHosts, proxy } = parts;
  let caDigest: string | null = null;
  if (ca) {
    caDigest = bundleDigests.get(ca) ?? hashString(JSON.stringify(ca));
    bundleDigests.set(ca, caDigest);
  }
  return { ...parts, id: hashString(JSON.stringify([caDigest, clientCert ?? null, verify, insecureHosts ?? null, proxy ?? null])) };
}

/** Whether a request to this URL verifies the server's certificate under these settings. */
export function verifiesCertificate(connection: Connection, url: URL): boolean {
  if (!connection.verify) return false;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.hostname.toLowerCase();
  return !(connection.insecureHosts ?? []).some((rule) => {
    const r = rule.toLowerCase();
    return r === host || r === `${host}:${port}`;
  });
}

/** The settings every wing starts from: the host's trust store, verification on, the environment's proxy. */
export function defaultConnection(advice: TlsAdvice): Connection {
  return makeConnection({ verify: true, advice, sources: [] });
}

const CERTIFICATE = /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----[\s\S]*?-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

/** The PEM certificates in a bundle's text, in order (other blocks and text between them are skipped, as OpenSSL does); read-only, shared per text. */
export function pemCertificates(text: string): string[] {
  const known = bundles.get(text);
  if (known) return known;
  const certificates = [...text.replace(/\r\n/g, '\n').matchAll(CERTIFICATE)].map((m) => `${m[0]}\n`);
  if (bundles.size >= MAX_BUNDLES) bundles.clear();
  bundles.set(text, certificates);
  return certificates;
}

/** The first PEM private key in a text, or undefined. */
export function pemPrivateKey(text: string): string | undefined {
  const match = PRIVATE_KEY.exec(text.replace(/\r\n/g, '\n'));
  return match ? `${match[0]}\n` : undefined;
}

/** A proxy URL fit for messages: user and password masked. */
export function maskProxy(url: string): string {
  return url.replace(/\/\/[^/@\s]+@/, '//****@');
}
