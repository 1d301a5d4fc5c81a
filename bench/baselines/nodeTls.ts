/**
 * node:tls baselines over loopback TCP: full TLS 1.3 handshakes per second (sequential, one connection at a time, client
 * and server in this process) and bulk throughput of one connection.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import * as tls from 'node:tls';
import type { BenchCert } from './certs.js';

/** Completes `count` full handshakes (no resumption) and returns handshakes per second. */
export async function nodeTlsHandshakesPerSecond(cert: BenchCert, count: number): Promise<number> {
  const server = tls.createServer({ key: cert.key, cert: cert.cert, minVersion: 'TLSv1.3', ecdhCurve: 'X25519' },
    (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: cert.cert, servername: 'localhost', minVersion: 'TLSv1.3',
      session: undefined });
    await once(socket, 'secureConnect');
    socket.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  server.close();
  return count / seconds;
}

/**
 * Sends `bytes` from a node:tls client to a node:tls server over loopback; returns MB/s (10^6 bytes). `ciphersuites`
 * (OpenSSL TLS 1.3 suite names) pins the suite on both sides; by default node:tls negotiates TLS_AES_256_GCM_SHA384.
 */
export async function nodeTlsThroughput(cert: BenchCert, bytes: number, ciphersuites?: string): Promise<number> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = tls.createServer({ key: cert.key, cert: cert.cert, minVersion: 'TLSv1.3', ciphers: ciphersuites }, (s) => {
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= bytes) done();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const socket = tls.connect({ host: '127.0.0.1', port, ca: cert.cert, servername: 'localhost', ciphers: ciphersuites });
  await once(socket, 'secureConnect');
  const mbps = await sendBulk(socket, bytes, finished);
  socket.destroy();
  server.close();
  return mbps;
}

/**
 * Writes `bytes` to `socket` in 64 KiB chunks, honouring backpressure, and waits for `received` (the receiver saw
 * them all); returns MB/s (10^6 bytes) over that time. Shared by the throughput benchmarks of every TLS stack.
 */
export async function sendBulk(socket: Writable, bytes: number, received: Promise<void>): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const start = performance.now();
  let sent = 0;
  while (sent < bytes) {
    const n = Math.min(chunk.length, bytes - sent);
    sent += n;
    if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await once(socket, 'drain');
  }
  await received;
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}
