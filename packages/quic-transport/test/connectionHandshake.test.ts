/**
 * Handshake variants of the sans-IO Connection on the memory network: every cipher suite, HelloRetryRequest, QUIC
 * v2, client certificates, TLS alerts as CRYPTO_ERROR closes, ALPN, key log and qlog.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryQlogSink, QUIC_VERSION_2, TransportErrorCode, type Connection } from '../src/index.js';
import { createPair, drainEvents, testPki } from './support/quicFixtures.js';
import { pattern, sameBytes, transfer } from './support/transfer.js';

const s = suite('connectionHandshake');

function closedEvent(c: Connection) {
  return drainEvents(c).find((e) => e?.type === 'connectionClosed') as { type: 'connectionClosed'; error?: { code: number; remote: boolean; application: boolean; message: string } } | undefined;
}

for (const suiteName of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
  s(`cipher suite ${suiteName}: handshake and 200 KB both ways`, () => {
    const pair = createPair({ server: { tls: { ciphers: [suiteName] } } });
    assert.ok(pair.handshake());
    assert.is(pair.client.tls.cipherSuite?.name, suiteName);
    assert.is(pair.server().tls.cipherSuite?.name, suiteName);
    const a = pattern(200_000, 3);
    assert.ok(sameBytes(transfer(pair.net, pair.client, pair.server(), a).received, a));
    const b = pattern(200_000, 4);
    assert.ok(sameBytes(transfer(pair.net, pair.server(), pair.client, b).received, b));
  });
}

s('HelloRetryRequest: the server prefers a group the client sent no share for', () => {
  const pair = createPair({ server: { tls: { groups: ['secp256r1'] } } });
  assert.ok(pair.handshake());
  assert.ok(pair.client.tls.helloRetried);
  assert.ok(pair.server().tls.helloRetried);
  assert.is(pair.client.tls.group, 'secp256r1');
  const data = pattern(50_000);
  assert.ok(sameBytes(transfer(pair.net, pair.client, pair.server(), data).received, data));
});

s('x25519 only: a one-datagram ClientHello', () => {
  const pair = createPair({ client: { tls: { groups: ['x25519'], keyShares: ['x25519'] } } });
  const first: number[] = [];
  pair.net.tap = (d) => {
    if (d.time === 1000) first.push(d.data.length);
    return d.data;
  };
  assert.ok(pair.handshake());
  assert.equal(first, [1200]);
  assert.is(pair.server().tls.group, 'x25519');
});

s('QUIC v2 (RFC 9369): long headers carry version 0x6b3343cf, the v2 type bits and keys', () => {
  const pair = createPair({ client: { version: QUIC_VERSION_2 } });
  const versions = new Set<number>();
  pair.net.tap = (d) => {
    if (d.data[0] & 0x80) versions.add(new DataView(d.data.buffer, d.data.byteOffset).getUint32(1));
    return d.data;
  };
  assert.ok(pair.handshake());
  assert.equal([...versions], [QUIC_VERSION_2]);
  assert.is(pair.client.quicVersion, QUIC_VERSION_2);
  assert.is(pair.server().quicVersion, QUIC_VERSION_2);
  assert.equal(pair.server().peerTransportParameters?.versionInformation?.chosenVersion, QUIC_VERSION_2);
  const data = pattern(100_000);
  assert.ok(sameBytes(transfer(pair.net, pair.client, pair.server(), data).received, data));
});

s('client certificates (mTLS): the server requires and verifies one', () => {
  const pki = testPki();
  const pair = createPair({
    server: { tls: { requestCert: true, rejectUnauthorized: true } },
    client: { tls: { cert: pki.client.pem, key: pki.client.keyPem } },
  });
  assert.ok(pair.handshake());
  assert.is(pair.server().tls.peerCertificates.length, 1);
  assert.ok(pair.server().tls.clientSignatureScheme !== undefined);
});

s('mTLS without a client certificate: the server closes with CRYPTO_ERROR certificate_required (0x174)', () => {
  const pair = createPair({ server: { tls: { requestCert: true, rejectUnauthorized: true } } });
  assert.not.ok(pair.handshake(5000));
  pair.net.run(() => pair.client.isClosed && pair.server().isClosed, { maxTime: 5000 });
  assert.is(pair.server().closeError?.code, TransportErrorCode.CRYPTO_ERROR + 116);
  const ev = closedEvent(pair.client);
  assert.is(ev?.error?.code, 0x174);
  assert.ok(ev?.error?.remote);
});

s('an untrusted server certificate: the client closes with CRYPTO_ERROR unknown_ca, the server sees it', () => {
  const pair = createPair({ client: { tls: { ca: [] } } });
  assert.not.ok(pair.handshake(5000));
  pair.net.run(() => pair.servers.length > 0 && pair.server().isClosed, { maxTime: 5000 });
  assert.is(pair.client.closeError?.code, 0x100 + 48);
  assert.is(pair.server().closeError?.code, 0x100 + 48);
  assert.ok(pair.server().closeError?.remote);
});

s('no common ALPN protocol: CRYPTO_ERROR no_application_protocol (0x178)', () => {
  const pair = createPair({ client: { tls: { ALPNProtocols: ['h3'] } } });
  assert.not.ok(pair.handshake(5000));
  pair.net.run(() => pair.client.isClosed, { maxTime: 5000 });
  assert.is(pair.client.closeError?.code, 0x178);
  assert.ok(pair.client.closeError?.remote);
});

s('key log lines for every secret, and qlog events on both sides', () => {
  const lines: string[] = [];
  const cq = new MemoryQlogSink();
  const sq = new MemoryQlogSink();
  const pair = createPair({ client: { keylog: (l) => lines.push(l), qlog: cq }, server: { qlog: sq } });
  assert.ok(pair.handshake());
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 1000 });
  const labels = lines.map((l) => l.split(' ')[0]).sort();
  assert.equal(labels, ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
  for (const l of lines) assert.match(l, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64}$/);
  for (const q of [cq, sq]) {
    const names = new Set(q.events.map((e) => e.name));
    for (const n of ['transport:packet_sent', 'transport:packet_received', 'transport:parameters_set', 'security:key_updated', 'security:key_discarded', 'connectivity:connection_state_updated']) {
      assert.ok(names.has(n as never), `missing ${n}`);
    }
    const states = q.events.filter((e) => e.name === 'connectivity:connection_state_updated').map((e) => e.data.new);
    assert.ok(states.includes('handshake_complete') && states.includes('handshake_confirmed'), String(states));
  }
  pair.client.close(0, 'bye', true);
  pair.net.run(() => pair.client.isDrained() && pair.server().isDrained(), { maxTime: 10_000 });
  assert.ok(cq.events.some((e) => e.name === 'connectivity:connection_state_updated' && e.data.new === 'closed'));
});

s('an asynchronous SNICallback parks the server in PENDING; onWakeup tells the driver to go on', async () => {
  const p = testPki();
  let wakeups = 0;
  const pair = createPair({
    server: {
      tls: { SNICallback: async (name) => (await Promise.resolve(), name === 'localhost' ? { cert: p.server.pem, key: p.server.keyPem } : null) },
      onWakeup: () => wakeups++,
    },
  });
  pair.net.run(() => pair.servers.length > 0, { maxTime: 1000 });
  pair.net.advance(50);
  assert.not.ok(pair.client.handshakeComplete);
  await new Promise((r) => setTimeout(r, 10));
  assert.is(wakeups, 1);
  assert.ok(pair.handshake());
});

s.run();
