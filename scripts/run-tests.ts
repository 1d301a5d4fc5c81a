/**
 * Test runner: finds every uvu test file (packages/<pkg>/test/**\/*.test.ts and test/**\/*.test.ts) and runs each in
 * its own child process (`node --conditions=source --import tsx`, same flags as this process) with a deadline, so one
 * hanging file is killed — with any peer processes it started — and reported as a failure naming it, instead of
 * stalling the run. Ends with the slowest files and one plain "N passed, N failed" line.
 *
 * Usage: run-tests.ts [path-substring ...] — only files whose path contains one of the substrings.
 * Environment:
 *   QUICHS_TEST_FILE_TIMEOUT_MS  deadline per file (default 180000)
 *   QUICHS_TEST_TIMEOUT_MS       deadline for the whole run (default 45 min)
 *   QUICHS_TEST_JOBS             files run at once (default 1; output is printed per file, never interleaved)
 * Coverage: c8 sets NODE_V8_COVERAGE, which the children inherit, so `c8 node … run-tests.ts` covers every file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from 'uvu/run';

const root = resolve(import.meta.dirname, '..');
const CHILD_FLAG = '--one-file';

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
}

function positiveNumber(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

interface FileResult {
  readonly file: string;
  readonly ms: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Why the file failed as a whole (timeout, crash, no tests), if it did. */
  readonly problem?: string;
}

/** Reads uvu's totals from a file's output; undefined if it never printed them (crash or kill). */
function totals(output: string): { total: number; passed: number; skipped: number } | undefined {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const total = /Total:\s+(\d+)/.exec(plain);
  const passed = /Passed:\s+(\d+)/.exec(plain);
  if (total === null || passed === null) return undefined;
  return { total: Number(total[1]), passed: Number(passed[1]), skipped: Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0) };
}

const running = new Set<ChildProcess>();

/** Kills a child and everything it started (it leads its own process group). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function runFile(file: string, timeoutMs: number): Promise<FileResult> {
  const name = relative(root, file);
  const start = performance.now();
  return new Promise((resolveResult) => {
    const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, CHILD_FLAG, file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout kills the file's peer processes too
    });
    running.add(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      // Whatever the file left behind (peer processes it forgot) goes with it.
      killGroup(child);
      const ms = performance.now() - start;
      const t = totals(output);
      let problem: string | undefined;
      if (timedOut) problem = `timed out after ${timeoutMs} ms (killed)`;
      else if (t === undefined) problem = `exited (${signal ?? `code ${code}`}) without a test summary`;
      else if (t.total === 0) problem = 'ran no tests';
      else if (code !== 0 && t.passed + t.skipped === t.total) problem = `exited with code ${code} after passing tests`;
      const passed = t?.passed ?? 0;
      const skipped = t?.skipped ?? 0;
      const failed = t === undefined ? 1 : Math.max(t.total - t.passed - t.skipped, problem === undefined ? 0 : 1);
      process.stdout.write(`\n── ${name} (${(ms / 1000).toFixed(1)} s)\n${output}`);
      if (problem !== undefined) process.stdout.write(`\n  FAIL  ${name}: ${problem}\n`);
      resolveResult({ file: name, ms, passed, failed, skipped, problem });
    });
  });
}

async function runAll(filters: string[]): Promise<void> {
  const files: string[] = [];
  for (const pkg of readdirSync(join(root, 'packages')).sort()) walk(join(root, 'packages', pkg, 'test'), files);
  walk(join(root, 'test'), files);
  const selected = files.filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)));
  if (selected.length === 0) {
    console.error('no test files matched');
    process.exit(1);
  }
  const fileTimeout = positiveNumber('QUICHS_TEST_FILE_TIMEOUT_MS', 180_000);
  const runTimeout = positiveNumber('QUICHS_TEST_TIMEOUT_MS', 45 * 60 * 1000);
  const jobs = Math.max(1, Math.floor(positiveNumber('QUICHS_TEST_JOBS', 1)));

  const stopAll = (why: string, code: number): never => {
    for (const c of running) killGroup(c);
    console.error(why);
    process.exit(code);
  };
  const guard = setTimeout(() => stopAll(`test run exceeded ${runTimeout} ms; aborting`, 1), runTimeout);
  guard.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stopAll(`test run interrupted (${sig})`, 130));

  const started = performance.now();
  const results: FileResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < selected.length) results.push(await runFile(selected[next++], fileTimeout));
  };
  await Promise.all(Array.from({ length: Math.min(jobs, selected.length) }, worker));
  clearTimeout(guard);

  const sum = (k: 'passed' | 'failed' | 'skipped'): number => results.reduce((n, r) => n + r[k], 0);
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 10);
  console.log(`\n${results.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s; slowest:`);
  for (const r of slowest) console.log(`  ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.file}`);
  const broken = results.filter((r) => r.problem !== undefined || r.failed > 0);
  if (broken.length > 0) console.log(`failing files:\n${broken.map((r) => `  ${r.file}${r.problem ? `: ${r.problem}` : ''}`).join('\n')}`);
  const passed = sum('passed');
  const failed = sum('failed');
  const skipped = sum('skipped');
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed > 0 || skipped > 0 || passed === 0 ? 1 : 0;
}

if (process.argv[2] === CHILD_FLAG) {
  // Child: run one file through uvu; uvu prints its own Total/Passed/Skipped lines, which the parent reads.
  const file = process.argv[3];
  await run([{ name: relative(root, file), file }], { bail: false });
  // Real-peer tests may leave handles (child processes are killed by their tests); do not wait on stragglers.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
} else {
  await runAll(process.argv.slice(2));
}
