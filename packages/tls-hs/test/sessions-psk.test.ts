/**
 * External PSKs engine vs engine (both providers): psk_dhe_ke and psk_ke, several identities with different hashes,
 * the server's choice, lookup callback, no certificates in a PSK handshake, HRR with a PSK, one-byte delivery, and
 * the bad inputs: wrong binder (decrypt_error), unknown identity (certificate fallback / unknown_psk_identity),
 * mode mismatch, misplaced pre_shared_key.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTlsEngine } from '../src/engine/tlsEngine.js';
import { TlsOpt, TlsState } from '../src/engine/tlsState.js';
import type { ExternalPsk } from '../src/engine/tlsState.js';
import { ExtensionType } from '../src/wire/constants.js';
import { decodeHandshake } from '../src/wire/handshakeMessage.js';
import { parseClientHello } from '../src/wire/clientHello.js';
import { findExtension } from '../src/wire/extensions/extensionList.js';
import { pskBinder } from '../src/keyschedule/binder.js';
import { providers } from './crypto-helpers.js';
import { fakeCert, fakeVerifier, keyOf, rejectsAlert, runHandshake, sameBytes } from './engine-helpers.js';
import { RecordPeer, exchange } from './sessions-helpers.js';

const enc = new TextEncoder();
const psk = (id: string, fill: number, hash?: 'sha256' | 'sha384'): ExternalPsk => ({
  identity: enc.encode(id),
  key: new Uint8Array(32).fill(fill),
  hash,
});

/** Offset of the extension-list length in an encoded ClientHello message. */
function extensionsOffset(raw: Uint8Array): number {
  let p = 4 + 2 + 32;
  p += 1 + raw[p];
  p += 2 + ((raw[p] << 8) | raw[p + 1]);
  p += 1 + raw[p];
  return p;
}

/** Byte offset of extension `type`'s type field in an encoded ClientHello message. */
function indexOfExtension(raw: Uint8Array, type: number): number {
  let p = extensionsOffset(raw) + 2;
  while (p < raw.length) {
    if (((raw[p] << 8) | raw[p + 1]) === type) return p;
    p += 4 + ((raw[p + 2] << 8) | raw[p + 3]);
  }
  throw new Error(`no extension ${type}`);
}

/** The ClientHello with an empty extension of `type` appended after the last one (lengths fixed up). */
function appendExtension(raw: Uint8Array, type: number): Uint8Array {
  const out = new Uint8Array(raw.length + 4);
  out.set(raw);
  out.set([type >> 8, type & 0xff, 0, 0], raw.length);
  const body = out.length - 4;
  out[1] = body >> 16;
  out[2] = (body >> 8) & 0xff;
  out[3] = body & 0xff;
  const e = extensionsOffset(out);
  const len = ((out[e] << 8) | out[e + 1]) + 4;
  out[e] = len >> 8;
  out[e + 1] = len & 0xff;
  return out;
}

