/**
 * The sans-IO TlsConnection, client and server wired together in memory: records of at most 2^14 bytes of plaintext,
 * padding, close_notify both ways (and nothing read after it), KeyUpdate both ways, alerts as typed errors, the
 * tls_ap_encrypt / tls_ap_decrypt of the seed with explicit sequence numbers, and the stop-after-handshake hand-over.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RecordType, TlsAlert, createTlsEngine, type TlsEngineOptions, type TlsSession } from '@quichs/tls-hs';
import { TlsConnection, type TlsConnectionEvent, type TlsConnectionOptions } from '../src/index.js';
import { makeTestPki } from '../../../test/support/testCerts.js';

const pki = makeTestPki();
const clock = () => Date.now();
const s = suite('tls-socket TlsConnection (sans-IO)');

interface Pair {
  client: TlsConnection;
  server: TlsConnection;
  /** Events seen per side. */
  events: { client: TlsConnectionEvent[]; server: TlsConnectionEvent[] };
  /** Wire bytes each side sent, per flush. */
  wire: { client: Uint8Array[]; server: Uint8Array[] };
  /** Moves bytes both ways until nothing is left; collects events. */
  flush: () => void;
}

function pair(opts: { client?: TlsEngineOptions; server?: TlsEngineOptions; conn?: TlsConnectionOptions; serverConn?: TlsConnectionOptions; early?: Uint8Array } = {}): Pair {
  const client = new TlsConnection(createTlsEngine('client', { ca: pki.ca.cert, servername: 'localhost', clock, ...opts.client }), opts.conn);
  // ticketCount 0: these tests count records and sequence numbers exactly; session tickets are tested in tls-hs
  const server = new TlsConnection(createTlsEngine('server', { cert: pki.server.cert, key: pki.server.key, clock, ticketCount: 0, ...opts.server }), opts.serverConn ?? opts.conn);
  const p: Pair = {
    client,
    server,
    events: { client: [], server: [] },
    wire: { client: [], server: [] },
    flush: () => {
      for (let moved = true; moved;) {
        moved = false;
        const c = client.takeOutput();
        if (c) {
          p.wire.client.push(c);
          server.receive(c);
          moved = true;
        }
        const v = server.takeOutput();
        if (v) {
          p.wire.server.push(v);
          client.receive(v);
          moved = true;
        }
        for (let e = client.pollEvent(); e; e = client.pollEvent()) p.events.client.push(e);
        for (let e = server.pollEvent(); e; e = server.pollEvent()) p.events.server.push(e);
      }
    },
  };
  client.start(opts.early);
  server.start();
  p.flush();
  return p;
}

const text = (evs: TlsConnectionEvent[]) => Buffer.concat(evs.flatMap((e) => (e.type === 'data' ? [e.data] : []))).toString();
const types = (evs: TlsConnectionEvent[]) => evs.map((e) => (e.type === 'keyUpdate' ? `keyUpdate:${e.direction}` : e.type));

/** Record headers of a wire chunk: [outer type, length]. */
function recordsOf(wire: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let o = 0; o < wire.length;) {
    const len = (wire[o + 3] << 8) | wire[o + 4];
    out.push([wire[o], len]);
    o += 5 + len;
  }
  return out;
}

s('handshake, then data both ways; a large write becomes records of at most 2^14 bytes of plaintext', () => {
  const p = pair();
  assert.ok(p.client.handshakeComplete && p.server.handshakeComplete);
  assert.equal(types(p.events.client), ['handshake']);
  assert.equal(types(p.events.server), ['handshake']);
  const big = new Uint8Array(40_000).fill(0x41);
  p.client.write(big);
  const wire = p.client.takeOutput()!;
  // 16384 + inner type byte + 16-byte tag per full record; the rest in the last one.
  assert.equal(recordsOf(wire), [[23, 16384 + 17], [23, 16384 + 17], [23, 40_000 - 2 * 16384 + 17]]);
  p.server.receive(wire);
  p.server.write(new TextEncoder().encode('pong'));
  p.flush();
  assert.is(text(p.events.server).length, 40_000);
  assert.is(text(p.events.client), 'pong');
});

