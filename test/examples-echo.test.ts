/**
 * examples/echo: the demo path (what `pnpm demo` runs) end to end, the echo-server / echo-client CLIs against each
 * other (self-signed certificate handed over with --cert-out/--ca, resumption + 0-RTT, Retry, v2, CUBIC, key
 * update, simulated loss, key log and qlog files, --help and usage errors), and the helpers the CLIs are built from
 * (byte verifier, size and loss parsing, the lossy connection factory). Every process is killed by its case's
 * deadline.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesSource, EchoMismatchError, EchoVerifier, generatedSource, parseSize, type EchoSource } from '../examples/echo/echoSource.js';
import { lossyConnectionFactory, parseLossRate } from '../examples/echo/lossSimulation.js';
import { startEchoServer } from '../examples/echo/echoServer.js';
import { runEchoClient } from '../examples/echo/echoClient.js';
import { withDeadline, type CaseResources } from './support/bounded.js';
import { startPeer, waitForOutput, type PeerProcess } from './support/peerProcess.js';

const root = resolve(import.meta.dirname, '..');
const s = suite('examples/echo');
const CASE_MS = 50_000;
const dir = mkdtempSync(join(tmpdir(), 'quichs-echo-'));

function run(r: CaseResources, script: string, args: string[]): PeerProcess {
  return r.peer(startPeer(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'examples/echo', script), ...args], CASE_MS));
}

/** assert.match that shows the text when it fails. */
function has(text: string, re: RegExp): void {
  assert.ok(re.test(text), `expected ${re} in:\n${text.slice(0, 4000)}`);
}

/** peerProcess collects output as latin1; the CLIs print UTF-8 (→, …). */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

async function finished(p: PeerProcess): Promise<{ code: number | null; out: string; err: string }> {
  const code = await p.exited;
  return { code, out: utf8(p.stdout()), err: utf8(p.stderr()) };
}

s('the demo (pnpm demo): handshake states of both ends, suite, group, ALPN, RTT, a verified echo, a 0-RTT resumption; exits 0 by itself', () =>
  withDeadline(CASE_MS, 'demo', async (r) => {
    const { code, out, err } = await finished(run(r, 'demo.ts', []));
    assert.is(code, 0, err + out);
    has(out, /client START → RCVD → (WAIT → )?CONNECTED;\s+server RCVD → WAIT → CONNECTED/);
    has(out, /client\s+START\s+\(initial\)\s+ClientHello → Initial CRYPTO/);
    has(out, /server\s+CONNECTED\s+\(handshake\)\s+client Finished verified/);
    has(out, /QUIC v1, suite TLS_AES_128_GCM_SHA256, group X25519MLKEM768, ALPN echo, full handshake, RTT [\d.]+ ms/);
    has(out, /result: 10\.0 MB echoed and verified byte for byte in [\d.]+ ms — [\d.]+ MB\/s each way/);
    has(out, /resumed session, 0-RTT accepted/);
    has(out, /21 bytes echoed and verified byte for byte .* sent as 0-RTT early data \(accepted\)/);
    has(out, /both echoes verified/);
  }));

