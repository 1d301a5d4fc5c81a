/**
 * `pnpm interop` — the interop matrix without Docker: quichs against ngtcp2 and quic-go, both roles, every case.
 *
 *   pnpm interop [--peer ngtcp2,quic-go] [--case handshake,transfer] [--role client,server]
 *                [--pair CLIENT:SERVER ...] [--ci] [--json FILE] [--readme] [--keep-logs] [--seed N]
 *                [--timeout-scale X] [--list]
 *
 * --role client = our client × the peer's server; --role server = the peer's client × our server. --pair runs the
 * given client:server pairs instead of the matrix (e.g. --pair quic-go:ngtcp2 to check the judges with two peers).
 * --ci runs the CI set (cases marked ci). Exit status 1 if any test failed (unsupported is not a failure).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_CASES, type TestCase } from './cases.js';
import { DEFAULT_PEERS, IMPLEMENTATIONS, ROOT, type Implementation } from './peers.js';
import { makeInteropPki } from './pki.js';
import { markdownTable, updateReadme, writeJson } from './report.js';
import { runCase, type CaseResult } from './runCase.js';

const { values } = parseArgs({
  options: {
    peer: { type: 'string' },
    case: { type: 'string' },
    role: { type: 'string' },
    pair: { type: 'string', multiple: true },
    ci: { type: 'boolean' },
    json: { type: 'string' },
    readme: { type: 'boolean' },
    'keep-logs': { type: 'boolean' },
    seed: { type: 'string' },
    'timeout-scale': { type: 'string' },
    list: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function impl(name: string): Implementation {
  const i = IMPLEMENTATIONS.get(name);
  if (!i) throw new Error(`unknown implementation "${name}" (known: ${[...IMPLEMENTATIONS.keys()].join(', ')})`);
  return i;
}

async function main(): Promise<number> {
  if (values.help) {
    console.log(
      'usage: pnpm interop [--peer P,..] [--case C,..] [--role client,server] [--pair CLIENT:SERVER]... [--ci] [--json FILE] [--readme] [--keep-logs] [--seed N] [--timeout-scale X] [--list]',
    );
    return 0;
  }
  if (values.list) {
    for (const c of TEST_CASES) console.log(`${c.name.padEnd(20)} ${c.ci ? 'ci ' : '   '}${c.description}`);
    return 0;
  }
  const caseNames = list(values.case);
  let cases: TestCase[] = caseNames ? caseNames.map((n) => {
    const c = TEST_CASES.find((t) => t.name === n);
    if (!c) throw new Error(`unknown case "${n}" (see --list)`);
    return c;
  }) : [...TEST_CASES];
  if (values.ci) cases = cases.filter((c) => c.ci);
  const pairs: [Implementation, Implementation][] = [];
  if (values.pair && values.pair.length > 0) {
    for (const p of values.pair) {
      const [c, s] = p.split(':');
      if (!c || !s) throw new Error(`--pair wants CLIENT:SERVER, got "${p}"`);
      pairs.push([impl(c), impl(s)]);
    }
  } else {
    const peers = (list(values.peer) ?? [...DEFAULT_PEERS]).map(impl);
    const roles = list(values.role) ?? ['client', 'server'];
    for (const r of roles) if (r !== 'client' && r !== 'server') throw new Error(`--role takes client and/or server, got "${r}"`);
    const us = impl('quichs');
    for (const peer of peers) {
      if (roles.includes('client')) pairs.push([us, peer]);
      if (roles.includes('server') && peer !== us) pairs.push([peer, us]);
    }
  }
  const prepared = new Map<string, string | undefined>();
  for (const [c, s] of pairs) {
    for (const i of [c, s]) {
      if (prepared.has(i.name)) continue;
      try {
        i.prepare();
        prepared.set(i.name, undefined);
      } catch (e) {
        prepared.set(i.name, e instanceof Error ? e.message : String(e));
      }
    }
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logsRoot = join(ROOT, 'interop', 'logs', stamp);
  mkdirSync(logsRoot, { recursive: true });
  const certs = makeInteropPki(join(logsRoot, 'certs'));
  const results: CaseResult[] = [];
  const total = pairs.length * cases.length;
  let n = 0;
  for (const [client, server] of pairs) {
    for (const tc of cases) {
      n++;
      const broken = prepared.get(client.name) ?? prepared.get(server.name);
      let r: CaseResult;
      if (broken !== undefined) {
        r = { client: client.name, server: server.name, case: tc.name, result: 'fail', ms: 0, reason: `cannot prepare: ${broken}` };
      } else {
        r = await runCase(client, server, tc, {
          certs,
          logsRoot,
          keepLogs: values['keep-logs'],
          seed: values.seed === undefined ? 1 : Number(values.seed),
          timeoutScale: values['timeout-scale'] === undefined ? 1 : Number(values['timeout-scale']),
        });
      }
      results.push(r);
      const mark = r.result === 'pass' ? '✔' : r.result === 'fail' ? '✘' : '–';
      console.log(`[${n}/${total}] ${mark} ${client.name} → ${server.name} ${tc.name} (${(r.ms / 1000).toFixed(1)}s)${r.reason ? `: ${r.reason}` : ''}${r.logDir ? `\n        logs: ${r.logDir}` : ''}`);
    }
  }
  console.log(`\n${markdownTable(results)}\n`);
  if (values.json) writeJson(values.json, results);
  if (values.readme) {
    const note = `Last run: ${new Date().toISOString().slice(0, 10)}, \`pnpm interop${process.argv.slice(2).filter((a) => a !== '--readme').map((a) => ` ${a}`).join('')}\` on loopback (ngtcp2 0.12.1, quic-go 0.29, Node ${process.version}).`;
    updateReadme(join(ROOT, 'README.md'), results, note);
  }
  console.log(`logs: ${logsRoot}`);
  return results.some((r) => r.result === 'fail') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(2);
  },
);