s('maxFragmentLength and padding: smaller records, padded, and the receiver strips the padding', () => {
  const p = pair({ conn: { maxFragmentLength: 1000, padding: (_type, n) => 1024 - n } });
  p.client.write(new Uint8Array(2500).fill(7));
  const wire = p.client.takeOutput()!;
  assert.equal(recordsOf(wire), [[23, 1024 + 1 + 16], [23, 1024 + 1 + 16], [23, 1024 + 1 + 16]]);
  p.server.receive(wire);
  p.flush();
  const got = p.events.server.filter((e) => e.type === 'data').map((e) => (e as { data: Uint8Array }).data.length);
  assert.equal(got, [1000, 1000, 500]);
});

s('close_notify both ways: each side sees closeNotify, writes after close fail, nothing is read after it', () => {
  const p = pair();
  p.client.write(new TextEncoder().encode('last words'));
  p.client.close();
  p.client.close(); // once only
  const stale = p.client.apEncrypt(new TextEncoder().encode('after close'), 2); // valid (seq 0 data, 1 close_notify), but after close_notify
  p.flush();
  p.server.receive(stale);
  p.flush();
  assert.equal(types(p.events.server), ['handshake', 'data', 'closeNotify']);
  assert.is(text(p.events.server), 'last words');
  assert.ok(p.server.peerClosed);
  assert.throws(() => p.client.write(new Uint8Array(1)), (e: unknown) => e instanceof TlsAlert && /after close_notify/.test(e.message));
  p.server.write(new TextEncoder().encode('half-close: the server may still talk'));
  p.server.close();
  p.flush();
  assert.equal(types(p.events.client), ['handshake', 'data', 'closeNotify']);
  assert.not.ok(p.client.error);
  assert.not.ok(p.server.error);
});

s('user_canceled is a closure alert, not an error; the close_notify after it ends the stream', () => {
  const p = pair();
  p.client.receive(p.server.apEncrypt(Uint8Array.of(1, 90), 0, RecordType.alert));
  p.client.receive(p.server.apEncrypt(Uint8Array.of(1, 0), 1, RecordType.alert));
  const evs: string[] = [];
  for (let e = p.client.pollEvent(); e; e = p.client.pollEvent()) evs.push(e.type);
  assert.equal(evs, ['closeNotify']);
  assert.not.ok(p.client.error);
});

s('KeyUpdate both ways: update_requested is answered, data flows under the new keys', () => {
  const p = pair();
  p.client.keyUpdate(true);
  p.client.write(new TextEncoder().encode('c1'));
  p.flush();
  assert.equal(types(p.events.client).slice(1), ['keyUpdate:write', 'keyUpdate:read']);
  assert.equal(types(p.events.server).slice(1), ['keyUpdate:write', 'keyUpdate:read', 'data']);
  p.server.keyUpdate(false);
  p.server.write(new TextEncoder().encode('s1'));
  p.client.write(new TextEncoder().encode('c2'));
  p.flush();
  assert.is(text(p.events.client), 's1');
  assert.is(text(p.events.server), 'c1c2');
  assert.equal(types(p.events.client).slice(3), ['keyUpdate:read', 'data']);
});

s('alerts: garbage → the receiver fails with a typed alert and sends it; the peer surfaces it by name', () => {
  const p = pair();
  p.server.receive(Uint8Array.of(0x99, 1, 2, 3, 4, 5));
  const e = p.server.pollEvent();
  assert.is(e?.type, 'error');
  const alert = (e as { error: TlsAlert }).error;
  assert.instance(alert, TlsAlert);
  assert.is(alert.alert, 'unexpected_message');
  assert.not.ok(alert.remote);
  assert.is(p.server.error, alert);
  assert.throws(() => p.server.write(new Uint8Array(1)), (x: unknown) => x === alert);
  const sent = p.server.takeOutput()!;
  p.client.receive(sent);
  const got = p.client.pollEvent() as { type: 'error'; error: TlsAlert };
  assert.is(got.type, 'error');
  assert.is(got.error.alert, 'unexpected_message');
  assert.ok(got.error.remote);
  p.server.receive(Uint8Array.of(23, 3, 3, 0, 1, 0)); // ignored once failed
  assert.is(p.server.pollEvent(), undefined);
});

s('alerts: a record over 2^14 + 256 bytes → record_overflow; a bad tag → bad_record_mac', () => {
  const p = pair();
  p.server.receive(Uint8Array.of(23, 3, 3, (16384 + 257) >> 8, (16384 + 257) & 0xff));
  assert.is((p.server.pollEvent() as { error: TlsAlert }).error.alert, 'record_overflow');
  const q = pair();
  const rec = q.client.apEncrypt(new TextEncoder().encode('x'), 0);
  rec[rec.length - 1] ^= 1;
  q.server.receive(rec);
  assert.is((q.server.pollEvent() as { error: TlsAlert }).error.alert, 'bad_record_mac');
});

