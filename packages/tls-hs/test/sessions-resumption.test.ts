/**
 * Tickets and resumption engine vs engine (both providers): NewSessionTicket issuance and the `onSession` callback,
 * exportable sessions, resumption (psk_dhe_ke, no certificates), post-handshake tickets, ticket-key rotation with
 * the renew and reject paths, fleet key sharing, the ticket-key callback, and the clean full-handshake fallbacks:
 * expired, forged and rotated-out tickets, SNI mismatch, no clock.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTlsEngine } from '../src/engine/tlsEngine.js';
import { TlsState } from '../src/engine/tlsState.js';
import { HandshakeType } from '../src/wire/constants.js';
import { decodeHandshake } from '../src/wire/handshakeMessage.js';
import { parseNewSessionTicket } from '../src/wire/newSessionTicket.js';
import { TlsSession } from '../src/session/tlsSession.js';
import { TicketKeyManager, type TicketKeyCallback } from '../src/session/ticketKeyManager.js';
import { providers } from './crypto-helpers.js';
import { rejectsAlert, runHandshake, sameBytes } from './engine-helpers.js';
import { TestClock, enginePair, firstSessions } from './sessions-helpers.js';

const HOUR = 3600_000;

for (const provider of providers) {
  const s = suite(`sessions: tickets and resumption (${provider.name})`);

  s('a full handshake gives two sessions; one resumes with psk_dhe_ke and no certificates', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager();
    const lines: string[] = [];
    const { sessions, client, server } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeys: keys, ALPNProtocols: ['h2'] });
    assert.is(sessions.length, 2);
    assert.equal(client.sessions, sessions);
    assert.is(client.tickets[0].session, sessions[0]);
    assert.not.ok(client.resumed);
    const t = sessions[0];
    assert.is(t.lifetime, 7200);
    assert.is(t.suite, client.cipherSuite!.code);
    assert.is(t.serverName, 'example.com');
    assert.is(t.receivedAt, clock.now);
    assert.is(t.maxEarlyDataSize, 0);
    assert.not.ok(sameBytes(sessions[0].ticket, sessions[1].ticket));
    assert.not.ok(sameBytes(sessions[0].psk, sessions[1].psk), 'distinct nonces give distinct PSKs');
    assert.ok(sameBytes(t.peerCertificate, client.peerCertificates[0]));
    assert.ok(server.secret('resumption') !== undefined);
    clock.advance(5000);
    const again: TlsSession[] = [];
    const { client: c2, server: s2 } = enginePair(provider,
      { clock: clock.fn, session: t, onSession: (x) => again.push(x), keylog: (l) => lines.push(l) },
      { clock: clock.fn, ticketKeys: keys });
    const trace: [string, number][] = [];
    await runHandshake(c2, s2, { trace });
    for (const e of [c2, s2]) {
      assert.ok(e.resumed);
      assert.is(e.pskMode, 'psk_dhe_ke');
      assert.is(e.pskIdentity, undefined);
      assert.is(e.signatureScheme, undefined);
      assert.is(e.state, TlsState.CONNECTED);
    }
    assert.ok(sameBytes(c2.peerCertificates[0], t.peerCertificate), 'the original server certificate is remembered');
    assert.ok(sameBytes(c2.secret('master'), s2.secret('master')));
    assert.ok(sameBytes(c2.secret('earlyExporter'), s2.secret('earlyExporter')));
    assert.is(again.length, 1, 'one ticket after a resumed handshake');
    assert.ok(lines.some((l) => l.startsWith('EARLY_EXPORTER_SECRET ')));
    // exporters agree after resumption, early exporter too
    assert.equal(c2.exportKeyingMaterial(32, 'EXPERIMENTAL x'), s2.exportKeyingMaterial(32, 'EXPERIMENTAL x'));
    assert.equal(c2.exportEarlyKeyingMaterial(16, 'EXPERIMENTAL e', Uint8Array.of(1)), s2.exportEarlyKeyingMaterial(16, 'EXPERIMENTAL e', Uint8Array.of(1)));
    assert.not.equal(c2.exportEarlyKeyingMaterial(16, 'EXPERIMENTAL e'), c2.exportKeyingMaterial(16, 'EXPERIMENTAL e'));
  });

  s('sessions survive toBytes/fromBytes and can be passed as bytes; one byte at a time still resumes', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager();
    const { sessions } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeys: keys });
    const bytes = sessions[1].toBytes();
    const back = TlsSession.fromBytes(bytes);
    assert.equal(back, sessions[1]);
    const { client, server } = enginePair(provider, { clock: clock.fn, session: bytes }, { clock: clock.fn, ticketKeys: keys });
    await runHandshake(client, server, { chunk: 1 });
    assert.ok(server.resumed);
    await rejectsAlert(() => TlsSession.fromBytes(bytes.subarray(0, 10)), 'decode_error');
    const wrong = bytes.slice();
    wrong[0] = 9;
    await rejectsAlert(() => TlsSession.fromBytes(wrong), 'decode_error');
  });

  s('post("newSessionTicket") sends more tickets; ticket counts and lifetime are options', async () => {
    const clock = new TestClock();
    const { sessions, client, server } = await firstSessions(provider, { clock: clock.fn },
      { clock: clock.fn, ticketKeys: new TicketKeyManager(), ticketCount: 1, ticketLifetime: 60 });
    assert.is(sessions.length, 1);
    assert.is(sessions[0].lifetime, 60);
    const more = server.post('newSessionTicket', { count: 3 });
    assert.equal(more.map((f) => f.level), ['application']);
    const nsts: number[] = [];
    for (let o = 0; o < more[0].data.length;) {
      const m = decodeHandshake(more[0].data.subarray(o, o + 4 + ((more[0].data[o + 1] << 16) | (more[0].data[o + 2] << 8) | more[0].data[o + 3])));
      assert.is(m.type, HandshakeType.new_session_ticket);
      nsts.push(parseNewSessionTicket(m.body).nonce[0]);
      o += m.raw.length;
    }
    assert.equal(nsts, [1, 2, 3], 'nonces keep counting per connection');
    client.handshake(more[0].data);
    assert.is(sessions.length, 4);
    await rejectsAlert(() => client.post('newSessionTicket'), 'internal_error');
    assert.throws(() => createTlsEngine('server', { ticketLifetime: 604801 }), RangeError);
    // no clock: no tickets, and post() says why
    const { client: c2, server: s2 } = enginePair(provider);
    await runHandshake(c2, s2);
    assert.is(c2.sessions.length, 0);
    await rejectsAlert(() => s2.post('newSessionTicket'), 'internal_error');
  });

  s('expired tickets: the client stops offering them, the server ignores them → full handshake', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager();
    const { sessions } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeys: keys, ticketLifetime: 100 });
    const later = new TestClock();
    later.now = clock.now + 101_000;
    // client with the original clock still thinks it is fresh; the server knows better
    const { client, server } = enginePair(provider, { clock: clock.fn, session: sessions[0] }, { clock: later.fn, ticketKeys: keys });
    await runHandshake(client, server);
    assert.not.ok(server.resumed);
    assert.not.ok(client.resumed);
    assert.is(client.peerCertificates.length, 1);
    const { client: c2, server: s2 } = enginePair(provider, { clock: later.fn, session: sessions[0] }, { clock: later.fn, ticketKeys: keys });
    const hello = c2.handshake(null);
    assert.ok(hello.out.length > 0);
    assert.is(c2.earlyDataStatus, 'none');
    s2.handshake(hello.out);
    assert.not.ok(s2.resumed);
  });

  s('forged tickets: a flipped ticket byte → full handshake; a wrong PSK with a real ticket → decrypt_error', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager();
    const { sessions } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeys: keys });
    const t = sessions[0];
    for (const at of [0, 20, t.ticket.length - 1]) {
      const ticket = t.ticket.slice();
      ticket[at] ^= 0x40;
      const { client, server } = enginePair(provider, { clock: clock.fn, session: new TlsSession({ ...t, ticket }) }, { clock: clock.fn, ticketKeys: keys });
      await runHandshake(client, server);
      assert.not.ok(server.resumed, `byte ${at}`);
      assert.is(server.state, TlsState.CONNECTED);
    }
    const psk = t.psk.slice();
    psk[0] ^= 1;
    const { client, server } = enginePair(provider, { clock: clock.fn, session: new TlsSession({ ...t, psk }) }, { clock: clock.fn, ticketKeys: keys });
    await rejectsAlert(runHandshake(client, server), 'decrypt_error');
  });

  s('rotation: current key → use; previous key → renew (resume + a fresh ticket); rotated out → full handshake', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager({ rotationInterval: HOUR });
    const server = { clock: clock.fn, ticketKeys: keys, resumedTicketCount: 0 };
    const { sessions } = await firstSessions(provider, { clock: clock.fn }, server);
    const firstKey = keys.current!;
    // use: same key, reusable-ticket deployment issues nothing new
    let got: TlsSession[] = [];
    let p = enginePair(provider, { clock: clock.fn, session: sessions[0], onSession: (x) => got.push(x) }, server);
    await runHandshake(p.client, p.server);
    assert.ok(p.server.resumed);
    assert.is(got.length, 0);
    // renew: after one interval the key is the previous one; the ticket still resumes and is replaced
    clock.advance(HOUR + 1);
    got = [];
    p = enginePair(provider, { clock: clock.fn, session: sessions[0], onSession: (x) => got.push(x) }, server);
    await runHandshake(p.client, p.server);
    assert.ok(p.server.resumed);
    assert.is(keys.previous, firstKey);
    assert.is(got.length, 1);
    assert.ok(sameBytes(got[0].ticket.subarray(0, 16), keys.current!.name), 'replacement sealed under the current key');
    // the replacement resumes under the new key
    p = enginePair(provider, { clock: clock.fn, session: got[0] }, server);
    await runHandshake(p.client, p.server);
    assert.ok(p.server.resumed);
    // reject: two intervals later the first key is gone; the old ticket means a full handshake
    clock.advance(2 * HOUR);
    p = enginePair(provider, { clock: clock.fn, session: sessions[1] }, { ...server, ticketLifetime: 7200 });
    await runHandshake(p.client, p.server);
    assert.not.ok(p.server.resumed);
    assert.is(p.client.peerCertificates.length, 1);
  });

  s('a fleet: exported keys let another server resume; a server with other keys does a full handshake', async () => {
    const clock = new TestClock();
    const a = new TicketKeyManager();
    const { sessions } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeys: a });
    const b = new TicketKeyManager({ keys: a.export(), autoRotate: false });
    let p = enginePair(provider, { clock: clock.fn, session: sessions[0] }, { clock: clock.fn, ticketKeys: b });
    await runHandshake(p.client, p.server);
    assert.ok(p.server.resumed);
    p = enginePair(provider, { clock: clock.fn, session: sessions[1] }, { clock: clock.fn, ticketKeys: new TicketKeyManager() });
    await runHandshake(p.client, p.server);
    assert.not.ok(p.server.resumed);
    await rejectsAlert(() => new TicketKeyManager({ keys: Uint8Array.of(1, 3) }), 'decode_error');
  });

  s('the ticket-key callback decides: reject on encrypt issues nothing, reject on decrypt means a full handshake', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager();
    const calls: string[] = [];
    let refuse: 'encrypt' | 'decrypt' | undefined;
    const cb: TicketKeyCallback = (name, mode, now) => {
      calls.push(`${mode}:${name === undefined ? '-' : name.length}`);
      assert.is(now, clock.now);
      return mode === refuse ? { action: 'reject' } : keys.decide(name, mode, now);
    };
    const { sessions } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeyCallback: cb, ticketCount: 1 });
    assert.equal(calls, ['encrypt:-']);
    refuse = 'decrypt';
    let p = enginePair(provider, { clock: clock.fn, session: sessions[0] }, { clock: clock.fn, ticketKeyCallback: cb });
    await runHandshake(p.client, p.server);
    assert.not.ok(p.server.resumed);
    assert.ok(calls.includes('decrypt:16'));
    refuse = 'encrypt';
    p = enginePair(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeyCallback: cb });
    await runHandshake(p.client, p.server);
    assert.is(p.client.sessions.length, 0);
  });

  s('SNI must match: the client keeps a session to its host; the server refuses a ticket for another name', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager();
    const { sessions } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn, ticketKeys: keys });
    let p = enginePair(provider, { clock: clock.fn, session: sessions[0], servername: 'other.example' }, { clock: clock.fn, ticketKeys: keys });
    await runHandshake(p.client, p.server);
    assert.not.ok(p.client.resumed);
    const relabeled = new TlsSession({ ...sessions[0], serverName: 'other.example' });
    p = enginePair(provider, { clock: clock.fn, session: relabeled, servername: 'other.example' }, { clock: clock.fn, ticketKeys: keys });
    await runHandshake(p.client, p.server);
    assert.not.ok(p.server.resumed);
  });

  s('resumption with another suite of the same hash, with an HRR, and in QUIC mode', async () => {
    const clock = new TestClock();
    const keys = new TicketKeyManager();
    const { sessions } = await firstSessions(provider, { clock: clock.fn, ciphers: ['TLS_AES_128_GCM_SHA256'] }, { clock: clock.fn, ticketKeys: keys });
    let p = enginePair(provider, { clock: clock.fn, session: sessions[0], ciphers: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] },
      { clock: clock.fn, ticketKeys: keys, ciphers: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] });
    await runHandshake(p.client, p.server);
    assert.ok(p.server.resumed);
    assert.is(p.server.cipherSuite!.name, 'TLS_AES_128_GCM_SHA256', 'the ticket\'s own suite is preferred');
    // a client that no longer offers the session's suite does not offer the session
    p = enginePair(provider, { clock: clock.fn, session: sessions[0], ciphers: ['TLS_AES_256_GCM_SHA384'] }, { clock: clock.fn, ticketKeys: keys });
    await runHandshake(p.client, p.server);
    assert.not.ok(p.client.resumed);
    // HRR: the ticket is re-offered with a new binder in the second ClientHello
    p = enginePair(provider, { clock: clock.fn, session: sessions[1], keyShares: ['x25519'] }, { clock: clock.fn, ticketKeys: keys, groups: ['secp384r1'] });
    await runHandshake(p.client, p.server);
    assert.ok(p.client.helloRetried);
    assert.ok(p.server.resumed);
    // QUIC: sessions remember the server's transport parameters
    const tpC = Uint8Array.of(1, 2, 3);
    const tpS = Uint8Array.of(4, 5, 6);
    const quic = { quic: true, ALPNProtocols: ['h3'], clock: clock.fn };
    const q = await firstSessions(provider, { ...quic, transportParameters: tpC }, { ...quic, transportParameters: tpS, ticketKeys: keys });
    assert.ok(q.sessions[0].quic);
    assert.equal(q.sessions[0].transportParameters, tpS);
    assert.is(q.sessions[0].alpn, 'h3');
    p = enginePair(provider, { ...quic, transportParameters: tpC, session: q.sessions[0] }, { ...quic, transportParameters: tpS, ticketKeys: keys });
    await runHandshake(p.client, p.server);
    assert.ok(p.server.resumed);
  });

  s.run();
}
