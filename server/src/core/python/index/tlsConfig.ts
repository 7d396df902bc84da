// How the Python wing's requests connect, read the way pip 23.2.1 and the requests library it
// vendors decide it. Trust, highest first: REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE (requests reads
// them on every request, over the session's verify, so they beat --cert), then pip's cert (PIP_CERT
// over pip.conf), then SSL_CERT_FILE (uv's bundle; pip 23.2.1 ignores it and uses certifi), then the
// host's trust store (Node's roots and NODE_EXTRA_CA_CERTS). A named bundle replaces the defaults,
// as it does in pip. Client certificate: pip's client_cert, then uv's SSL_CLIENT_CERT; one PEM file
// with the certificate and its key. Trusted hosts (pip's --trusted-host) are not verified, as pip
// mounts an insecure adapter for them. Proxies stay the environment's, which is what requests uses.

import { defaultConnection, makeConnection, pemCertificates, pemPrivateKey, type Connection } from '../../http/connection';
import { envValue, type Platform, type PipConfig } from './pipConf';

export interface PythonTlsInput {
  env: Record<string, string | undefined>;
  platform: Platform;
  readFile: (path: string) => Promise<string | undefined>;
  pip: PipConfig;
  /** Hosts from --trusted-host / trusted-host / UV_INSECURE_HOST: not verified. */
  trustedHosts: string[];
}

export const PYTHON_TLS_ADVICE = {
  untrusted: 'set cert in pip.conf, PIP_CERT or REQUESTS_CA_BUNDLE to a bundle holding its authority, or add it to NODE_EXTRA_CA_CERTS',
  clientCertificate: 'set client_cert in pip.conf or PIP_CLIENT_CERT to a PEM file holding the certificate and its key',
};

interface Named {
  path: string;
  source: string;
}

/** The Connection for Python index requests, with warnings for files that cannot be used; never throws. */
export async function loadPythonConnection(input: PythonTlsInput): Promise<{ connection: Connection; warnings: string[] }> {
  const warnings: string[] = [];
  const env = (name: string): Named | undefined => {
    const value = envValue(input.env, name, input.platform);
    return value ? { path: value, source: name } : undefined;
  };
  const pipSetting = (s: PipConfig['cert']): Named | undefined => (s ? { path: s.value, source: s.source } : undefined);
  const read = async (named: Named): Promise<string | undefined> => {
    const text = await input.readFile(named.path).catch(() => undefined);
    if (text === undefined) warnings.push(`${named.source} names ${named.path}, which cannot be read; Pinsight ignores it.`);
    return text;
  };

  const sources: string[] = [];
  let ca: string[] | undefined;
  const bundle = env('REQUESTS_CA_BUNDLE') ?? env('CURL_CA_BUNDLE') ?? pipSetting(input.pip.cert) ?? env('SSL_CERT_FILE');
  if (bundle) {
    const text = await read(bundle);
    const certificates = text === undefined ? [] : pemCertificates(text);
    if (text !== undefined && certificates.length === 0) warnings.push(`${bundle.source} names ${bundle.path}, which holds no PEM certificate; Pinsight ignores it.`);
    if (certificates.length > 0) {
      ca = certificates;
      sources.push(`Trusted certificate authorities: ${bundle.path} (from ${bundle.source})`);
    }
  }

  let clientCert: Connection['clientCert'];
  const client = pipSetting(input.pip.clientCert) ?? env('SSL_CLIENT_CERT');
  if (client) {
    const text = await read(client);
    const cert = text === undefined ? [] : pemCertificates(text);
    const key = text === undefined ? undefined : pemPrivateKey(text);
    if (text !== undefined && (cert.length === 0 || key === undefined)) {
      warnings.push(`${client.source} names ${client.path}, which must hold both the certificate and its private key in PEM; Pinsight sends no client certificate.`);
    } else if (key !== undefined) {
      clientCert = { cert: cert.join(''), key };
      sources.push(`Client certificate: ${client.path} (from ${client.source})`);
    }
  }

  const insecureHosts = input.trustedHosts.filter((h) => h !== '');
  if (!ca && !clientCert && insecureHosts.length === 0) return { connection: defaultConnection(PYTHON_TLS_ADVICE), warnings };
  if (insecureHosts.length > 0) sources.push(`Certificates not verified for trusted hosts: ${insecureHosts.join(', ')}`);
  const connection = makeConnection({ verify: true, advice: PYTHON_TLS_ADVICE, sources, ...(ca ? { ca } : {}), ...(clientCert ? { clientCert } : {}), ...(insecureHosts.length > 0 ? { insecureHosts } : {}) });
  return { connection, warnings };
}
