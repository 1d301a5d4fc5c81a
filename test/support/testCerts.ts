/**
 * Test support: a small PKI made with the openssl CLI in a temp directory — an ECDSA P-256 CA, a server leaf for
 * localhost/127.0.0.1, a second server leaf for "alt.example" (SNI tests) and a client leaf (clientAuth).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** File paths and PEM texts of one key pair + certificate. */
export interface TestIdentity {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** The test PKI. */
export interface TestPki {
  dir: string;
  ca: TestIdentity;
  server: TestIdentity;
  alt: TestIdentity;
  client: TestIdentity;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

function identity(dir: string, name: string): TestIdentity {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** Creates the PKI (takes ~100 ms). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'quichs-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=quichs test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const leaf = (name: string, cn: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30',
      '-out', `${name}.pem`, '-extfile', `${name}.ext`], dir);
  };
  const common = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n';
  leaf('server', 'localhost', `${common}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`);
  leaf('alt', 'alt.example', `${common}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:alt.example\n`);
  leaf('client', 'quichs client', `${common}extendedKeyUsage=clientAuth\n`);
  return { dir, ca: identity(dir, 'ca'), server: identity(dir, 'server'), alt: identity(dir, 'alt'), client: identity(dir, 'client') };
}
