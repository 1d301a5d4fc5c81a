/**
 * tls-socket benchmark (not a test): bulk throughput of one TLS 1.3 connection over loopback TCP, client and server in
 * this process — @quichs/tls-socket at both ends vs node:tls at both ends (bench/baselines/nodeTls.ts, with the suite
 * pinned on both sides: node:tls would otherwise pick AES-256-GCM), measured in the same run, plus the two
 * mixed pairs. Prints wall-clock MB/s (10^6 bytes), MB per CPU-second of the process (steadier when other processes
 * load the machine), and our share of node:tls in both (target >= 50%). ROUNDS=n sets the alternating rounds (3).
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

/** A run: wall-clock MB/s, and MB per CPU-second of this process (client + server + kernel time it was charged). */
interface Run {
  readonly mbps: number;
  readonly mbPerCpu: number;
}

/** Runs `fn` (which returns wall MB/s) and adds the CPU-time view, which other processes' load disturbs far less. */
async function measured(fn: () => Promise<number>): Promise<Run> {
  const before = process.cpuUsage();
  const mbps = await fn();
  const cpu = process.cpuUsage(before);
  return { mbps, mbPerCpu: bytes / 1e6 / ((cpu.user + cpu.system) / 1e6) };
}

const rounds = Number(process.env.ROUNDS ?? 3);
const fmt = (x: number): string => x.toFixed(1).padStart(8);
const best = (runs: Run[], k: keyof Run): number => Math.max(...runs.map((r) => r[k]));
console.log(`tls-socket bulk throughput, one connection over loopback, ${megabytes} MB, ${suite}, ${rounds} alternating rounds`);
// Alternate the runs so both stacks see the same machine load (2 shared cores); report the best of each. The CPU view
// (MB per CPU-second) is the steadier comparison when other processes compete for the cores.
const node: Run[] = [];
const ours: Run[] = [];
for (let round = 0; round < rounds; round++) {
  node.push(await measured(() => nodeTlsThroughput(cert, bytes, suite)));
  ours.push(await measured(() => throughput('ours', 'ours')));
}
const oursToNode = await measured(() => throughput('ours', 'node'));
const nodeToOurs = await measured(() => throughput('node', 'ours'));
const line = (name: string, r: { mbps: number; mbPerCpu: number }, note = '') =>
  console.log(`  ${name.padEnd(22)} ${fmt(r.mbps)} MB/s  ${fmt(r.mbPerCpu)} MB/CPU-s  ${note}`);
const runs = (rs: Run[]) => `(wall ${rs.map((x) => x.mbps.toFixed(0)).join(', ')})`;
line('node:tls -> node:tls', { mbps: best(node, 'mbps'), mbPerCpu: best(node, 'mbPerCpu') }, runs(node));
line('ours     -> ours', { mbps: best(ours, 'mbps'), mbPerCpu: best(ours, 'mbPerCpu') }, runs(ours));
line('ours     -> node:tls', oursToNode, '(our client encrypts)');
line('node:tls -> ours', nodeToOurs, '(our server decrypts)');
const pct = (a: number, b: number) => `${(a / b * 100).toFixed(0)} %`;
console.log(`  ratio ours/node:tls    wall ${pct(best(ours, 'mbps'), best(node, 'mbps'))}, CPU ${pct(best(ours, 'mbPerCpu'), best(node, 'mbPerCpu'))}   (target >= 50 %)`);