s('writing before the handshake completed is refused', () => {
  const client = new TlsConnection(createTlsEngine('client', { ca: pki.ca.cert, servername: 'localhost', clock }));
  client.start();
  assert.throws(() => client.write(new Uint8Array(1)), (e: unknown) => e instanceof TlsAlert && /before the handshake/.test(e.message));
  assert.throws(() => client.apEncrypt(new Uint8Array(1), 0), (e: unknown) => e instanceof TlsAlert && /before the handshake/.test(e.message));
});

s('tls_ap_encrypt / tls_ap_decrypt: explicit sequence numbers, inner types, limits, and KeyUpdate', () => {
  const p = pair();
  const enc = (t: string, seq: number) => p.client.apEncrypt(new TextEncoder().encode(t), seq);
  const r0 = enc('zero', 0);
  const r1 = enc('one', 1);
  assert.is(new TextDecoder().decode(p.server.apDecrypt(r1, 1).data), 'one'); // any order, the caller's numbering
  const d0 = p.server.apDecrypt(r0, 0);
  assert.is(d0.type, RecordType.application_data);
  assert.is(new TextDecoder().decode(d0.data), 'zero');
  const wrongSeq = (() => {
    try {
      p.server.apDecrypt(r0, 5);
    } catch (e) {
      return e as TlsAlert;
    }
  })();
  assert.is(wrongSeq?.alert, 'bad_record_mac');
  const bad = (rec: Uint8Array) => {
    try {
      p.server.apDecrypt(rec, 0);
    } catch (e) {
      return (e as TlsAlert).alert;
    }
  };
  assert.is(bad(r0.subarray(0, r0.length - 1)), 'decode_error');
  assert.is(bad(r0.subarray(0, 3)), 'decode_error');
  assert.is(bad(Uint8Array.of(23, 3, 3, 0x41, 0x01)), 'record_overflow');
  assert.is(bad(Uint8Array.of(22, 3, 3, 0, 1, 0)), 'unexpected_message');
  assert.not.ok(p.server.error, 'apDecrypt errors do not fail the connection');
  // After a KeyUpdate both ends use the next secret; the caller restarts its numbering at 0.
  p.client.keyUpdate(false);
  p.flush();
  assert.is(new TextDecoder().decode(p.server.apDecrypt(enc('new key', 0), 0).data), 'new key');
  assert.is(bad(r0), 'bad_record_mac'); // the old key is gone
  const h = p.server.apEncrypt(Uint8Array.of(24, 0, 0, 1, 0), 0, RecordType.handshake);
  assert.is(p.client.apDecrypt(h, 0).type, RecordType.handshake);
  assert.throws(() => p.client.apEncrypt(new Uint8Array(16385), 0), RangeError);
});

s('stopAfterHandshake: what follows the handshake stays unread until handed over or resumed', () => {
  const p = pair({ conn: { stopAfterHandshake: true } });
  p.server.write(new TextEncoder().encode('first'));
  p.server.write(new TextEncoder().encode('second'));
  p.flush();
  assert.equal(types(p.events.client), ['handshake']);
  const unread = p.client.takeUnread();
  const first = p.client.apDecrypt(unread.subarray(0, 5 + ((unread[3] << 8) | unread[4])), 0);
  assert.is(new TextDecoder().decode(first.data), 'first');
  const q = pair({ conn: { stopAfterHandshake: true } });
  q.server.write(new TextEncoder().encode('later'));
  q.flush();
  q.client.resumeReading();
  q.flush();
  assert.is(text(q.events.client), 'later');
});

// ---------------------------------------------------------------- sessions: resumption, external PSK, 0-RTT

const enc = (t: string) => new TextEncoder().encode(t);
const earlyOf = (evs: TlsConnectionEvent[]) => Buffer.concat(evs.flatMap((e) => (e.type === 'earlyData' ? [e.data] : []))).toString();
const statusOf = (evs: TlsConnectionEvent[]) => evs.flatMap((e) => (e.type === 'earlyDataStatus' ? [e.status] : []));