s('echo-server / echo-client: self-signed certificate via --cert-out, text echo with a session saved, then resumed with 0-RTT', () =>
  withDeadline(CASE_MS, 'cli resume', async (r) => {
    const cert = join(dir, 'server1.pem');
    const session = join(dir, 'session.bin');
    const server = run(r, 'echo-server.ts', ['--port', '0', '--cert-out', cert, '--early-data', '--count', '2', '--alpn', 'echo,other']);
    assert.ok(await waitForOutput(server, (o) => o.includes('LISTEN'), 20_000), server.stderr());
    const port = /LISTEN 127\.0\.0\.1:(\d+)/.exec(server.stderr())![1];
    const base = ['--port', port, '--ca', cert, '--servername', 'localhost'];
    const first = await finished(run(r, 'echo-client.ts', [...base, '--resume', session, 'hello quic']));
    assert.is(first.code, 0, first.err);
    assert.is(first.out, 'hello quic\n');
    has(first.err, /client\s+START\s+\(initial\)/);
    has(first.err, /full handshake/);
    has(first.err, new RegExp(`session: saved to ${session.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(existsSync(session));
    const second = await finished(run(r, 'echo-client.ts', [...base, '--resume', session, '--0rtt', 'early bytes']));
    assert.is(second.code, 0, second.err);
    assert.is(second.out, 'early bytes\n');
    has(second.err, /resumed session, 0-RTT accepted/);
    has(second.err, /0-RTT: data written before the handshake completed; the server accepted it/);
    const done = await finished(server);
    assert.is(done.code, 0, done.err);
    has(done.err, /#1: TLS states RCVD → WAIT → CONNECTED/);
    has(done.err, /#2 .*resumed session, 0-RTT accepted/);
    has(done.err, /#2 .*closed; echoed 11 bytes on 1 stream/);
  }));

s('a 3 MB file over v2 with Retry, CUBIC, a key update on both sides and 5% simulated loss; key log and qlog written', () =>
  withDeadline(CASE_MS, 'cli file', async (r) => {
    const cert = join(dir, 'server2.pem');
    const keylog = join(dir, 'keys.log');
    const qlogs = join(dir, 'qlog');
    const file = join(dir, 'input.bin');
    writeFileSync(file, await collect(generatedSource(3_000_000)));
    const server = run(r, 'echo-server.ts', ['--port', '0', '--cert-out', cert, '--retry', '--version', 'v2', '--key-update', '--cc', 'cubic',
      '--loss', '5%', '--loss-side', 'send', '--loss-seed', '7', '--count', '1']);
    assert.ok(await waitForOutput(server, (o) => o.includes('LISTEN'), 20_000), server.stderr());
    has(utf8(server.stderr()), /v2, ALPN echo, Retry, cubic, simulated loss 5\.0% \(send, seed 7\)/);
    const port = /LISTEN 127\.0\.0\.1:(\d+)/.exec(server.stderr())![1];
    const c = await finished(run(r, 'echo-client.ts', ['--port', port, '--ca', cert, '--file', file, '--version', 'v2', '--cc', 'cubic', '--key-update',
      '--loss', '0.05', '--loss-side', 'receive', '--keylog', keylog, '--qlog-dir', qlogs, '--timeout', '40']));
    assert.is(c.code, 0, c.err);
    assert.is(c.out, '');
    has(c.err, /QUIC v2, suite TLS_AES_128_GCM_SHA256/);
    has(c.err, /key update: started half-way; the 1-RTT keys changed 2 times \(ours and the server's\)/);
    has(c.err, /progress: .*100%/);
    has(c.err, /echoed and verified 3\.00 MB in/);
    has(c.err, /[1-9]\d* datagrams dropped by the simulation/);
    const done = await finished(server);
    assert.is(done.code, 0, done.err);
    has(done.err, /key update started/);
    has(done.err, /closed; echoed 3000000 bytes on 1 stream/);
    has(done.err, /simulated loss dropped [1-9]\d* outgoing and 0 incoming datagrams/);
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) {
      assert.ok(lines.some((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+$/.test(l) && l.startsWith(`${label} `)), label);
    }
    const traces = readdirSync(qlogs);
    assert.is(traces.length, 1);
    const qlog = readFileSync(join(qlogs, traces[0]), 'utf8');
    assert.ok(qlog.startsWith('\u001e'), 'JSON-SEQ');
    has(qlog.slice(0, 20_000), /"name":"transport:packet_sent"/);
  }));

s('--help of both CLIs; usage errors exit 2 with a message', () =>
  withDeadline(CASE_MS, 'cli help', async (r) => {
    const [sh, ch, noCa, badLoss] = await Promise.all([
      finished(run(r, 'echo-server.ts', ['--help'])),
      finished(run(r, 'echo-client.ts', ['--help'])),
      finished(run(r, 'echo-client.ts', ['hello'])),
      finished(run(r, 'echo-client.ts', ['--insecure', '--loss', '150%', 'x'])),
    ]);
    assert.is(sh.code, 0);
    for (const opt of ['--host', '--port', '--cert', '--key', '--alpn', '--keylog', '--qlog-dir', '--version', '--cipher', '--retry', '--early-data', '--key-update', '--loss', '--loss-side', '--cc']) {
      assert.ok(sh.out.includes(`${opt} `), `server --help lists ${opt}`);
    }
    assert.is(ch.code, 0);
    for (const opt of ['--host', '--port', '--file', '--size', '--ca', '--alpn', '--keylog', '--qlog-dir', '--version', '--cipher', '--resume', '--0rtt', '--key-update', '--loss', '--cc']) {
      assert.ok(ch.out.includes(`${opt} `), `client --help lists ${opt}`);
    }
    assert.is(noCa.code, 2);
    has(noCa.err, /give --ca FILE/);
    assert.is(badLoss.code, 2);
    has(badLoss.err, /outside \[0, 1\)/);
  }));

s('in-process: ChaCha20 and x25519 as chosen by the client; a wrong certificate name fails the echo with a TLS error', () =>
  withDeadline(CASE_MS, 'library', async () => {
    const server = await startEchoServer({ port: 0 });
    try {
      const common = { host: '127.0.0.1', port: server.address.port, ca: server.certificatePem, timeoutMs: 20_000 };
      const ok = await runEchoClient({ ...common, servername: 'localhost', source: bytesSource('chacha'), ciphers: ['TLS_CHACHA20_POLY1305_SHA256'], groups: ['x25519'] });
      assert.is(ok.handshake.suite, 'TLS_CHACHA20_POLY1305_SHA256');
      assert.is(ok.handshake.group, 'x25519');
      assert.is(ok.bytes, 6);
      try {
        await runEchoClient({ ...common, servername: 'not-this-host.example', source: bytesSource('x') });
        assert.unreachable('the certificate does not name that host');
      } catch (e) {
        assert.instance(e, Error);
        has((e as Error).message, /certificate|bad_certificate|name/i);
      }
    } finally {
      await server.close();
    }
  }));

s('EchoVerifier: identical bytes pass in any chunking; a changed, missing or extra byte is reported at its offset', async () => {
  const src = generatedSource(200_000, 3);
  const all = await collect(src);
  assert.ok(Buffer.from(all).equals(Buffer.from(await collect(generatedSource(200_000, 3)))), 'a source replays identically');
  const v = new EchoVerifier(src);
  for (let o = 0; o < all.length; o += 7777) await v.check(all.subarray(o, o + 7777));
  v.finish();
  assert.is(v.verified, 200_000);
  const changed = Uint8Array.from(all);
  changed[123_456] ^= 1;
  const bad = new EchoVerifier(src);
  try {
    await bad.check(changed);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, EchoMismatchError);
    assert.is((e as EchoMismatchError).offset, 123_456);
  }
  const short = new EchoVerifier(bytesSource('hello'));
  await short.check(new TextEncoder().encode('hell'));
  assert.throws(() => short.finish(), (e: unknown) => e instanceof EchoMismatchError && e.offset === 4);
  const long = new EchoVerifier(bytesSource('hi'));
  try {
    await long.check(new TextEncoder().encode('hi!'));
    assert.unreachable();
  } catch (e) {
    assert.is((e as EchoMismatchError).offset, 2);
  }
});

s('parseSize, parseLossRate; the lossy factory refuses a rate outside [0, 1)', () => {
  assert.is(parseSize('1200'), 1200);
  assert.is(parseSize('64k'), 64_000);
  assert.is(parseSize('64KiB'), 65_536);
  assert.is(parseSize('100MB'), 100_000_000);
  assert.is(parseSize('1.5GiB'), 1.5 * 2 ** 30);
  assert.throws(() => parseSize('ten'), /not understood/);
  assert.is(parseLossRate('10%'), 0.1);
  assert.is(parseLossRate('0.25'), 0.25);
  assert.throws(() => parseLossRate('1'), /outside/);
  assert.throws(() => parseLossRate('x'), /not a number/);
  assert.throws(() => lossyConnectionFactory({ rate: 1, seed: 1, side: 'both' }), /outside/);
});

/** Everything a source yields, in one array. */
async function collect(source: EchoSource): Promise<Uint8Array> {
  const out = new Uint8Array(source.size);
  let o = 0;
  for await (const chunk of source.chunks()) {
    out.set(chunk, o);
    o += chunk.length;
  }
  assert.is(o, source.size);
  return out;
}

s.run();
