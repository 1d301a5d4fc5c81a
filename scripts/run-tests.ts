/**
 * Test runner: finds every uvu test file (packages/<pkg>/test/**\/*.test.ts and test/**\/*.test.ts), runs them in one
 * process through uvu's runner and ends with a plain "N passed, N failed" line.
 * Usage: run-tests.ts [path-substring ...] — only files whose path contains one of the substrings.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { run } from 'uvu/run';

const root = resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function walk(dir: string, out: string[]): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names.sort()) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
}

const files: string[] = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) walk(join(root, 'packages', pkg, 'test'), files);
walk(join(root, 'test'), files);
const selected = files.filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)));
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// uvu prints its own totals; read them back so the run ends with one plain summary line.
let printed = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  if (printed.length > 1 << 16) printed = printed.slice(-(1 << 15));
  return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

const limitMs = Number(process.env.QUICHS_TEST_TIMEOUT_MS ?? 45 * 60 * 1000);
const guard = setTimeout(() => {
  console.error(`test run exceeded ${limitMs} ms; aborting`);
  process.exit(1);
}, limitMs);
guard.unref();

await run(selected.map((file) => ({ name: relative(root, file), file })), { bail: false });
process.stdout.write = write;
const strip = printed.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(strip)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(strip)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(strip)?.[1] ?? 0);
const failed = total - passed - skipped;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (failed > 0 || skipped > 0 || total === 0) process.exitCode = 1;
// Real-peer tests may leave handles (child processes are killed by their tests); do not wait on stragglers.
setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
