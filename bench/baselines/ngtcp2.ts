/**
 * ngtcp2 baseline: Debian's gtlsserver serving a file of `bytes` over HTTP/3 to gtlsclient on loopback, timed end to
 * end (process start to exit, which includes two process start-ups and one handshake). Returns MB/s (10^6 bytes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCert } from './certs.js';

async function freePort(): Promise<number> {
  // A TCP probe on the same number is a good-enough hint on loopback for a short-lived UDP server.
  return await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Runs one ngtcp2 download of `bytes`; throws if the file did not arrive whole. */
export async function ngtcp2Throughput(cert: BenchCert, bytes: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'quichs-ngtcp2-'));
  const www = join(dir, 'www');
  const dl = join(dir, 'dl');
  mkdirSync(www);
  mkdirSync(dl);
  writeFileSync(join(www, 'blob'), Buffer.alloc(bytes, 0x63));
  const port = await freePort();
  const server = spawn('/usr/sbin/gtlsserver', ['-q', '-d', www, '127.0.0.1', String(port), cert.keyFile, cert.certFile],
    { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  try {
    const start = performance.now();
    const r = spawnSync('gtlsclient', ['-q', '--exit-on-all-streams-close', '--download', dl, '127.0.0.1', String(port),
      `https://127.0.0.1:${port}/blob`], { stdio: 'ignore', timeout: 120_000 });
    const seconds = (performance.now() - start) / 1000;
    if (r.error) throw r.error;
    const got = statSync(join(dl, 'blob'), { throwIfNoEntry: false })?.size ?? 0;
    if (got !== bytes) throw new Error(`ngtcp2 download incomplete: ${got}/${bytes} bytes`);
    return bytes / 1e6 / seconds;
  } finally {
    server.kill('SIGKILL');
  }
}