/** A first, full handshake whose server issues tickets that allow 0-RTT (when `maxEarlyData` > 0): the client's sessions. */
function sessionsFrom(server: TlsEngineOptions = {}): TlsSession[] {
  const p = pair({ server: { ticketCount: 2, earlyData: true, ...server } });
  const sessions = p.events.client.flatMap((e) => (e.type === 'session' ? [e.session] : []));
  assert.is(sessions.length, 2, 'two NewSessionTickets, each a session event');
  return sessions;
}

s('resumption: a session from a NewSessionTicket resumes (no certificate this time)', () => {
  const [session] = sessionsFrom();
  const p = pair({ client: { session }, server: { ticketCount: 1 } });
  assert.ok(p.client.handshakeComplete);
  assert.ok(p.client.engine.resumed);
  assert.ok(p.server.engine.resumed);
  assert.is(p.client.engine.signatureScheme, undefined, 'no CertificateVerify in a resumed handshake');
  p.client.write(enc('resumed'));
  p.flush();
  assert.is(text(p.events.server), 'resumed');
});

s('external PSK both sides: no certificates, the identity is known', () => {
  const psk = { identity: enc('quichs-psk'), key: new Uint8Array(32).fill(0x42) };
  const client = new TlsConnection(createTlsEngine('client', { psks: [psk], clock }));
  const server = new TlsConnection(createTlsEngine('server', { psks: [psk], clock, ticketCount: 0 }));
  client.start();
  for (let i = 0; i < 4; i++) {
    const a = client.takeOutput();
    if (a) server.receive(a);
    const b = server.takeOutput();
    if (b) client.receive(b);
  }
  assert.ok(client.handshakeComplete && server.handshakeComplete);
  assert.equal([...server.engine.pskIdentity!], [...psk.identity]);
  assert.is(server.engine.peerCertificates.length, 0);
});

s('0-RTT accepted: the server gets the early data first, then 1-RTT data; both see "accepted"', () => {
  const [session] = sessionsFrom();
  const p = pair({ client: { session, earlyData: true }, server: { earlyData: true, ticketCount: 0 }, early: enc('early bird ') });
  assert.is(p.client.earlyDataSent, 11);
  assert.is(earlyOf(p.events.server), 'early bird ');
  assert.equal(statusOf(p.events.server), ['accepted']);
  assert.equal(statusOf(p.events.client), ['accepted']);
  assert.is(text(p.events.server), '', 'nothing sent twice');
  p.client.write(enc('then 1-RTT'));
  p.flush();
  assert.is(text(p.events.server), 'then 1-RTT');
  const order = p.events.server.map((e) => e.type).filter((t) => t === 'earlyData' || t === 'handshake' || t === 'data');
  assert.equal(order, ['earlyData', 'handshake', 'data']);
});

s('0-RTT rejected by the server: skipped there, and delivered once as 1-RTT data', () => {
  const [session] = sessionsFrom();
  const p = pair({ client: { session, earlyData: true }, server: { earlyData: false, ticketCount: 0 }, early: enc('try early') });
  assert.is(p.client.earlyDataSent, 9);
  assert.equal(statusOf(p.events.client), ['rejected']);
  assert.is(earlyOf(p.events.server), '');
  assert.is(text(p.events.server), 'try early');
  assert.ok(p.server.engine.resumed, 'the session itself was still resumed');
});

s('0-RTT over max_early_data_size: the first part goes early, the rest as 1-RTT, in order', () => {
  const [session] = sessionsFrom({ maxEarlyData: 100 });
  const data = new Uint8Array(300).map((_, i) => 65 + (i % 26));
  const p = pair({ client: { session, earlyData: true }, server: { earlyData: true, maxEarlyData: 100, ticketCount: 0 }, early: data });
  assert.is(p.client.earlyDataSent, 100);
  assert.is(earlyOf(p.events.server) + text(p.events.server), Buffer.from(data).toString());
  assert.is(earlyOf(p.events.server).length, 100);
});

s('0-RTT then a HelloRetryRequest: early data refused, the second ClientHello in the clear, data delivered once', () => {
  const [session] = sessionsFrom();
  const p = pair({ client: { session, earlyData: true, keyShares: ['x25519'] }, server: { earlyData: true, groups: ['secp256r1'], ticketCount: 0 }, early: enc('before HRR') });
  assert.ok(p.client.engine.helloRetried);
  assert.ok(p.client.handshakeComplete && p.server.handshakeComplete, String(p.client.error ?? p.server.error));
  assert.equal(statusOf(p.events.client), ['rejected']);
  assert.is(earlyOf(p.events.server), '');
  assert.is(text(p.events.server), 'before HRR');
});

s.run();
