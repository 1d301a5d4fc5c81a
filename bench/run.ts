/**
 * Runs every quichs benchmark in turn, each in its own Node process so one's heap and JIT state do not skew the
 * next: quic-crypto (packet protection), tls-handshake (engine handshakes/s vs node:tls), tls-socket-throughput (bulk
 * TLS over TCP vs node:tls) and quic-transport (100 MB download vs ngtcp2 and raw dgram, connections/s, memory per
 * idle connection). Each prints its own raw numbers and ratios. `pnpm bench [name…]` runs only the named ones.
 * Benchmarks are not tests: they assert nothing and fail only if a benchmark process itself fails.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const BENCHMARKS = ['quic-crypto', 'tls-handshake', 'tls-socket-throughput', 'quic-transport'] as const;
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(BENCHMARKS as readonly string[]).includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? BENCHMARKS.filter((b) => wanted.includes(b)) : BENCHMARKS;
const failed: string[] = [];
for (const name of selected) {
  console.log(`\n=== bench/${name}.ts (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}) ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', join(import.meta.dirname, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed.push(`${name} (${r.signal ?? `exit ${r.status}`})`);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks that failed: ${failed.join(', ')}`);
  process.exit(1);
}
