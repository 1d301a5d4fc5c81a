/**
 * Our QUIC transport against real peers on loopback (issue 6): ngtcp2 0.12.1 (Debian's gtlsserver / gtlsclient, HTTP/3)
 * and quic-go 0.29 (Debian source, hq-interop), each in both roles — our client × the peer's server and the peer's
 * client × our server — doing a handshake and a 1 MiB download of a fresh random file. Everything goes through the
 * interop runner (interop/runner): it starts both endpoints and its recording relay, stops them, compares the
 * downloaded bytes with the served file, and decrypts the relay's trace with the endpoints' key logs. Each pass is
 * checked on that evidence: identical bytes, one completed full handshake, QUIC v1 on every long header, the ALPN of the
 * pair, 1-RTT packets decrypted both ways and the file's bytes in the server's 1-RTT STREAM frames. A negative control
 * corrupts one downloaded byte behind a real client's back and must fail for exactly that.
 *
 * Bounded: each run has the case's 20 s client deadline (a pass takes 1–3 s), and the runner kills every process
 * group it started.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIC_V1, TRANSFER_1MIB } from '../interop/runner/cases.js';
import { NGTCP2, QUIC_GO, QUICHS, type Implementation } from '../interop/runner/peers.js';
import { makeInteropPki } from '../interop/runner/pki.js';
import { runCase, type CaseResult } from '../interop/runner/runCase.js';

const s = suite('transport-realpeers');

const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'quichs-realpeers-'));
let certs: string | undefined;
const timings: string[] = [];

async function run(client: Implementation, server: Implementation): Promise<CaseResult> {
  certs ??= makeInteropPki(join(work, 'certs'));
  const t0 = performance.now();
  const r = await runCase(client, server, TRANSFER_1MIB, { certs, logsRoot: join(work, 'logs') });
  timings.push(`${client.name} client × ${server.name} server: ${r.result}, client ${r.ms} ms, run ${Math.round(performance.now() - t0)} ms`);
  return r;
}

/** Asserts the evidence of a passing 1 MiB transfer over `alpn`. */
function assertRealTransfer(r: CaseResult, alpn: string): void {
  const where = `${r.client} client × ${r.server} server`;
  assert.is(r.result, 'pass', `${where}: ${r.reason}${r.logDir ? ` (logs: ${r.logDir})` : ''}`);
  const e = r.evidence;
  if (e === undefined) {
    assert.unreachable(`${where}: the result carries no evidence`);
    return;
  }
  assert.is(e.alpn, alpn, `${where}: ALPN the endpoints were told`);
  assert.is(e.files.length, 1, `${where}: one file`);
  assert.is(e.files[0].size, MiB, `${where}: a 1 MiB file`);
  assert.ok(e.files[0].identical, `${where}: the download is byte-for-byte the served file`);
  assert.is(e.datagrams.dropped, 0, `${where}: nothing dropped`);
  assert.is(e.connections.length, 1, `${where}: one connection on the wire`);
  const c = e.connections[0];
  assert.ok(c.handshakeCompleted, `${where}: handshake completed`);
  assert.is(c.completionEvidence, 'decrypted', `${where}: completion seen in decrypted packets (Finished / HANDSHAKE_DONE)`);
  assert.equal(c.clientVersions, [QUIC_V1], `${where}: the client sent only v1 long headers`);
  assert.equal(c.serverVersions, [QUIC_V1], `${where}: the server sent only v1 long headers`);
  assert.ok(c.offeredAlpn.includes(alpn), `${where}: the ClientHello offered ${alpn} (${c.offeredAlpn.join(',')})`);
  assert.is(c.alpn, alpn, `${where}: ALPN selected in the EncryptedExtensions`);
  assert.ok(c.cipherSuite !== undefined && [0x1301, 0x1302, 0x1303].includes(c.cipherSuite), `${where}: a TLS 1.3 suite (${c.cipherSuite})`);
  assert.is(c.retries, 0, `${where}: no Retry`);
  for (const side of ['client', 'server'] as const) {
    const opened = c.packets[side].oneRtt - c.undecryptable[side].oneRtt;
    assert.ok(opened > 0, `${where}: decrypted 1-RTT packets from the ${side} (${c.packets[side].oneRtt} sent, ${c.undecryptable[side].oneRtt} undecryptable)`);
    assert.ok(c.packets[side].handshake > 0, `${where}: Handshake packets from the ${side}`);
    const undecryptable = Object.values(c.undecryptable[side]).reduce((a, n) => a + n, 0);
    assert.is(undecryptable, 0, `${where}: every ${side} packet decrypted with the key logs`);
  }
  // the file in 1-RTT STREAM frames from the server (hq-interop: exactly the body; h3: body plus HEADERS/DATA framing)
  assert.ok(c.oneRttStreamData.server >= MiB, `${where}: server 1-RTT stream data ${c.oneRttStreamData.server} ≥ 1 MiB`);
  assert.ok(c.oneRttStreamData.server < MiB + 64 * 1024, `${where}: server 1-RTT stream data ${c.oneRttStreamData.server} is about the file`);
  assert.ok(c.oneRttStreamData.client > 0, `${where}: the request in 1-RTT STREAM frames from the client`);
}

