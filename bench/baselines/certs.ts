/**
 * Bench certificates made with the openssl CLI into a temp directory (ECDSA P-256 self-signed for localhost/127.0.0.1),
 * so baselines and our own benchmarks present the same key type.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths and PEM text of a bench certificate. */
export interface BenchCert {
  /** Directory holding cert.pem and priv.key. */
  dir: string;
  /** Certificate path. */
  certFile: string;
  /** Private key path (PKCS#8 PEM). */
  keyFile: string;
  /** Certificate PEM. */
  cert: string;
  /** Key PEM. */
  key: string;
}

/** Creates an ECDSA P-256 (or RSA-2048) self-signed certificate for localhost. */
export function makeBenchCert(kind: 'p256' | 'rsa2048' = 'p256'): BenchCert {
  const dir = mkdtempSync(join(tmpdir(), 'quichs-bench-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'priv.key');
  const keyArgs = kind === 'p256' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
