/**
 * A bench peer in its own process (its own event loop and core), driven over stdin/stdout lines by
 * bench/quic-transport.ts:
 * - `server`: a download server (download.ts) on 127.0.0.1, port printed as "PORT <n>".
 * - `clients <port> <count> <concurrency>`: opens `count` connections to a server and keeps them idle, printing
 *   "OPEN <n>" as they complete and "READY" at the end.
 * Commands: "cpu" → "CPU <user µs> <system µs>"; "mem" → (after two full GCs) "MEM <heapUsed> <arrayBuffers>
 * <connections>"; "snap <file>" → (after two full GCs) a V8 heap snapshot written to <file>, then "SNAP <file>";
 * end of stdin → close everything and exit.
 * Run by the bench as: node --expose-gc --conditions=source --import tsx bench/quic/peerProcess.ts MODE [args] --cert F --key F
 */
import { readFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Endpoint, type QuicConnection } from '@quichs/quic-transport';
import { benchConnectionOptions, serveDownloads } from './download.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cert: { type: 'string' },
    key: { type: 'string' },
    cc: { type: 'string' },
    datagram: { type: 'string' },
    idle: { type: 'string' },
  },
});
const mode = positionals[0];
const cert = readFileSync(values.cert!, 'utf8');
const congestionControl = values.cc === 'cubic' ? 'cubic' : 'newreno';
const datagram = values.datagram === undefined ? undefined : Number(values.datagram);
const idle = Number(values.idle ?? 600_000);
const common = {
  congestionControl,
  transportParameters: { maxIdleTimeout: idle },
  connection: datagram === undefined ? undefined : { maxDatagramSize: datagram },
} as const;
const gc = (globalThis as { gc?: () => void }).gc;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

const endpoint = await Endpoint.open({});
const held: QuicConnection[] = [];
if (mode === 'server') {
  serveDownloads(endpoint, { ...common, tls: { cert, key: readFileSync(values.key!, 'utf8') }, maxConnections: 100_000 } as never);
  say(`PORT ${endpoint.address().port}`);
} else if (mode === 'clients') {
  const [port, count, concurrency] = positionals.slice(1).map(Number);
  void (async () => {
    let next = 0;
    let open = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++;
        const conn = endpoint.connect('127.0.0.1', port, benchConnectionOptions({ ...common, tls: { ca: cert, servername: 'localhost' } }));
        await conn.ready;
        held.push(conn);
        if (++open % 1000 === 0) say(`OPEN ${open}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    say('READY');
  })().catch((e: Error) => say(`ERROR ${e.message}`));
} else {
  throw new Error(`unknown mode ${mode}`);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') {
    const u = process.cpuUsage();
    say(`CPU ${u.user} ${u.system}`);
  } else if (line === 'mem') {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    say(`MEM ${m.heapUsed} ${m.arrayBuffers} ${endpoint.connections.length}`);
  } else if (line.startsWith('snap ')) {
    gc?.();
    gc?.();
    say(`SNAP ${writeHeapSnapshot(line.slice(5))}`);
  }
}).on('close', () => {
  void endpoint.close().then(() => process.exit(0));
});
