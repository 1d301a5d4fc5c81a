/**
 * Fuzz: ≥ 100 000 mutated ClientHello / ServerHello / HelloRetryRequest / server-flight (EncryptedExtensions,
 * CertificateRequest, Certificate with real X.509, CertificateVerify, Finished) / client-flight messages fed to the
 * engine in the role that receives them, with a fixed seed. Every iteration must end in success or a TlsAlert — no
 * other exception, and no internal_error (the alert handshake() wraps unexpected exceptions in) — and the whole
 * batch must finish before a deadline (the loop runs in a worker thread, which is terminated and reported as a hang
 * otherwise). The executed count is asserted, not assumed.
 */
import { Worker } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FuzzJob, FuzzReport } from './engine-fuzz-worker.js';

const s = suite('engine fuzz');

const SEED = 0x7e57_5eed;
const ITERATIONS = { clientHello: 40_000, serverHello: 32_000, serverFlight: 18_000, clientFlight: 12_000 } as const;
const DEADLINE_MS = 240_000;

function runWorker(job: FuzzJob): Promise<FuzzReport> {
  return new Promise((resolve, reject) => {
    // a worker does not inherit the TypeScript loader: register tsx in it, then load the fuzz loop
    const entry = new URL('./engine-fuzz-worker.ts', import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry)});`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: job });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`fuzz batch did not finish within ${DEADLINE_MS} ms (hang)`));
    }, DEADLINE_MS);
    worker.once('message', (r: FuzzReport) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

s('≥100k mutated handshake messages into both roles: only TlsAlert, no hang', async () => {
  const r = await runWorker({ seed: SEED, iterations: ITERATIONS });
  const total = Object.values(r.executed).reduce((a, b) => a + b, 0);
  const summary = Object.entries(r.executed)
    .map(([t, n]) => `${t} ${n} (${r.alerts[t as keyof typeof r.alerts]} alerts, ${r.accepted[t as keyof typeof r.accepted]} accepted, ${(r.msPerTarget[t as keyof typeof r.msPerTarget] / 1000).toFixed(1)} s)`)
    .join('; ');
  const names = Object.entries(r.alertNames).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`  fuzz: ${total} iterations in ${(r.elapsedMs / 1000).toFixed(1)} s, slowest ${r.slowestMs.toFixed(1)} ms — ${summary}\n  alerts: ${names}`);
  for (const f of r.failures.slice(0, 3)) console.log(`  FAILURE ${f.target} #${f.iteration}: ${f.error}\n  input ${f.input}`);
  assert.equal(r.failures.length, 0, 'non-TlsAlert exceptions escaped');
  assert.ok(total >= 100_000, `only ${total} iterations`);
  assert.equal(r.executed, { ...ITERATIONS });
  for (const t of Object.keys(ITERATIONS) as (keyof typeof ITERATIONS)[]) {
    // both outcomes happen for every target: the mutations reach past the first parser and get refused too
    assert.ok(r.alerts[t] > ITERATIONS[t] * 0.3, `${t}: ${r.alerts[t]} alerts`);
    assert.ok(r.accepted[t] > 0, `${t}: nothing accepted`);
  }
  assert.ok(r.slowestMs < 1000, `an iteration took ${r.slowestMs} ms`);
});

s.run();