s('prepare the peers (Debian ngtcp2 programs, quic-go peer build)', () => {
  const t0 = performance.now();
  QUIC_GO.prepare();
  NGTCP2.prepare();
  QUICHS.prepare();
  timings.push(`prepare: ${Math.round(performance.now() - t0)} ms`);
});

for (const [peer, alpn] of [[NGTCP2, 'h3'], [QUIC_GO, 'hq-interop']] as const) {
  s(`our client × ${peer.name} server: handshake + 1 MiB download over ${alpn}, on the evidence`, async () => {
    assertRealTransfer(await run(QUICHS, peer), alpn);
  });
  s(`${peer.name} client × our server: handshake + 1 MiB download over ${alpn}, on the evidence`, async () => {
    assertRealTransfer(await run(peer, QUICHS), alpn);
  });
}

s('negative control: one byte flipped in a real client\'s 1 MiB download fails for that byte, not for the trace', async () => {
  // the quic-go client, then one byte of each downloaded file inverted before the wrapper exits with its status
  const wrapper = join(work, 'corrupt-after.mjs');
  writeFileSync(wrapper, [
    "import { spawnSync } from 'node:child_process';",
    "import { readdirSync, readFileSync, writeFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    "const r = spawnSync(process.argv[2], process.argv.slice(3), { stdio: 'inherit' });",
    'if (r.status === 0) {',
    '  for (const name of readdirSync(process.env.DOWNLOADS)) {',
    '    const p = join(process.env.DOWNLOADS, name);',
    '    const b = readFileSync(p);',
    '    b[b.length >> 1] ^= 0xff;',
    '    writeFileSync(p, b);',
    '  }',
    '}',
    'process.exit(r.status ?? 1);',
    '',
  ].join('\n'));
  const corrupting: Implementation = {
    name: 'quic-go-corrupting',
    alpns: QUIC_GO.alpns,
    prepare: () => {},
    command: () => [process.execPath, wrapper, ...QUIC_GO.command()],
  };
  const r = await run(corrupting, QUICHS);
  assert.is(r.result, 'fail', 'a corrupted download must fail');
  assert.is(r.reason, `${r.evidence?.files[0]?.name}: content differs from byte ${MiB >> 1}`, 'the only problem named is the flipped byte');
  assert.is(r.evidence?.files[0]?.identical, false);
  assert.ok(r.evidence?.connections[0]?.handshakeCompleted, 'the transfer itself was fine');
});

s.after(() => {
  console.log(`\n  ${timings.join('\n  ')}`);
  rmSync(work, { recursive: true, force: true });
});

s.run();
