/**
 * examples/tls: the client and server CLIs run as the README shows them — against each other (ALPN, session out,
 * resumption with 0-RTT, KeyUpdate, a PSK) and against openssl s_client / s_server — plus --help. Every process is
 * killed by the case's deadline.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withDeadline, type CaseResources } from './support/bounded.js';
import { freeTcpPort, startPeer, waitForOutput, type PeerProcess } from './support/peerProcess.js';
import { makeTestPki } from './support/testCerts.js';

const pki = makeTestPki();
const root = resolve(import.meta.dirname, '..');
const s = suite('examples/tls CLIs');
const CASE_MS = 40_000;

function example(r: CaseResources, name: 'client' | 'server', args: string[]): PeerProcess {
  return r.peer(startPeer(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'examples/tls', `${name}.ts`), ...args], CASE_MS));
}

async function ourServer(r: CaseResources, extra: string[]): Promise<{ port: number; server: PeerProcess }> {
  const port = await freeTcpPort();
  const server = example(r, 'server', ['--accept', String(port), '--cert', pki.server.certFile, '--key', pki.server.keyFile, ...extra]);
  assert.ok(await waitForOutput(server, (o) => o.includes('ACCEPT 127.0.0.1'), 20_000), server.stderr());
  return { port, server };
}

/** Runs client.ts with `input` on stdin; resolves with its stdout and stderr once it exits. */
async function runClient(r: CaseResources, args: string[], input: string): Promise<{ out: string; err: string; code: number | null }> {
  const c = example(r, 'client', args);
  c.child.stdin!.end(input);
  const code = await c.exited;
  return { out: c.stdout(), err: c.stderr(), code };
}

s('client.ts ↔ server.ts: echo with ALPN and a KeyUpdate, then a resumption whose 0-RTT data is accepted', () => withDeadline(CASE_MS, 'cli pair', async (r) => {
  const { port, server } = await ourServer(r, ['--early-data', '--alpn', 'h2,http/1.1', '--naccept', '2']);
  const sess = join(pki.dir, `cli-${port}.sess`);
  const base = [`localhost:${port}`, '--ca', pki.ca.certFile, '--alpn', 'http/1.1'];
  const first = await runClient(r, [...base, '--sess-out', sess, '--key-update'], 'hello cli\n');
  assert.is(first.code, 0, first.err);
  assert.is(first.out, 'hello cli\n');
  assert.match(first.err, /ALPN:\s+http\/1\.1/);
  assert.match(first.err, /KEYUPDATE \(write\)/);
  const early = join(pki.dir, `cli-${port}.early`);
  writeFileSync(early, 'zero-rtt\n');
  const second = await runClient(r, [...base, '--sess-in', sess, '--early-data', early], '1-rtt\n');
  assert.is(second.code, 0, second.err);
  assert.is(second.out, 'zero-rtt\n1-rtt\n');
  assert.match(second.err, /session:\s+resumed/);
  assert.match(second.err, /early data: accepted/);
  assert.ok(await waitForOutput(server, (o) => (o.match(/ACCEPTED/g) ?? []).length === 2 && /early data: 9 bytes/.test(o)), server.stderr());
}));

s('client.ts ↔ server.ts over an external PSK (no certificates)', () => withDeadline(CASE_MS, 'cli psk', async (r) => {
  const port = await freeTcpPort();
  const hex = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
  const server = example(r, 'server', ['--accept', String(port), '--psk', hex, '--psk-identity', 'cli', '--naccept', '1']);
  assert.ok(await waitForOutput(server, (o) => o.includes('ACCEPT 127.0.0.1'), 20_000), server.stderr());
  const c = await runClient(r, [`127.0.0.1:${port}`, '--psk', hex, '--psk-identity', 'cli'], 'psk\n');
  assert.is(c.code, 0, c.err);
  assert.is(c.out, 'psk\n');
  assert.match(c.err, /external PSK "cli"/);
}));

s('openssl s_client → server.ts --rev; client.ts → openssl s_server -rev', () => withDeadline(CASE_MS, 'cli vs openssl', async (r) => {
  const { port } = await ourServer(r, ['--rev', '--naccept', '1']);
  const sc = r.peer(startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-quiet', '-servername', 'localhost', '-CAfile', pki.ca.certFile, '-verify_return_error']));
  sc.child.stdin!.write('abc def\n');
  assert.ok(await waitForOutput(sc, (o) => o.includes('fed cba')), sc.stdout() + sc.stderr());
  const sport = await freeTcpPort();
  const ss = r.peer(startPeer('openssl', ['s_server', '-accept', String(sport), '-tls1_3', '-rev', '-naccept', '1', '-cert', pki.server.certFile, '-key', pki.server.keyFile]));
  assert.ok(await waitForOutput(ss, (o) => o.includes('ACCEPT')));
  const c = example(r, 'client', [`localhost:${sport}`, '--ca', pki.ca.certFile]);
  c.child.stdin!.write('quichs cli\n');
  assert.ok(await waitForOutput(c, (o) => o.includes('ilc shciuq')), c.stdout() + c.stderr());
}));

s('--help prints the options of both CLIs', () => withDeadline(CASE_MS, 'cli help', async (r) => {
  for (const name of ['client', 'server'] as const) {
    const p = example(r, name, ['--help']);
    assert.is(await p.exited, 0);
    assert.match(p.stdout(), new RegExp(`usage: ${name}\\.ts`));
    for (const opt of ['--alpn', '--keylog', '--psk', '--early-data', '--key-update', '--ca', '--cert', '--key']) assert.ok(p.stdout().includes(opt), `${name} ${opt}`);
  }
  const c = example(r, 'client', ['--sni-typo']);
  assert.is(await c.exited, 2);
}));

s.run();
