/**
 * tls-socket benchmark (not a test): bulk throughput of one TLS 1.3 connection over loopback TCP, client and server in
 * this process — @quichs/tls-socket at both ends vs node:tls at both ends (bench/baselines/nodeTls.ts, with the suite
 * pinned on both sides: node:tls would otherwise pick AES-256-GCM), measured in the same run, plus the two
 * mixed pairs. Prints MB/s (10^6 bytes) and our share of node:tls (target >= 50%).
 * Run: node --conditions=source --import tsx bench/tls-socket-throughput.ts [megabytes=200] [suite=TLS_AES_128_GCM_SHA256]
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { connect, createServer } from '@quichs/tls-socket';
import { makeBenchCert, type BenchCert } from './baselines/certs.js';
import { nodeTlsThroughput, sendBulk } from './baselines/nodeTls.js';

const megabytes = Number(process.argv[2] ?? 200);
const suite = process.argv[3] ?? 'TLS_AES_128_GCM_SHA256';
const bytes = megabytes * 1e6;
const cert = makeBenchCert('p256');

type Side = 'ours' | 'node';

/** A server of either kind that counts bytes; resolves `finished` once `bytes` arrived. */
async function startServer(kind: Side, c: BenchCert, onData: (n: number) => void): Promise<{ port: number; close: () => void }> {
  const sink = (s: Duplex): void => {
    s.on('data', (d: Buffer) => onData(d.length));
    s.on('error', () => undefined);
  };
  const server = kind === 'node'
    ? tls.createServer({ key: c.key, cert: c.cert, minVersion: 'TLSv1.3', ciphers: suite }, sink)
    : createServer({ key: c.key, cert: c.cert, ciphers: [suite] }, sink);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

async function connectClient(kind: Side, c: BenchCert, port: number): Promise<Duplex> {
  if (kind === 'node') {
    const s = tls.connect({ host: '127.0.0.1', port, ca: c.cert, servername: 'localhost', minVersion: 'TLSv1.3', ciphers: suite });
    await once(s, 'secureConnect');
    return s;
  }
  const s = connect({ host: '127.0.0.1', port, ca: c.cert, servername: 'localhost', ciphers: [suite] });
  await s.secure;
  return s;
}

/** Sends `bytes` from a `client`-kind client to a `server`-kind server; returns MB/s. */
async function throughput(client: Side, server: Side): Promise<number> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const srv = await startServer(server, cert, (n) => {
    received += n;
    if (received >= bytes) done();
  });
  const socket = await connectClient(client, cert, srv.port);
  const mbps = await sendBulk(socket, bytes, finished);
  socket.destroy();
  srv.close();
  return mbps;
}

const fmt = (x: number): string => x.toFixed(1).padStart(8);
console.log(`tls-socket bulk throughput, one connection over loopback, ${megabytes} MB, ${suite}`);
// Alternate the runs so both sides see the same machine load (2 shared cores); report the best of each.
const node: number[] = [];
const ours: number[] = [];
for (let round = 0; round < 2; round++) {
  node.push(await nodeTlsThroughput(cert, bytes, suite));
  ours.push(await throughput('ours', 'ours'));
}
const bestNode = Math.max(...node);
const bestOurs = Math.max(...ours);
const oursToNode = await throughput('ours', 'node');
const nodeToOurs = await throughput('node', 'ours');
console.log(`  node:tls  -> node:tls   ${fmt(bestNode)} MB/s   (runs ${node.map((x) => x.toFixed(1)).join(', ')})`);
console.log(`  ours      -> ours       ${fmt(bestOurs)} MB/s   (runs ${ours.map((x) => x.toFixed(1)).join(', ')})`);
console.log(`  ours      -> node:tls   ${fmt(oursToNode)} MB/s   (our client encrypts)`);
console.log(`  node:tls  -> ours       ${fmt(nodeToOurs)} MB/s   (our server decrypts)`);
console.log(`  ratio ours/node:tls     ${(bestOurs / bestNode * 100).toFixed(0).padStart(8)} %    (target >= 50 %)`);
