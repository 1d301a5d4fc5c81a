/**
 * quic-transport benchmark (not a test). Prints raw numbers and ratios measured in the same run:
 * (a) a 100 MB download over loopback from our server (its own process) to our client (this process), next to
 *     ngtcp2's gtlsserver → gtlsclient (HTTP/3, Debian 0.12.1, its defaults) and raw node:dgram (1452-byte
 *     datagrams, sender and receiver in this process), in alternating rounds; MB/s = 10^6 bytes per second from
 *     connect() to the last byte (ngtcp2: process start to exit). Ours runs twice per round: with 1452-byte
 *     datagrams (what ngtcp2 sends on a 1500-byte path) and with 65 507-byte datagrams (maxDatagramSize; loopback's
 *     MTU is 64 KiB, so these are not fragmented). Target: ratio to ngtcp2 >= 1.0.
 * (b) connections per second: full handshake (X25519MLKEM768 + ECDSA P-256 certificate) + close, client here,
 *     server in its own process, a few connections in parallel; node:tls full handshakes per second (TCP, x25519,
 *     sequential, one process) beside it for scale.
 * (c) heap bytes per idle connection: 10 000 connections opened from one process to a server in another, then JS
 *     heap and ArrayBuffer memory of each process after full GCs, divided by the count. Target <= 32 KB.
 * Options: --only download,cps,memory  --bytes 100MB  --rounds 3  --cps 300  --connections 10000
 *          --datagram 1452,65507 (sizes for ours; the first also for raw dgram, cps and memory)  --cc newreno|cubic
 * Run: pnpm bench:quic-transport [options]   (check `uptime` first: other load skews wall-clock figures)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Endpoint } from '@quichs/quic-transport';
import { makeBenchCert } from './baselines/certs.js';
import { ngtcp2Throughput } from './baselines/ngtcp2.js';
import { nodeTlsHandshakesPerSecond } from './baselines/nodeTls.js';
import { rawDgramThroughput } from './baselines/rawDgram.js';
import { BENCH_DATAGRAM_SIZE, benchConnectionOptions, download } from './quic/download.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    bytes: { type: 'string' },
    rounds: { type: 'string' },
    cps: { type: 'string' },
    connections: { type: 'string' },
    datagram: { type: 'string' },
    cc: { type: 'string' },
  },
});
const only = new Set((values.only ?? 'download,cps,memory').split(','));
const bytes = Math.round(Number(values.bytes?.replace(/MB$/i, '') ?? 100) * (values.bytes?.match(/^\d+$/) ? 1 : 1e6));
const rounds = Number(values.rounds ?? 3);
const cpsCount = Number(values.cps ?? 300);
const connections = Number(values.connections ?? 10_000);
const datagrams = (values.datagram ?? `${BENCH_DATAGRAM_SIZE},65507`).split(',').map(Number);
const datagram = datagrams[0];
const cc = values.cc === 'cubic' ? 'cubic' : 'newreno';
const cert = makeBenchCert('p256');
const here = import.meta.dirname;

/** A bench peer process (bench/quic/peerProcess.ts) with a line protocol. */
class Peer {
  private readonly lines: string[] = [];
  private readonly waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  readonly child: ChildProcess;

  constructor(args: string[], size = datagram) {
    this.child = spawn(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', join(here, 'quic/peerProcess.ts'), ...args,
      '--cert', cert.certFile, '--key', cert.keyFile, '--datagram', String(size), '--cc', cc], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.startsWith('ERROR')) process.stderr.write(`peer: ${line}\n`);
      const w = this.waiters.findIndex((x) => x.test(line));
      if (w >= 0) this.waiters.splice(w, 1)[0].resolve(line);
      else this.lines.push(line);
    });
  }

  /** The next line starting with `prefix` (waits up to `ms`). */
  wait(prefix: string, ms = 120_000): Promise<string> {
    const i = this.lines.findIndex((l) => l.startsWith(prefix));
    if (i >= 0) return Promise.resolve(this.lines.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`bench peer: no "${prefix}" within ${ms} ms`)), ms);
      this.waiters.push({ test: (l) => l.startsWith(prefix), resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  }

  async ask(command: string, prefix: string): Promise<number[]> {
    this.child.stdin!.write(`${command}\n`);
    return (await this.wait(prefix)).split(' ').slice(1).map(Number);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.child.once('exit', () => (clearTimeout(t), resolve()));
      this.child.stdin!.end();
    });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (x: number): string => x.toFixed(1);
