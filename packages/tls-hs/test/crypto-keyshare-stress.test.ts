/**
 * Regression: node's X25519 key shares must not deadlock. Exporting the public half of a key fresh from
 * generateKeyPairSync (createPublicKey(privateKey).export({ format: 'jwk' })) could hang the process for good on
 * Node 20: the export holds the key's mutex while it allocates the JWK strings, a garbage collection run by that
 * allocation destroys the finished key-generation job, and the job's destructor takes the same (non-recursive) mutex.
 * A tight loop hit it within ~1 000–45 000 shares, and with a 1 MiB young generation usually within 20 000. Each run
 * is a child process killed at a deadline, so a hang is a failure naming the group rather than a stalled test run.
 */
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const s = suite('crypto key share stress');

const DEADLINE_MS = 90_000;

function runChild(group: string, count: number): Promise<{ code: number | null; out: string; hung: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      // a 1 MiB young generation makes scavenges frequent, so one lands inside an export far sooner
      ['--max-semi-space-size=1', '--conditions=source', '--import', 'tsx', new URL('./crypto-keyshare-stress-child.ts', import.meta.url).pathname, group, String(count)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    let hung = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, hung });
    });
  });
}

s('node provider: 150 000 fresh x25519 shares finish without a deadlock', async () => {
  const r = await runChild('x25519', 150_000);
  assert.not.ok(r.hung, `the x25519 share loop hung (killed after ${DEADLINE_MS} ms)`);
  assert.is(r.code, 0);
  assert.match(r.out, /^ok 150000 /);
});

s.run();