for (const provider of providers) {
  const s = suite(`sessions: external PSK (${provider.name})`);

  s('psk_dhe_ke: no certificates, ECDHE, same secrets, identity and mode reported', async () => {
    const client = createTlsEngine('client', { provider, psks: [psk('alice', 1)] });
    const server = createTlsEngine('server', { provider, psks: [psk('bob', 2), psk('alice', 1)] });
    const trace: [string, number][] = [];
    await runHandshake(client, server, { trace });
    for (const e of [client, server]) {
      assert.is(e.state, TlsState.CONNECTED);
      assert.is(e.pskMode, 'psk_dhe_ke');
      assert.is(new TextDecoder().decode(e.pskIdentity!), 'alice');
      assert.not.ok(e.resumed);
      assert.is(e.group, 'X25519MLKEM768');
      assert.is(e.signatureScheme, undefined);
      assert.equal(e.peerCertificates, []);
    }
    for (const n of ['early', 'handshake', 'master', 'clientApplication', 'serverApplication', 'exporter', 'earlyExporter', 'resumption'] as const) {
      assert.ok(sameBytes(client.secret(n), server.secret(n)), n);
    }
    // the seed's states: client START → RCVD (ServerHello) → CONNECTED, server RCVD → WAIT → CONNECTED
    assert.equal(trace.map(([r, st]) => `${r}:${st}`), ['client:0', 'server:1', 'server:2', 'client:1', 'client:3', 'server:3']);
  });

  s('psk_ke: no key shares at all, handshake secret from zeros', async () => {
    const client = createTlsEngine('client', { provider, psks: [psk('alice', 1)], pskModes: ['psk_ke'] });
    const server = createTlsEngine('server', { provider, psks: [psk('alice', 1)], pskModes: ['psk_ke', 'psk_dhe_ke'] });
    const hello = client.handshake(null);
    const ch = parseClientHello(decodeHandshake(hello.out).body);
    assert.is(findExtension(ch.extensions, ExtensionType.key_share), undefined);
    assert.is(findExtension(ch.extensions, ExtensionType.supported_groups), undefined);
    assert.equal([...findExtension(ch.extensions, ExtensionType.psk_key_exchange_modes)!.data], [1, 0]);
    const sh = server.handshake(hello.out);
    client.handshake(sh.out);
    const fl = server.handshake(null);
    const fin = client.handshake(fl.out);
    server.handshake(fin.out);
    for (const e of [client, server]) {
      assert.is(e.state, TlsState.CONNECTED);
      assert.is(e.pskMode, 'psk_ke');
      assert.is(e.group, undefined);
    }
    assert.ok(sameBytes(client.secret('clientApplication'), server.secret('clientApplication')));
  });

  s('psk_ke offered alongside psk_dhe_ke: the server prefers psk_dhe_ke unless told otherwise', async () => {
    const both = ['psk_dhe_ke', 'psk_ke'] as const;
    let c = createTlsEngine('client', { provider, psks: [psk('a', 1)], pskModes: [...both] });
    let sv = createTlsEngine('server', { provider, psks: [psk('a', 1)], pskModes: [...both] });
    await runHandshake(c, sv);
    assert.is(sv.pskMode, 'psk_dhe_ke');
    c = createTlsEngine('client', { provider, psks: [psk('a', 1)], pskModes: [...both] });
    sv = createTlsEngine('server', { provider, psks: [psk('a', 1)], pskModes: ['psk_ke'] });
    await runHandshake(c, sv);
    assert.is(c.pskMode, 'psk_ke');
    assert.is(sv.group, undefined);
  });

  s('several identities: the first the server knows wins, and its hash picks the suite', async () => {
    const offered = [psk('unknown', 9), psk('p384', 3, 'sha384'), psk('p256', 4)];
    const lookups: string[] = [];
    const client = createTlsEngine('client', { provider, psks: offered });
    const server = createTlsEngine('server', {
      provider,
      pskCallback: (id) => {
        const name = new TextDecoder().decode(id);
        lookups.push(name);
        if (name === 'p384') return { identity: id, key: new Uint8Array(32).fill(3), hash: 'sha384' };
        if (name === 'p256') return new Uint8Array(32).fill(4);
        return null;
      },
    });
    await runHandshake(client, server);
    assert.equal(lookups, ['unknown', 'p384']);
    assert.is(new TextDecoder().decode(server.pskIdentity!), 'p384');
    assert.is(client.cipherSuite!.name, 'TLS_AES_256_GCM_SHA384');
    assert.is(server.cipherSuite!.name, 'TLS_AES_256_GCM_SHA384');
    // a server preferring SHA-256 suites still has to take the suite of the PSK's hash
    const c2 = createTlsEngine('client', { provider, psks: [psk('p256', 4), psk('p384', 3, 'sha384')] });
    const s2 = createTlsEngine('server', { provider, psks: [psk('p384', 3, 'sha384')], ciphers: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'] });
    await runHandshake(c2, s2);
    assert.is(s2.cipherSuite!.name, 'TLS_AES_256_GCM_SHA384');
    assert.is(new TextDecoder().decode(c2.pskIdentity!), 'p384');
  });

  s('binders: one per identity in its own hash, "ext binder" label', () => {
    const offered = [psk('a', 1), psk('b', 2, 'sha384')];
    const client = createTlsEngine('client', { provider, psks: offered });
    const raw = client.handshake(null).out;
    const ch = parseClientHello(decodeHandshake(raw).body);
    assert.is(ch.extensions[ch.extensions.length - 1].type, ExtensionType.pre_shared_key);
    const cut = raw.length - (2 + 33 + 49);
    const b0 = pskBinder(provider, 'sha256', offered[0].key, 'external', provider.hash('sha256', raw.subarray(0, cut)));
    const b1 = pskBinder(provider, 'sha384', offered[1].key, 'external', provider.hash('sha384', raw.subarray(0, cut)));
    assert.ok(sameBytes(raw.subarray(cut + 3, cut + 35), b0));
    assert.ok(sameBytes(raw.subarray(cut + 36), b1));
    // the resumption label gives another binder: an external PSK cannot pass as a ticket or the reverse
    const asTicket = pskBinder(provider, 'sha256', offered[0].key, 'resumption', provider.hash('sha256', raw.subarray(0, cut)));
    assert.not.ok(sameBytes(asTicket, b0));
  });

  s('wrong key for a known identity → decrypt_error; a modified binder → decrypt_error', async () => {
    const client = createTlsEngine('client', { provider, psks: [psk('alice', 1)] });
    const server = createTlsEngine('server', { provider, psks: [psk('alice', 7)] });
    await rejectsAlert(runHandshake(client, server), 'decrypt_error');
    const c2 = createTlsEngine('client', { provider, psks: [psk('alice', 1)] });
    const s2 = createTlsEngine('server', { provider, psks: [psk('alice', 1)] });
    const hello = c2.handshake(null).out.slice();
    hello[hello.length - 1] ^= 1;
    await rejectsAlert(() => s2.handshake(hello), 'decrypt_error');
  });

  s('unknown identity: a server with a certificate falls back to a full handshake; a PSK-only one refuses', async () => {
    const key = keyOf('ec-p256');
    const client = createTlsEngine('client', { provider, psks: [psk('mallory', 5)], servername: 'example.com', certificateVerifier: fakeVerifier({ server: key.publicKey }) });
    const server = createTlsEngine('server', { provider, psks: [psk('alice', 1)], cert: fakeCert('server'), key });
    await runHandshake(client, server);
    assert.is(client.pskMode, undefined);
    assert.is(server.pskMode, undefined);
    assert.is(client.peerCertificates.length, 1);
    const c2 = createTlsEngine('client', { provider, psks: [psk('mallory', 5)] });
    const s2 = createTlsEngine('server', { provider, psks: [psk('alice', 1)] });
    await rejectsAlert(runHandshake(c2, s2), 'unknown_psk_identity');
    // a client that offers no PSK to a PSK-only server
    const key2 = keyOf('ec-p256');
    const c3 = createTlsEngine('client', { provider, certificateVerifier: fakeVerifier({ server: key2.publicKey }) });
    await rejectsAlert(runHandshake(c3, createTlsEngine('server', { provider, psks: [psk('alice', 1)] })), 'handshake_failure');
  });

  s('modes: psk_ke-only client vs psk_dhe_ke-only server has nothing in common', async () => {
    const client = createTlsEngine('client', { provider, psks: [psk('a', 1)], pskModes: ['psk_ke'] });
    const server = createTlsEngine('server', { provider, psks: [psk('a', 1)] });
    await rejectsAlert(runHandshake(client, server), 'missing_extension');
  });

  s('HelloRetryRequest with a PSK: binders recomputed over message_hash + HRR, PSK still used', async () => {
    const client = createTlsEngine('client', { provider, psks: [psk('a', 1), psk('b', 2, 'sha384')], keyShares: ['x25519'] });
    const server = createTlsEngine('server', { provider, psks: [psk('a', 1), psk('b', 2, 'sha384')], groups: ['secp256r1'] });
    await runHandshake(client, server);
    assert.ok(client.helloRetried);
    assert.is(server.group, 'secp256r1');
    assert.is(new TextDecoder().decode(server.pskIdentity!), 'a');
    // the early exporter belongs to an unretried ClientHello only
    assert.is(server.secret('earlyExporter'), undefined);
    assert.ok(sameBytes(client.secret('master'), server.secret('master')));
  });

  s('one byte at a time, and over the record layer in 1-byte pieces', async () => {
    let client = createTlsEngine('client', { provider, psks: [psk('a', 1)] });
    let server = createTlsEngine('server', { provider, psks: [psk('a', 1)] });
    await runHandshake(client, server, { chunk: 1 });
    assert.is(server.pskMode, 'psk_dhe_ke');
    client = createTlsEngine('client', { provider, psks: [psk('a', 1)] });
    server = createTlsEngine('server', { provider, psks: [psk('a', 1)] });
    const c = new RecordPeer(client);
    const sv = new RecordPeer(server);
    exchange(c, sv, c.start(), 1);
    assert.is(client.state, TlsState.CONNECTED);
    assert.is(server.state, TlsState.CONNECTED);
    sv.receive(c.write(enc.encode('ping')));
    assert.is(new TextDecoder().decode(sv.app[0]), 'ping');
  });

  s('the seed option TlsOpt.PSKS configures the same thing', async () => {
    const client = createTlsEngine('client', { provider });
    const server = createTlsEngine('server', { provider });
    client.set(TlsOpt.PSKS, [psk('seed', 6)]);
    server.set(TlsOpt.PSKS, [psk('seed', 6)]);
    assert.is(client.get(TlsOpt.PSKS)[0].hash, 'sha256');
    await runHandshake(client, server);
    assert.is(server.pskMode, 'psk_dhe_ke');
    assert.throws(() => client.set(TlsOpt.PSKS, [{ identity: new Uint8Array(0), key: new Uint8Array(1) }]), /cannot change/);
    assert.throws(() => createTlsEngine('client', { psks: [{ identity: new Uint8Array(0), key: new Uint8Array(1) }] }), RangeError);
    assert.throws(() => createTlsEngine('client', { psks: [{ identity: Uint8Array.of(1), key: new Uint8Array(0) }] }), RangeError);
  });

  s('pre_shared_key not last in the ClientHello → illegal_parameter; without psk_key_exchange_modes → missing_extension', async () => {
    const raw = createTlsEngine('client', { provider, psks: [psk('a', 1)] }).handshake(null).out;
    await rejectsAlert(() => createTlsEngine('server', { provider, psks: [psk('a', 1)] }).handshake(appendExtension(raw, 0xff01)), 'illegal_parameter');
    const noModes = createTlsEngine('client', { provider, psks: [psk('a', 1)] }).handshake(null).out.slice();
    // rename psk_key_exchange_modes (0x002d) to an unknown type: binders no longer matter, the check comes first
    const at = indexOfExtension(noModes, ExtensionType.psk_key_exchange_modes);
    noModes[at] = 0xfe;
    await rejectsAlert(() => createTlsEngine('server', { provider, psks: [psk('a', 1)] }).handshake(noModes), 'missing_extension');
  });

  s.run();
}