const cpuSeconds = (u: { user: number; system: number }): number => (u.user + u.system) / 1e6;

async function withServer<T>(size: number, fn: (port: number, server: Peer) => Promise<T>): Promise<T> {
  const server = new Peer(['server'], size);
  try {
    const port = Number((await server.wait('PORT', 60_000)).split(' ')[1]);
    return await fn(port, server);
  } finally {
    await server.stop();
  }
}

/** One download of `bytes` from a fresh server process; MB/s from connect() to the last byte, plus CPU figures. */
async function oursOnce(size: number): Promise<{ mbps: number; transferMbps: number; clientCpu: number; serverCpu: number; lost: number }> {
  return withServer(size, async (port, server) => {
    const client = await Endpoint.open({});
    try {
      const cpu0 = process.cpuUsage();
      const [su0, ss0] = await server.ask('cpu', 'CPU');
      const start = performance.now();
      const conn = client.connect('127.0.0.1', port, benchConnectionOptions({ congestionControl: cc, tls: { ca: cert.cert, servername: 'localhost' }, connection: { maxDatagramSize: size } }));
      await conn.ready;
      const t1 = performance.now();
      await download(conn, bytes);
      const end = performance.now();
      const [su1, ss1] = await server.ask('cpu', 'CPU');
      const cpu = process.cpuUsage(cpu0);
      const lost = conn.stats().packetsLost ?? 0;
      await conn.close();
      return {
        mbps: bytes / 1e6 / ((end - start) / 1000),
        transferMbps: bytes / 1e6 / ((end - t1) / 1000),
        clientCpu: cpuSeconds(cpu),
        serverCpu: (su1 - su0 + ss1 - ss0) / 1e6,
        lost,
      };
    } finally {
      await client.close();
    }
  });
}

async function downloadBench(): Promise<void> {
  console.log(`(a) ${bytes / 1e6} MB download over loopback, ${rounds} alternating rounds (${cc}; raw dgram with ${datagram}-byte datagrams)`);
  const ours = datagrams.map(() => [] as number[]);
  const ng: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    const mine: number[] = [];
    for (let i = 0; i < datagrams.length; i++) {
      const o = await oursOnce(datagrams[i]);
      ours[i].push(o.mbps);
      mine.push(o.mbps);
      line.push(`ours@${datagrams[i]} ${f1(o.mbps)} MB/s (after the handshake ${f1(o.transferMbps)}; CPU s client ${o.clientCpu.toFixed(2)} server ${o.serverCpu.toFixed(2)}; ${o.lost} lost)`);
    }
    const n = await ngtcp2Throughput(cert, bytes);
    ng.push(n);
    const d = await rawDgramThroughput(bytes, datagram);
    raw.push(d);
    console.log(`  round ${r + 1}: ${line.join(' | ')} | ngtcp2 ${f1(n)} MB/s | raw dgram ${f1(d)} MB/s`);
    console.log(`           ratios to ngtcp2: ${datagrams.map((g, i) => `ours@${g} ${(mine[i] / n).toFixed(2)}`).join(', ')}; ` +
      `to raw dgram: ${datagrams.map((g, i) => `ours@${g} ${(mine[i] / d).toFixed(2)}`).join(', ')}`);
  }
  const mn = median(ng);
  const mr = median(raw);
  const parts = datagrams.map((g, i) => {
    const m = median(ours[i]);
    return `ours@${g} ${f1(m)} MB/s → /ngtcp2 ${(m / mn).toFixed(2)}, /raw ${(m / mr).toFixed(2)}`;
  });
  console.log(`  medians: ngtcp2 ${f1(mn)} MB/s, raw dgram ${f1(mr)} MB/s (ngtcp2/raw ${(mn / mr).toFixed(2)}); ${parts.join('; ')} (target /ngtcp2 >= 1.0)`);
}

