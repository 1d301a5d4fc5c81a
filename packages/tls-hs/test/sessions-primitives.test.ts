/**
 * The sessions building blocks on their own: ticket-key manager (rotation schedule, decisions, export/import), ticket
 * sealing (tamper, wrong key, truncation), ticket state and session codecs, ticket age obfuscation and the window,
 * the anti-replay record (both modes, expiry, capacity), ticket nonces.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TicketKeyManager, defaultTicketKeyManager } from '../src/session/ticketKeyManager.js';
import { openTicket, sealTicket, ticketKeyName, ticketNonce, MIN_SEALED_TICKET_LENGTH } from '../src/session/ticketSealer.js';
import { encodeTicketState, parseTicketState, type TicketState } from '../src/session/sessionTicket.js';
import { TlsSession } from '../src/session/tlsSession.js';
import { clientTicketAge, obfuscateTicketAge, ticketAgeWithinWindow } from '../src/session/ticketAge.js';
import { AntiReplay, defaultAntiReplay } from '../src/session/antiReplay.js';
import { ticketNonceFor } from '../src/session/ticketIssuer.js';
import { parsePskModes, resolveExternalPsk } from '../src/session/externalPsk.js';
import { providers, pseudoRandom } from './crypto-helpers.js';
import { rejectsAlert } from './engine-helpers.js';

const s = suite('sessions: primitives');
const HOUR = 3600_000;

function seededRandom(seed: number): (n: number) => Uint8Array {
  let k = seed;
  return (len) => pseudoRandom(len, k++);
}

s('ticket-key manager: first key on demand, use → renew → reject across two intervals', () => {
  const m = new TicketKeyManager({ rotationInterval: HOUR, random: seededRandom(1) });
  assert.is(m.current, undefined);
  const enc = m.decide(undefined, 'encrypt', 0);
  assert.is(enc.action, 'use');
  const k1 = m.current!;
  assert.is(k1.name.length, 16);
  assert.is(k1.secret.length, 32);
  assert.is(m.decide(k1.name, 'decrypt', HOUR - 1).action, 'use');
  // one interval: rotation, the old key renews
  const d = m.decide(k1.name, 'decrypt', HOUR);
  assert.is(d.action, 'renew');
  assert.is(d.action !== 'reject' && d.key, k1);
  assert.is(m.previous, k1);
  const k2 = m.current!;
  assert.not.equal(k2.name, k1.name);
  // a further interval after retirement: k1 is gone, k2 (rotated again) is the previous key
  assert.is(m.decide(k1.name, 'decrypt', 2 * HOUR).action, 'reject');
  assert.is(m.previous, k2);
  // idle for long: a key retired more than an interval ago is dropped even without a new rotation
  const idle = new TicketKeyManager({ rotationInterval: HOUR, autoRotate: false, random: seededRandom(3) });
  idle.rotate(0);
  idle.rotate(10);
  assert.ok(idle.previous !== undefined);
  idle.decide(undefined, 'encrypt', HOUR + 10);
  assert.is(idle.previous, undefined);
  assert.is(m.decide(Uint8Array.of(1, 2, 3), 'decrypt', 2 * HOUR).action, 'reject');
  assert.is(m.decide(undefined, 'decrypt', 2 * HOUR).action, 'reject');
  assert.is(m.callback(m.current!.name, 'decrypt', 2 * HOUR)!.action, 'use');
});

s('ticket-key manager: autoRotate false keeps imported keys; manual rotate; export/import round trip', () => {
  const a = new TicketKeyManager({ random: seededRandom(5) });
  a.rotate(1000);
  a.rotate(2000);
  const b = new TicketKeyManager({ keys: a.export(), autoRotate: false, rotationInterval: 10 });
  assert.equal(b.current, a.current);
  assert.equal(b.previous, a.previous);
  assert.is(b.decide(a.current!.name, 'decrypt', 5000).action, 'use', 'a follower does not rotate by itself');
  assert.equal(new TicketKeyManager({ keys: new TicketKeyManager().export() }).current, undefined);
  assert.throws(() => new TicketKeyManager({ rotationInterval: 0 }), RangeError);
  assert.throws(() => new TicketKeyManager({ random: () => new Uint8Array(3) }).rotate(0), RangeError);
  const bad = a.export();
  bad[0] = 2;
  assert.throws(() => new TicketKeyManager({ keys: bad }), /version/);
  const three = a.export();
  three[1] = 3;
  assert.throws(() => new TicketKeyManager({ keys: three }), /at most 2/);
  assert.is(defaultTicketKeyManager(), defaultTicketKeyManager());
});

for (const provider of providers) {
  s(`ticket sealing (${provider.name}): opens with its key only, any flipped byte fails, short input is no ticket`, () => {
    const m = new TicketKeyManager({ random: seededRandom(9) });
    const key = m.rotate(0);
    const other = m.rotate(1);
    const plain = Uint8Array.from({ length: 50 }, (_, i) => i);
    const t = sealTicket(provider, key, pseudoRandom(12, 3), plain);
    assert.equal(ticketKeyName(t), key.name);
    assert.equal(ticketNonce(t), pseudoRandom(12, 3));
    assert.equal(new Uint8Array(openTicket(provider, key, t)!), plain);
    assert.is(openTicket(provider, other, t), undefined);
    for (let i = 0; i < t.length; i += 7) {
      const x = t.slice();
      x[i] ^= 0x80;
      assert.is(openTicket(provider, key, x), undefined, `byte ${i}`);
    }
    assert.is(ticketKeyName(t.subarray(0, MIN_SEALED_TICKET_LENGTH - 1)), undefined);
    assert.is(openTicket(provider, key, t.subarray(0, 20)), undefined);
    assert.throws(() => sealTicket(provider, key, new Uint8Array(8), plain), RangeError);
  });
}

s('ticket state and session codecs round-trip; malformed input is decode_error', async () => {
  const st: TicketState = {
    suite: 0x1302,
    issuedAt: 1_750_000_000_123,
    lifetime: 604800,
    ageAdd: 0xfedcba98,
    maxEarlyDataSize: 0xffffffff,
    quic: true,
    psk: new Uint8Array(48).fill(7),
    alpn: 'h3',
    serverName: 'example.com',
    appData: Uint8Array.of(1, 2),
    peerCertificate: Uint8Array.of(0x30, 0),
  };
  assert.equal(parseTicketState(encodeTicketState(st)), st);
  const bare = { ...st, alpn: undefined, serverName: undefined, appData: new Uint8Array(0), peerCertificate: undefined };
  assert.equal(parseTicketState(encodeTicketState(bare)), bare);
  await rejectsAlert(() => parseTicketState(encodeTicketState(st).subarray(1)), 'decode_error');
  const session = new TlsSession({
    ticket: Uint8Array.of(9), psk: new Uint8Array(32), suite: 0x1301, lifetime: 10, ageAdd: 5, receivedAt: undefined,
    maxEarlyDataSize: 0, alpn: undefined, serverName: undefined, quic: false, transportParameters: new Uint8Array(0), peerCertificate: undefined,
  });
  assert.equal(TlsSession.fromBytes(session.toBytes()), session);
  assert.throws(() => new TlsSession({ ...session, suite: 0x1304 }), RangeError);
  assert.throws(() => new TlsSession({ ...session, ticket: new Uint8Array(0) }), RangeError);
  await rejectsAlert(() => TlsSession.fromBytes(Uint8Array.of(1, 0x13, 0x09)), 'decode_error');
  // the QUIC version a ticket is bound to (RFC 9369 §5) survives the round trip; bytes of format 1 (without it) load
  const quic = new TlsSession({ ...session, quic: true, maxEarlyDataSize: 0xffffffff, quicVersion: 0x6b3343cf });
  assert.equal(TlsSession.fromBytes(quic.toBytes()), quic);
  assert.is(TlsSession.fromBytes(quic.toBytes()).quicVersion, 0x6b3343cf);
  assert.is(TlsSession.fromBytes(session.toBytes()).quicVersion, undefined);
  const v1Bytes = session.toBytes().slice(0, -5);
  v1Bytes[0] = 1;
  assert.equal(TlsSession.fromBytes(v1Bytes), session);
  await rejectsAlert(() => TlsSession.fromBytes(quic.toBytes().subarray(0, quic.toBytes().length - 2)), 'decode_error');
  assert.throws(() => new TlsSession({ ...session, quicVersion: -1 }), RangeError);
  assert.throws(() => new TlsSession({ ...session, quicVersion: 2 ** 32 }), RangeError);
  // without receipt time the age is 0 and the session never expires by itself
  assert.is(session.ageAt(1e12), 0);
  assert.not.ok(session.expiredAt(1e12));
  assert.is(session.obfuscatedAgeAt(undefined), 5);
});

s('ticket age: obfuscation wraps mod 2^32, the window is symmetric', () => {
  assert.is(obfuscateTicketAge(16, 0xfffffff0), 0);
  assert.is(clientTicketAge(0, 0xfffffff0), 16);
  assert.is(clientTicketAge(obfuscateTicketAge(123456, 0xdeadbeef), 0xdeadbeef), 123456);
  const o = obfuscateTicketAge(5000, 77);
  assert.ok(ticketAgeWithinWindow(o, 77, 0, 5000, 0));
  assert.ok(ticketAgeWithinWindow(o, 77, 0, 14_000, 10_000));
  assert.not.ok(ticketAgeWithinWindow(o, 77, 0, 15_001, 10_000));
  assert.not.ok(ticketAgeWithinWindow(obfuscateTicketAge(20_000, 77), 77, 0, 5000, 10_000));
  const s1 = new TlsSession({
    ticket: Uint8Array.of(1), psk: new Uint8Array(32), suite: 0x1301, lifetime: 100, ageAdd: 1, receivedAt: 1000,
    maxEarlyDataSize: 0xffffffff, alpn: 'h3', serverName: undefined, quic: true, transportParameters: undefined, peerCertificate: undefined,
  });
  assert.is(s1.ageAt(500), 0, 'a clock going backwards gives age 0');
  assert.not.ok(s1.expiredAt(101_000));
  assert.ok(s1.expiredAt(101_001));
  assert.ok(s1.allowsEarlyData(true));
  assert.not.ok(s1.allowsEarlyData(false));
  assert.not.ok(new TlsSession({ ...s1, maxEarlyDataSize: 16384 }).allowsEarlyData(true), 'QUIC needs 0xffffffff');
  assert.ok(new TlsSession({ ...s1, quic: false, maxEarlyDataSize: 16384 }).allowsEarlyData(false));
});

s('anti-replay: client-hello recording forgets after the window; single-use keeps until expiry; capacity fails safe', () => {
  const ch = new AntiReplay({ window: 1000, maxEntries: 2 });
  const c = (b: number, t: number, exp = 10_000) => ({ binder: Uint8Array.of(b), ticketId: Uint8Array.of(t), ticketExpiresAt: exp });
  assert.ok(ch.check(c(1, 1), 0));
  assert.not.ok(ch.check(c(1, 2), 500), 'same binder');
  assert.ok(ch.check(c(2, 1), 500), 'same ticket, new ClientHello: fine in client-hello mode');
  assert.not.ok(ch.check(c(3, 3), 600), 'full: refuse');
  assert.ok(ch.check(c(1, 1), 1000), 'window passed');
  assert.is(ch.size, 2);
  const su = new AntiReplay({ mode: 'single-use' });
  assert.ok(su.check(c(1, 9, 5000), 0));
  assert.not.ok(su.check(c(2, 9, 5000), 4999));
  assert.ok(su.check(c(3, 9, 9000), 5000), 'after the ticket expired the entry is gone (the ticket is too)');
  for (let i = 0; i < 3000; i++) assert.ok(new AntiReplay().check(c(i & 255, i & 255), i));
  const big = new AntiReplay({ window: 10 });
  for (let i = 0; i < 3000; i++) assert.ok(big.check(c(i & 255, 0), i * 20));
  assert.is(big.size, 1, 'purged as time goes by');
  assert.throws(() => new AntiReplay({ window: 0 }), RangeError);
  assert.is(defaultAntiReplay(), defaultAntiReplay());
});

s('ticket nonces and option parsing', () => {
  assert.equal([...ticketNonceFor(0)], [0]);
  assert.equal([...ticketNonceFor(255)], [255]);
  assert.equal([...ticketNonceFor(256)], [1, 0]);
  assert.equal(parsePskModes(undefined), ['psk_dhe_ke']);
  assert.equal(parsePskModes(['psk_ke', 'psk_ke', 'psk_dhe_ke']), ['psk_ke', 'psk_dhe_ke']);
  assert.throws(() => parsePskModes([]), RangeError);
  assert.throws(() => parsePskModes(['psk_x' as 'psk_ke']), RangeError);
  assert.throws(() => resolveExternalPsk({ identity: Uint8Array.of(1), key: Uint8Array.of(1), hash: 'sha512' as 'sha256' }), RangeError);
});

s.run();
