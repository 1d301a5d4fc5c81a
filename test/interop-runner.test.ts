/**
 * The interop runner itself: its pieces (seeded loss, key log, pcap, file comparison, report) and a few real runs
 * through interop/runner — our endpoint against quic-go and ngtcp2 in both roles on fast cases — plus negative
 * controls: a trace judged by the wrong case must fail with the right reason, so a pass means the evidence was there.
 * Every run is bounded by the case deadline; the runner kills every endpoint process group it started.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCase, type TestCase } from '../interop/runner/cases.js';
import { parseKeyLog } from '../interop/runner/keyLog.js';
import { pcapOf } from '../interop/runner/pcap.js';
import { IMPLEMENTATIONS, type Implementation } from '../interop/runner/peers.js';
import { makeInteropPki } from '../interop/runner/pki.js';
import { seededRandom, type RelayedDatagram } from '../interop/runner/relay.js';
import { markdownTable, toJson } from '../interop/runner/report.js';
import { compareFiles, runCase, type CaseResult } from '../interop/runner/runCase.js';

const s = suite('interop-runner');

const work = mkdtempSync(join(tmpdir(), 'quichs-runner-test-'));
let certs: string | undefined;

function impl(name: string): Implementation {
  const i = IMPLEMENTATIONS.get(name);
  if (!i) throw new Error(name);
  return i;
}

function mustCase(name: string): TestCase {
  const c = testCase(name);
  if (!c) throw new Error(name);
  return c;
}

async function run(client: string, server: string, tc: TestCase): Promise<CaseResult> {
  certs ??= makeInteropPki(join(work, 'certs'));
  return await runCase(impl(client), impl(server), tc, { certs, logsRoot: join(work, 'logs') });
}

s('seeded loss: the same seed gives the same drop decisions, another seed others', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const c = seededRandom(8);
  const xs = Array.from({ length: 64 }, () => a());
  assert.equal(Array.from({ length: 64 }, () => b()), xs);
  assert.not.equal(Array.from({ length: 64 }, () => c()), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const drops = xs.filter((x) => x < 0.3).length;
  assert.ok(drops > 5 && drops < 35, `about 30% of 64 drawn below 0.3 (${drops})`);
});

s('key log: NSS lines by client random and label; junk skipped', () => {
  const random = 'ab'.repeat(32);
  const log = parseKeyLog(`# comment\nCLIENT_TRAFFIC_SECRET_0 ${random} ${'01'.repeat(32)}\nnot a line\nSERVER_HANDSHAKE_TRAFFIC_SECRET ${random.toUpperCase()} ${'02'.repeat(48)}\n`);
  assert.is(log.size, 1);
  assert.is(log.get(random)?.get('CLIENT_TRAFFIC_SECRET_0')?.length, 32);
  assert.is(log.get(random)?.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')?.[0], 2);
});

s('pcap: global header, one record per datagram with IPv4 + UDP headers; dropped ones marked with TTL 0', () => {
  const d = (dir: 'c2s' | 's2c', dropped: boolean): RelayedDatagram => ({
    t: 1.5, dir, flow: 0, client: { address: '127.0.0.1', port: 5000 }, data: Buffer.from([1, 2, 3]), dropped,
  });
  const p = pcapOf([d('c2s', false), d('s2c', true)], 4433);
  assert.is(p.readUInt32LE(0), 0xa1b2c3d4);
  assert.is(p.readUInt32LE(20), 228);
  assert.is(p.length, 24 + 2 * (16 + 20 + 8 + 3));
  const first = 24 + 16;
  assert.is(p[first + 8], 64);
  assert.is(p.readUInt16BE(first + 20), 5000, 'source port of a client datagram');
  assert.is(p.readUInt16BE(first + 22), 4433);
  assert.is(p[first + 16 + 20 + 8 + 3 + 16 + 8], 0, 'TTL 0 for the dropped one');
});

s('file comparison names missing, short and differing downloads', () => {
  const dir = join(work, 'cmp');
  mkdirSync(join(dir, 'www'), { recursive: true });
  mkdirSync(join(dir, 'dl'), { recursive: true });
  for (const n of ['a', 'b', 'c', 'd']) writeFileSync(join(dir, 'www', n), Buffer.from('0123456789'));
  writeFileSync(join(dir, 'dl', 'a'), Buffer.from('0123456789'));
  writeFileSync(join(dir, 'dl', 'b'), Buffer.from('01234'));
  writeFileSync(join(dir, 'dl', 'c'), Buffer.from('0123X56789'));
  const files = ['a', 'b', 'c', 'd'].map((name) => ({ name, size: 10 }));
  assert.equal(compareFiles(join(dir, 'www'), join(dir, 'dl'), files), [
    'b: 5 of 10 bytes',
    'c: content differs from byte 4',
    'd: not downloaded',
  ]);
});

s('report: peer/role view of results and the table with reasons', () => {
  const rs: CaseResult[] = [
    { client: 'quichs', server: 'ngtcp2', case: 'handshake', result: 'pass', ms: 1234, reason: '' },
    { client: 'ngtcp2', server: 'quichs', case: 'handshake', result: 'fail', ms: 2000, reason: 'x | y' },
    { client: 'quic-go', server: 'ngtcp2', case: 'v2', result: 'unsupported', ms: 0, reason: 'peer lacks RFC 9369' },
  ];
  assert.equal(toJson(rs[0]), { peer: 'ngtcp2', role: 'client', case: 'handshake', result: 'pass', ms: 1234, reason: '', client: 'quichs', server: 'ngtcp2' });
  assert.is(toJson(rs[1]).role, 'server');
  assert.is(toJson(rs[2]).role, 'pair');
  const t = markdownTable(rs);
  assert.match(t, /\| handshake \| ✔ 1\.2s \| ✘ 2\.0s \|  \|/);
  assert.match(t, /\| v2 \|  \|  \| unsupported \|/);
  assert.match(t, /x \\\| y/);
  assert.match(t, /1 passed, 1 failed, 1 unsupported/);
});

s('prepare the peers (Debian packages, quic-go peer build)', () => {
  impl('quic-go').prepare();
  impl('ngtcp2').prepare();
  impl('quichs').prepare();
});

s('our client × quic-go server: handshake (hq-interop) passes on the evidence', async () => {
  const r = await run('quichs', 'quic-go', mustCase('handshake'));
  assert.is(r.result, 'pass', r.reason);
});

s('quic-go client × our server: retry passes (Retry seen, token echoed, retry_source_connection_id)', async () => {
  const r = await run('quic-go', 'quichs', mustCase('retry'));
  assert.is(r.result, 'pass', r.reason);
});

s('our client × ngtcp2 server (HTTP/3) and ngtcp2 client × our server: handshake', async () => {
  const a = await run('quichs', 'ngtcp2', mustCase('handshake'));
  assert.is(a.result, 'pass', a.reason);
  const b = await run('ngtcp2', 'quichs', mustCase('handshake'));
  assert.is(b.result, 'pass', b.reason);
});

s('negative controls: a plain handshake judged as retry, a resumption judged as 0-RTT, both fail with the reason', async () => {
  const handshake = mustCase('handshake');
  const asRetry: TestCase = { ...handshake, name: 'handshake-as-retry', judge: mustCase('retry').judge };
  const r1 = await run('quic-go', 'quic-go', asRetry);
  assert.is(r1.result, 'fail');
  assert.match(r1.reason, /no Retry packet/);
  const resumption = mustCase('resumption');
  const asZeroRtt: TestCase = { ...resumption, name: 'resumption-as-zerortt', judge: mustCase('zerortt').judge };
  const r2 = await run('quic-go', 'quic-go', asZeroRtt);
  assert.is(r2.result, 'fail');
  assert.match(r2.reason, /no 0-RTT packet/);
  // and the failure kept its evidence
  assert.ok(r2.logDir !== undefined);
});

s('a case a peer cannot do is unsupported with the peer\'s reason', async () => {
  const r = await run('quichs', 'ngtcp2', mustCase('keyupdate-server'));
  assert.is(r.result, 'unsupported');
  assert.match(r.reason, /gtlsserver 0\.12\.1 cannot initiate a key update/);
});

s.after(() => rmSync(work, { recursive: true, force: true }));

s.run();
