// Certificates made at test time with the openssl CLI: a private CA, a server certificate for
// 127.0.0.1 and localhost signed by it, a client certificate signed by it (with a PEM that holds
// certificate and key, as pip's client_cert wants), and a second CA that signs nothing we serve.
// Nothing is committed: every run makes fresh keys in a temporary folder, valid for two days.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when the openssl CLI can be run (tests that need it say so when it cannot). */
export function hasOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir, name) {
  openssl(['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=Pinsight test ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

function makeLeaf(dir, name, ca, extensions) {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
}

/**
 * Makes the certificates and returns their paths and PEM texts:
 * { dir, caFile, ca, serverKey, serverCert, clientFile (cert + key), clientCert, clientKey, otherCaFile, cleanup() }.
 */
export function makeTestCertificates() {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  makeLeaf(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  makeLeaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  const read = (name) => readFileSync(join(dir, name), 'utf8');
  const clientFile = join(dir, 'client-with-key.pem');
  writeFileSync(clientFile, read('client.pem') + read('client.key'));
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    ca: read('ca.pem'),
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    clientFile,
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    otherCaFile: join(dir, 'other-ca.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
