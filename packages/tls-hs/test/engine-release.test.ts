/**
 * What a connected engine keeps once it dropped its handshake-only state (transcript, reassembly buffer, ClientHello,
 * offers, views into received messages): every getter still answers as before — the peer's extensions, transport
 * parameters and certificates, the secrets, the tickets and sessions — and post-handshake messages still work.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsState } from '../src/engine/tlsState.js';
import { Transcript } from '../src/keyschedule/transcript.js';
import { HandshakeReassembler } from '../src/wire/handshakeMessage.js';
import { packExtensions, unpackExtensions } from '../src/wire/extensions/extensionList.js';
import { provider, sameBytes } from './engine-helpers.js';
import { TestClock, firstSessions } from './sessions-helpers.js';

const s = suite('engine: state after the handshake');

s('packExtensions / unpackExtensions round-trip, empty data and a 64 KiB value included', () => {
  const list = [
    { type: 0x0000, data: new Uint8Array(0) },
    { type: 0xff77, data: Uint8Array.of(1, 2, 3) },
    { type: 0x0039, data: new Uint8Array(0xffff).fill(9) },
  ];
  const block = packExtensions(list);
  assert.is(block.length, 3 * 4 + 3 + 0xffff);
  const back = unpackExtensions(block);
  assert.equal(back.map((e) => e.type), list.map((e) => e.type));
  for (let i = 0; i < list.length; i++) assert.ok(sameBytes(back[i].data, list[i].data));
  assert.equal(unpackExtensions(new Uint8Array(0)), []);
});

s('a released transcript refuses further use; an emptied reassembler still reassembles', () => {
  const t = new Transcript(provider, 'sha256');
  t.update(Uint8Array.of(1, 0, 0, 0));
  t.release();
  assert.throws(() => t.digest(), /released/);
  assert.throws(() => t.update(Uint8Array.of(1, 0, 0, 0)), /released/);
  const r = new HandshakeReassembler();
  assert.is(r.push(Uint8Array.of(4, 0, 0, 2, 7)).length, 0);
  r.compact(); // a partial message is kept
  const msgs = r.push(Uint8Array.of(8));
  assert.is(msgs.length, 1);
  assert.equal([...msgs[0].body], [7, 8]);
  r.compact();
  assert.is(r.push(Uint8Array.of(4, 0, 0, 1)).length, 0);
  assert.is(r.push(Uint8Array.of(5))[0].body[0], 5);
});

s('QUIC: peer extensions, transport parameters, tickets and sessions are intact after CONNECTED', async () => {
  const clock = new TestClock();
  const tpC = Uint8Array.of(1, 2, 3);
  const tpS = Uint8Array.of(4, 5, 6, 7);
  const quic = { quic: true, ALPNProtocols: ['h3'], clock: clock.fn };
  const { sessions, client, server } = await firstSessions(
    provider,
    { ...quic, transportParameters: tpC, extensions: [{ type: 0xff77, data: Uint8Array.of(0xc1) }] },
    { ...quic, transportParameters: tpS, earlyData: true },
  );
  assert.is(client.state, TlsState.CONNECTED);
  assert.is(server.state, TlsState.CONNECTED);
  const fromClient = server.peerExtensions;
  assert.ok(sameBytes(fromClient.find((e) => e.type === 0xff77)?.data, Uint8Array.of(0xc1)));
  assert.ok(sameBytes(fromClient.find((e) => e.type === 0x39)?.data, tpC));
  assert.ok(fromClient.some((e) => e.type === 51), 'key_share is still listed');
  assert.is(server.peerExtensions, fromClient, 'unpacked once, then the same list');
  const fromServer = client.peerExtensions;
  assert.ok(sameBytes(fromServer.find((e) => e.type === 0x39)?.data, tpS));
  assert.ok(fromServer.some((e) => e.type === 16), 'ALPN is still listed');
  assert.ok(sameBytes(client.peerTransportParameters, tpS));
  assert.ok(sameBytes(server.peerTransportParameters, tpC));
  assert.is(client.peerCertificates.length, 1);
  for (const name of ['handshake', 'master', 'resumption', 'clientHandshake', 'serverApplication', 'exporter'] as const) {
    assert.ok(sameBytes(client.secret(name), server.secret(name)), name);
  }
  assert.is(client.exportKeyingMaterial(16, 'label').length, 16);
  // tickets: the kept message matches its session, and every session remembers the server's parameters
  assert.is(sessions.length, 2);
  assert.equal(client.sessions, sessions);
  for (const t of client.tickets) {
    assert.ok(sameBytes(t.ticket.ticket, t.session.ticket));
    assert.is(t.ticket.lifetime, t.session.lifetime);
    assert.is(t.ticket.ageAdd, t.session.ageAdd);
    assert.is(t.ticket.extensions.find((e) => e.type === 42)?.data.length, 4, 'early_data with max_early_data_size');
    assert.ok(sameBytes(t.session.transportParameters, tpS));
  }
  assert.not.ok(sameBytes(client.tickets[0].ticket.nonce, client.tickets[1].ticket.nonce));
  // a later ticket is still received and turned into a session
  const more = server.post('newSessionTicket');
  assert.is(more.length, 1);
  client.handshake(more[0].data, 'application');
  assert.is(client.sessions.length, 3);
  assert.ok(sameBytes(client.sessions[2].transportParameters, tpS));
});

s('TCP: KeyUpdate both ways after CONNECTED', async () => {
  const clock = new TestClock();
  const { client, server } = await firstSessions(provider, { clock: clock.fn }, { clock: clock.fn });
  const before = client.secret('clientApplication')!;
  const ku = client.post('keyUpdate', { requestPeer: true });
  const answer = server.handshake(ku[0].data);
  assert.ok(sameBytes(server.secret('clientApplication'), client.secret('clientApplication')));
  assert.not.ok(sameBytes(before, client.secret('clientApplication')));
  client.handshake(answer.out);
  assert.ok(sameBytes(server.secret('serverApplication'), client.secret('serverApplication')));
});

s.run();
