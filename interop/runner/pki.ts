/**
 * The runner's certificates, made once per run with the openssl CLI (ECDSA P-256): a root CA, an intermediate CA,
 * a server leaf for localhost / 127.0.0.1 issued by the intermediate, and a client leaf (clientAuth) issued by the
 * root. The CERTS directory every endpoint gets holds:
 *   cert.pem   server leaf + intermediate (the chain the server presents)
 *   priv.key   the server's key (PKCS#8 PEM)
 *   ca.pem     the root (what a verifying client trusts, and what a verifying server checks client certs against)
 *   client.pem / client.key   the client's certificate and key (the "certificates" case)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates the certificates in `dir` (made if missing) and returns `dir`. */
export function makeInteropPki(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const work = join(dir, '.work');
  mkdirSync(work, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'root.key', '-out', 'root.pem', '-days', '30', '-subj', '/CN=quichs interop root',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], work);
  const issue = (name: string, cn: string, ca: string, ext: string) => {
    writeFileSync(join(work, `${name}.ext`), ext);
    openssl(['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], work);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30',
      '-out', `${name}.pem`, '-extfile', `${name}.ext`], work);
  };
  issue('intermediate', 'quichs interop intermediate', 'root',
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const leaf = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n';
  issue('server', 'localhost', 'intermediate', `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`);
  issue('client', 'quichs interop client', 'root', `${leaf}extendedKeyUsage=clientAuth\n`);
  const read = (f: string) => readFileSync(join(work, f), 'utf8');
  writeFileSync(join(dir, 'cert.pem'), read('server.pem') + read('intermediate.pem'));
  writeFileSync(join(dir, 'priv.key'), read('server.key'));
  writeFileSync(join(dir, 'ca.pem'), read('root.pem'));
  writeFileSync(join(dir, 'client.pem'), read('client.pem'));
  writeFileSync(join(dir, 'client.key'), read('client.key'));
  return dir;
}