async function cpsBench(): Promise<void> {
  const parallel = 4;
  console.log(`(b) connections per second: ${cpsCount} full handshakes + close, ${parallel} at a time, server in its own process`);
  const result = await withServer(datagram, async (port, server) => {
    const client = await Endpoint.open({});
    try {
      const options = benchConnectionOptions({ congestionControl: cc, tls: { ca: cert.cert, servername: 'localhost' }, connection: { maxDatagramSize: datagram } });
      const warm = client.connect('127.0.0.1', port, options);
      await warm.ready;
      await warm.close();
      const cpu0 = process.cpuUsage();
      const [su0, ss0] = await server.ask('cpu', 'CPU');
      let next = 0;
      const start = performance.now();
      const worker = async (): Promise<void> => {
        while (next < cpsCount) {
          next++;
          const conn = client.connect('127.0.0.1', port, options);
          await conn.ready;
          await conn.close();
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
      const seconds = (performance.now() - start) / 1000;
      const [su1, ss1] = await server.ask('cpu', 'CPU');
      return { cps: cpsCount / seconds, clientCpu: cpuSeconds(process.cpuUsage(cpu0)), serverCpu: (su1 - su0 + ss1 - ss0) / 1e6 };
    } finally {
      await client.close();
    }
  });
  const nodeTls = await nodeTlsHandshakesPerSecond(cert, cpsCount);
  console.log(`  ours ${f1(result.cps)} connections/s (CPU per connection: client ${((result.clientCpu / cpsCount) * 1000).toFixed(2)} ms, ` +
    `server ${((result.serverCpu / cpsCount) * 1000).toFixed(2)} ms) | node:tls (TCP, x25519, sequential) ${f1(nodeTls)} handshakes/s → ratio ${(result.cps / nodeTls).toFixed(2)}`);
}

async function memoryBench(): Promise<void> {
  console.log(`(c) memory per idle connection: ${connections} connections, client and server in separate processes`);
  await withServer(datagram, async (port, server) => {
    const [sHeap0, sBuf0] = await server.ask('mem', 'MEM');
    const clients = new Peer(['clients', String(port), String(connections), '16']);
    try {
      const [cHeap0, cBuf0] = await clients.ask('mem', 'MEM');
      const start = performance.now();
      await clients.wait('READY', 30 * 60_000);
      const openSeconds = (performance.now() - start) / 1000;
      await new Promise((r) => setTimeout(r, 2000)); // let the last handshakes settle (HANDSHAKE_DONE, tickets, ACKs)
      const [sHeap1, sBuf1, sCount] = await server.ask('mem', 'MEM');
      const [cHeap1, cBuf1, cCount] = await clients.ask('mem', 'MEM');
      const per = (a: number, b: number, n: number): string => `${((b - a) / n / 1024).toFixed(1)} KB`;
      console.log(`  opened ${connections} in ${openSeconds.toFixed(1)} s (${f1(connections / openSeconds)}/s); server holds ${sCount}, client holds ${cCount}`);
      console.log(`  server: JS heap ${per(sHeap0, sHeap1, sCount)} + ArrayBuffers ${per(sBuf0, sBuf1, sCount)} per connection ` +
        `(heap ${(sHeap0 / 1e6).toFixed(1)} → ${(sHeap1 / 1e6).toFixed(1)} MB)`);
      console.log(`  client: JS heap ${per(cHeap0, cHeap1, cCount)} + ArrayBuffers ${per(cBuf0, cBuf1, cCount)} per connection ` +
        `(heap ${(cHeap0 / 1e6).toFixed(1)} → ${(cHeap1 / 1e6).toFixed(1)} MB); target <= 32 KB`);
    } finally {
      await clients.stop();
    }
  });
}

console.log(`quic-transport benchmark — load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores; other load skews wall-clock figures)`);
if (only.has('download')) await downloadBench();
if (only.has('cps')) await cpsBench();
if (only.has('memory')) await memoryBench();
