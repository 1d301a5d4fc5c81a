/**
 * Post-handshake engine vs engine (both providers): KeyUpdate initiated by either side, with and without
 * update_requested, following the "traffic upd" secret chain, over the record layer; the KeyUpdate flood limit
 * (reset by application data); KeyUpdate refused in QUIC; exporters (RFC 8446 §7.5) on both sides.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTlsEngine } from '../src/engine/tlsEngine.js';
import { TlsState } from '../src/engine/tlsState.js';
import { HandshakeType } from '../src/wire/constants.js';
import { encodeHandshake } from '../src/wire/handshakeMessage.js';
import { encodeKeyUpdate } from '../src/wire/keyUpdate.js';
import { nextTrafficSecret } from '../src/keyschedule/trafficKeys.js';
import { tlsExporter } from '../src/keyschedule/exporter.js';
import { providers } from './crypto-helpers.js';
import { rejectsAlert, runHandshake, sameBytes } from './engine-helpers.js';
import { RecordPeer, enginePair, exchange } from './sessions-helpers.js';
import { concat } from './wire-helpers.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

for (const provider of providers) {
  const s = suite(`sessions: post-handshake (${provider.name})`);

  s('KeyUpdate both ways over records: requested and not, secrets follow the traffic-upd chain', () => {
    const { client, server } = enginePair(provider);
    const c = new RecordPeer(client);
    const sv = new RecordPeer(server);
    exchange(c, sv, c.start());
    assert.is(server.state, TlsState.CONNECTED);
    const suite = client.cipherSuite!;
    const c0 = client.secret('clientApplication')!;
    const s0 = client.secret('serverApplication')!;
    // client → server, not requested: only the client's direction moves
    let back = sv.receive(concat(...c.keyUpdate(false)));
    assert.equal(back, []);
    assert.ok(sameBytes(client.secret('clientApplication'), nextTrafficSecret(provider, suite, c0)));
    assert.ok(sameBytes(server.secret('clientApplication'), client.secret('clientApplication')));
    assert.ok(sameBytes(server.secret('serverApplication'), s0));
    sv.receive(c.write(enc.encode('after client update')));
    // server → client, requested: both directions move once more
    back = c.receive(concat(...sv.keyUpdate(true)));
    assert.is(back.length, 1, 'the client answers with its own KeyUpdate');
    sv.receive(concat(...back));
    const s1 = nextTrafficSecret(provider, suite, s0);
    const c2 = nextTrafficSecret(provider, suite, nextTrafficSecret(provider, suite, c0));
    for (const e of [client, server]) {
      assert.ok(sameBytes(e.secret('serverApplication'), s1));
      assert.ok(sameBytes(e.secret('clientApplication'), c2));
    }
    c.receive(sv.write(enc.encode('server after update')));
    sv.receive(c.write(enc.encode('client after both')));
    assert.equal(sv.app.map((b) => dec.decode(b)), ['after client update', 'client after both']);
    assert.equal(c.app.map((b) => dec.decode(b)), ['server after update']);
    // client → server, requested
    back = sv.receive(concat(...c.keyUpdate(true)));
    c.receive(concat(...back));
    assert.ok(sameBytes(client.secret('serverApplication'), nextTrafficSecret(provider, suite, s1)));
    c.receive(sv.write(enc.encode('third generation')));
    assert.is(dec.decode(c.app[1]), 'third generation');
  });

  s('KeyUpdate flood: more than the limit in a row → unexpected_message; application data resets the count', async () => {
    const { client, server } = enginePair(provider, {}, { maxConsecutivePostHandshake: 4 });
    await runHandshake(client, server);
    const ku = encodeHandshake(HandshakeType.key_update, encodeKeyUpdate({ updateRequested: false }));
    for (let i = 0; i < 4; i++) server.handshake(ku);
    server.applicationDataReceived();
    for (let i = 0; i < 4; i++) server.handshake(ku);
    await rejectsAlert(() => server.handshake(ku), 'unexpected_message');
    // a whole flood in one call is caught the same way
    const p = enginePair(provider);
    await runHandshake(p.client, p.server);
    const many = new Uint8Array(ku.length * 40);
    for (let i = 0; i < 40; i++) many.set(ku, i * ku.length);
    await rejectsAlert(() => p.server.handshake(many), 'unexpected_message');
  });

  s('KeyUpdate is not TLS business in QUIC (both directions), and needs a finished handshake', async () => {
    const q = { quic: true, transportParameters: Uint8Array.of(1) };
    const { client, server } = enginePair(provider, q, q);
    await rejectsAlert(() => client.post('keyUpdate'), 'internal_error');
    await runHandshake(client, server);
    await rejectsAlert(() => client.post('keyUpdate'), 'internal_error');
    const ku = encodeHandshake(HandshakeType.key_update, encodeKeyUpdate({ updateRequested: true }));
    await rejectsAlert(() => server.handshake(ku, 'application'), 'unexpected_message');
  });

  s('exporters: both sides agree; label and context matter; RFC 8446 §7.5 construction', async () => {
    const { client, server } = enginePair(provider);
    assert.throws(() => client.exportKeyingMaterial(16, 'x'), /not available/);
    assert.throws(() => client.exportEarlyKeyingMaterial(16, 'x'), /not available/);
    await runHandshake(client, server);
    const a = client.exportKeyingMaterial(48, 'EXPERIMENTAL quichs', Uint8Array.of(1, 2));
    assert.equal(a, server.exportKeyingMaterial(48, 'EXPERIMENTAL quichs', Uint8Array.of(1, 2)));
    assert.not.equal(a.subarray(0, 16), client.exportKeyingMaterial(16, 'EXPERIMENTAL quichs'));
    assert.not.equal(a, client.exportKeyingMaterial(48, 'EXPERIMENTAL other', Uint8Array.of(1, 2)));
    assert.equal(a, tlsExporter(provider, client.cipherSuite!.hash, client.secret('exporter')!, 'EXPERIMENTAL quichs', Uint8Array.of(1, 2), 48));
    // no context and an empty context are the same (RFC 8446 §7.5)
    assert.equal(client.exportKeyingMaterial(16, 'l'), client.exportKeyingMaterial(16, 'l', new Uint8Array(0)));
  });

  s('secret(name) levels for sessions are there, and the record-layer names map per direction', async () => {
    const e = createTlsEngine('client', { provider });
    assert.is(e.trafficSecret('initial', 'write'), undefined);
    const { client, server } = enginePair(provider);
    await runHandshake(client, server);
    assert.ok(sameBytes(client.trafficSecret('application', 'write'), server.trafficSecret('application', 'read')));
    assert.ok(sameBytes(client.trafficSecret('handshake', 'read'), server.secret('serverHandshake')));
    assert.is(client.trafficSecret('early', 'write'), undefined);
    for (const n of ['early', 'resumption'] as const) assert.ok(sameBytes(client.secret(n), server.secret(n)), n);
  });

  s.run();
}
