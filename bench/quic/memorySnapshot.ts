/**
 * The memory benchmark at a smaller scale, with heap snapshots (a tool, not a test): a server process and a client
 * process (bench/quic/peerProcess.ts), N idle connections between them, then per-connection heap + ArrayBuffer
 * bytes of each process and, with --snap DIR, a heap snapshot of each (DIR/server.heapsnapshot,
 * DIR/client.heapsnapshot) for bench/quic/heapSnapshotSummary.ts.
 * Run: node --conditions=source --import tsx bench/quic/memorySnapshot.ts [--connections 1000] [--snap /tmp/snaps]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { makeBenchCert } from '../baselines/certs.js';

const { values } = parseArgs({ options: { connections: { type: 'string' }, snap: { type: 'string' } } });
const count = Number(values.connections ?? 1000);
const cert = makeBenchCert('p256');

function peer(args: string[]): { child: ChildProcess; next: (prefix: string) => Promise<string> } {
  const child = spawn(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', join(import.meta.dirname, 'peerProcess.ts'), ...args,
    '--cert', cert.certFile, '--key', cert.keyFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.startsWith('ERROR')) console.error(l);
    lines.push(l);
    wake?.();
  });
  const next = async (prefix: string): Promise<string> => {
    for (;;) {
      const i = lines.findIndex((l) => l.startsWith(prefix));
      if (i >= 0) return lines.splice(i, 1)[0];
      await new Promise<void>((r) => (wake = r));
    }
  };
  return { child, next };
}

const ask = async (p: ReturnType<typeof peer>, cmd: string, prefix: string): Promise<number[]> => {
  p.child.stdin!.write(`${cmd}\n`);
  return (await p.next(prefix)).split(' ').slice(1).map(Number);
};

const server = peer(['server']);
const port = Number((await server.next('PORT')).split(' ')[1]);
const clients = peer(['clients', String(port), String(count), '16']);
const [s0h, s0b] = await ask(server, 'mem', 'MEM');
const [c0h, c0b] = await ask(clients, 'mem', 'MEM');
const t0 = performance.now();
await clients.next('READY');
console.log(`opened ${count} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
await new Promise((r) => setTimeout(r, 2000));
const [s1h, s1b, sn] = await ask(server, 'mem', 'MEM');
const [c1h, c1b, cn] = await ask(clients, 'mem', 'MEM');
const kb = (a: number, b: number, n: number): string => ((b - a) / n / 1024).toFixed(2);
console.log(`server (${sn}): heap ${kb(s0h, s1h, sn)} KB + buffers ${kb(s0b, s1b, sn)} KB = ${kb(s0h + s0b, s1h + s1b, sn)} KB per connection`);
console.log(`client (${cn}): heap ${kb(c0h, c1h, cn)} KB + buffers ${kb(c0b, c1b, cn)} KB = ${kb(c0h + c0b, c1h + c1b, cn)} KB per connection`);
if (values.snap) {
  mkdirSync(values.snap, { recursive: true });
  for (const [p, name] of [[server, 'server'], [clients, 'client']] as const) {
    p.child.stdin!.write(`snap ${join(values.snap, `${name}.heapsnapshot`)}\n`);
    console.log(await p.next('SNAP'));
  }
}
clients.child.stdin!.end();
server.child.stdin!.end();
