/**
 * 0-RTT engine vs engine (both providers). QUIC mode: the client's early secret right after the ClientHello, the
 * server's acceptance visible at RCVD (what the QUIC switch installs 0-RTT keys on), no EndOfEarlyData, tickets with
 * max_early_data_size 0xffffffff, transport parameters compared through ticketAppData + acceptEarlyData. TCP: early
 * records, EndOfEarlyData and the key switches over the record layer, max_early_data_size enforced, refused early
 * data skipped (also after an HRR). Every refusal reason, and replay: the same 0-RTT flight sent twice is refused the
 * second time while the handshake goes on as 1-RTT (client-hello recording and single-use tickets).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CryptoProvider } from '../src/crypto/provider.js';
import { TlsAlert } from '../src/alerts.js';
import { TlsState, type TlsFlight } from '../src/engine/tlsState.js';
import type { TlsEngineOptions } from '../src/engine/options.js';
import { HandshakeType } from '../src/wire/constants.js';
import { encodeHandshake } from '../src/wire/handshakeMessage.js';
import { encodeNewSessionTicket } from '../src/wire/newSessionTicket.js';
import { encodeMaxEarlyDataSize } from '../src/wire/extensions/earlyData.js';
import { RecordCipher } from '../src/record/recordCipher.js';
import { AntiReplay } from '../src/session/antiReplay.js';
import { TicketKeyManager } from '../src/session/ticketKeyManager.js';
import type { TlsSession } from '../src/session/tlsSession.js';
import type { EarlyDataOffer } from '../src/session/earlyData.js';
import type { TicketOffer } from '../src/session/pskSelection.js';
import { providers } from './crypto-helpers.js';
import { rejectsAlert, runHandshake, sameBytes } from './engine-helpers.js';
import { RecordPeer, TestClock, enginePair, exchange, firstSessions } from './sessions-helpers.js';
import { concat } from './wire-helpers.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface World {
  clock: TestClock;
  keys: TicketKeyManager;
  antiReplay: AntiReplay;
  client: TlsEngineOptions;
  server: TlsEngineOptions;
}

function quicWorld(): World {
  const clock = new TestClock();
  const keys = new TicketKeyManager();
  const antiReplay = new AntiReplay();
  const common = { quic: true, ALPNProtocols: ['h3'], clock: clock.fn, earlyData: true };
  return {
    clock,
    keys,
    antiReplay,
    client: { ...common, transportParameters: Uint8Array.of(0x0f, 1) },
    server: { ...common, transportParameters: Uint8Array.of(0x0e, 2), ticketKeys: keys, antiReplay, ticketAppData: enc.encode('tp:v1') },
  };
}

function tcpWorld(): World {
  const clock = new TestClock();
  const keys = new TicketKeyManager();
  const antiReplay = new AntiReplay();
  return {
    clock,
    keys,
    antiReplay,
    client: { clock: clock.fn, earlyData: true },
    server: { clock: clock.fn, earlyData: true, ticketKeys: keys, antiReplay, maxEarlyData: 1000 },
  };
}

async function sessionOf(provider: CryptoProvider, w: World): Promise<TlsSession> {
  const { sessions } = await firstSessions(provider, w.client, w.server);
  w.clock.advance(1500);
  return sessions[0];
}

for (const provider of providers) {
  const s = suite(`sessions: 0-RTT (${provider.name})`);

  s('QUIC: early secret after the ClientHello, acceptance at RCVD, no EndOfEarlyData, 0-RTT keys agree', async () => {
    const w = quicWorld();
    const session = await sessionOf(provider, w);
    assert.is(session.maxEarlyDataSize, 0xffffffff);
    assert.ok(session.allowsEarlyData(true));
    assert.not.ok(session.allowsEarlyData(false));
    const offers: EarlyDataOffer[] = [];
    const lines: string[] = [];
    const { client, server } = enginePair(provider, { ...w.client, session, keylog: (l) => lines.push(l) },
      { ...w.server, acceptEarlyData: (o) => (offers.push(o), true) });
    const hello = client.handshake(null);
    assert.is(hello.state, TlsState.START);
    assert.is(client.earlyDataStatus, 'offered');
    assert.ok(client.secret('clientEarly') !== undefined);
    assert.is(client.earlyCipherSuite!.code, session.suite);
    assert.equal(lines.map((l) => l.split(' ')[0]), ['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']);
    const sh = server.handshake(hello.out, 'initial');
    assert.is(sh.state, TlsState.RCVD);
    assert.is(server.earlyDataStatus, 'accepted');
    assert.ok(sameBytes(server.secret('clientEarly'), client.secret('clientEarly')));
    assert.is(server.earlyCipherSuite, server.cipherSuite);
    assert.equal(offers.map((o) => [dec.decode(o.appData), o.alpn, o.quic, o.ticketAge]), [['tp:v1', 'h3', true, 1500]]);
    assert.equal(server.sessionAppData, enc.encode('tp:v1'));
    // 0-RTT packets protected with the early key open on the server
    const sealed = new RecordCipher(provider, client.earlyCipherSuite!, client.secret('clientEarly')!).seal(23, enc.encode('GET /'));
    const opened = new RecordCipher(provider, server.cipherSuite!, server.secret('clientEarly')!).open(sealed.subarray(0, 5), sealed.subarray(5));
    assert.is(dec.decode(opened.content), 'GET /');
    assert.is(server.readLevel, 'handshake');
    const flight = server.handshake(null);
    assert.equal(flight.flights.map((f) => f.level), ['handshake']);
    const cr = client.handshake(sh.out, 'initial');
    assert.is(cr.state, TlsState.RCVD);
    assert.is(client.earlyDataStatus, 'offered');
    const fin = client.handshake(flight.out, 'handshake');
    assert.is(fin.state, TlsState.CONNECTED);
    assert.is(client.earlyDataStatus, 'accepted');
    assert.equal(fin.flights.map((f: TlsFlight) => f.level), ['handshake'], 'no EndOfEarlyData in QUIC');
    const done = server.handshake(fin.out, 'handshake');
    assert.is(done.state, TlsState.CONNECTED);
    assert.ok(done.flights.every((f) => f.level === 'application'), 'tickets in 1-RTT');
    assert.equal(client.exportEarlyKeyingMaterial(32, 'EXPERIMENTAL early'), server.exportEarlyKeyingMaterial(32, 'EXPERIMENTAL early'));
  });

  s('QUIC: the acceptTicket hook sees each offered ticket with its appData; false ignores it → full handshake, no 0-RTT', async () => {
    const w = quicWorld();
    const session = await sessionOf(provider, w);
    const seen: TicketOffer[] = [];
    // refused: the PSK is not used, the server authenticates with its certificate, 0-RTT is rejected
    let p = enginePair(provider, { ...w.client, session }, { ...w.server, acceptTicket: (t) => (seen.push(t), dec.decode(t.appData) === 'tp:v2') });
    await runHandshake(p.client, p.server);
    assert.is(seen.length, 1);
    assert.equal(
      seen.map((t) => [dec.decode(t.appData), t.alpn, t.quic, t.maxEarlyDataSize, t.issuedAt]),
      [['tp:v1', 'h3', true, 0xffffffff, session.receivedAt]],
    );
    for (const e of [p.client, p.server]) {
      assert.not.ok(e.resumed);
      assert.is(e.earlyDataStatus, 'rejected');
      assert.is(e.state, TlsState.CONNECTED);
      assert.ok(e.signatureScheme !== undefined, 'certificate authentication');
    }
    assert.is(p.server.earlyDataRejection, 'ticket');
    assert.is(p.server.sessionAppData, undefined);
    // accepted: resumption and 0-RTT go on as without the hook
    p = enginePair(provider, { ...w.client, session }, { ...w.server, acceptTicket: (t) => dec.decode(t.appData) === 'tp:v1' });
    await runHandshake(p.client, p.server);
    assert.ok(p.server.resumed && p.client.resumed);
    assert.is(p.server.earlyDataStatus, 'accepted');
  });

  s('QUIC: the server policy (transport parameters via ticketAppData) and the ticket checks refuse 0-RTT cleanly', async () => {
    const w = quicWorld();
    const session = await sessionOf(provider, w);
    const cases: [string, TlsEngineOptions, TlsEngineOptions][] = [
      ['policy', {}, { acceptEarlyData: (o) => dec.decode(o.appData) === 'tp:v2' }],
      ['disabled', {}, { earlyData: false }],
      ['alpn', { ALPNProtocols: ['h3', 'hq-interop'] }, { ALPNProtocols: ['hq-interop', 'h3'] }],
    ];
    for (const [reason, co, so] of cases) {
      const { client, server } = enginePair(provider, { ...w.client, session, ...co }, { ...w.server, ...so });
      await runHandshake(client, server);
      assert.ok(server.resumed, reason);
      assert.is(server.earlyDataStatus, 'rejected', reason);
      assert.is(server.earlyDataRejection, reason);
      assert.is(client.earlyDataStatus, 'rejected', reason);
      assert.is(server.secret('clientEarly'), undefined);
    }
    // client-side: no earlyData flag, or a TCP session in QUIC → nothing offered
    let p = enginePair(provider, { ...w.client, session, earlyData: false }, w.server);
    p.client.handshake(null);
    assert.is(p.client.earlyDataStatus, 'none');
    assert.is(p.client.secret('clientEarly'), undefined);
    const t = tcpWorld();
    const tcpSession = await sessionOf(provider, t);
    assert.not.ok(tcpSession.allowsEarlyData(true));
    p = enginePair(provider, { ...w.client, session: tcpSession }, w.server);
    p.client.handshake(null);
    assert.is(p.client.earlyDataStatus, 'none');
  });

  s('freshness: a ticket age outside the tolerance refuses 0-RTT but still resumes', async () => {
    const w = quicWorld();
    const session = await sessionOf(provider, w);
    const skewed = new TestClock();
    skewed.now = w.clock.now + 20_000;
    const { client, server } = enginePair(provider, { ...w.client, clock: skewed.fn, session }, w.server);
    await runHandshake(client, server);
    assert.ok(server.resumed);
    assert.is(server.earlyDataRejection, 'age');
  });

  s('replay: the same 0-RTT ClientHello again is refused (client-hello recording), the handshake goes on 1-RTT', async () => {
    const w = quicWorld();
    const session = await sessionOf(provider, w);
    const { client, server } = enginePair(provider, { ...w.client, session }, w.server);
    const hello = client.handshake(null);
    const first = server.handshake(hello.out);
    assert.is(server.earlyDataStatus, 'accepted');
    // an attacker replays the captured flight to another server of the same deployment
    const { server: replayed } = enginePair(provider, {}, w.server);
    const r = replayed.handshake(hello.out);
    assert.is(r.state, TlsState.RCVD);
    assert.is(replayed.earlyDataStatus, 'rejected');
    assert.is(replayed.earlyDataRejection, 'replay');
    assert.ok(replayed.resumed);
    assert.is(replayed.secret('clientEarly'), undefined);
    assert.is(replayed.handshake(null).state, TlsState.WAIT);
    // the genuine connection completes with its early data accepted
    const rest = server.handshake(null);
    client.handshake(first.out);
    const fin = client.handshake(rest.out);
    assert.is(server.handshake(fin.out).state, TlsState.CONNECTED);
    assert.is(client.earlyDataStatus, 'accepted');
    // once the recording window has passed, the same ClientHello fails the age check instead
    w.clock.advance(11_000);
    const { server: late } = enginePair(provider, {}, w.server);
    late.handshake(hello.out);
    assert.is(late.earlyDataRejection, 'age');
  });

  s('single-use tickets: a second connection with the same ticket gets no 0-RTT', async () => {
    const w = quicWorld();
    const single = new AntiReplay({ mode: 'single-use' });
    const session = await sessionOf(provider, w);
    for (const expected of ['accepted', 'rejected'] as const) {
      const { client, server } = enginePair(provider, { ...w.client, session }, { ...w.server, antiReplay: single });
      await runHandshake(client, server);
      assert.is(server.earlyDataStatus, expected);
      assert.is(client.earlyDataStatus, expected);
      assert.ok(server.resumed);
    }
    assert.is(single.size, 1);
  });

  s('QUIC: a NewSessionTicket with max_early_data_size other than 0xffffffff is a PROTOCOL_VIOLATION', async () => {
    const w = quicWorld();
    const { client, server } = enginePair(provider, w.client, { ...w.server, ticketCount: 0 });
    await runHandshake(client, server);
    const nst = encodeHandshake(HandshakeType.new_session_ticket, encodeNewSessionTicket({
      lifetime: 100, ageAdd: 1, nonce: Uint8Array.of(0), ticket: Uint8Array.of(1, 2, 3),
      extensions: [{ type: 42, data: encodeMaxEarlyDataSize(16384) }],
    }));
    const e = await rejectsAlert(() => client.handshake(nst, 'application'), 'illegal_parameter');
    assert.is(e.quicTransportError, 0x0a);
    // the engine stays failed with the same alert
    await rejectsAlert(() => client.handshake(new Uint8Array(0)), 'illegal_parameter');
  });

  s('TCP: early records, EndOfEarlyData and key switches over the record layer; early data is counted', async () => {
    const w = tcpWorld();
    const session = await sessionOf(provider, w);
    assert.is(session.maxEarlyDataSize, 1000);
    for (const chunk of [Number.MAX_SAFE_INTEGER, 7]) {
      const { client, server } = enginePair(provider, { ...w.client, session }, w.server);
      const c = new RecordPeer(client);
      const sv = new RecordPeer(server);
      exchange(c, sv, c.start(enc.encode('early hello')), chunk);
      assert.is(client.state, TlsState.CONNECTED);
      assert.is(server.state, TlsState.CONNECTED);
      assert.is(client.earlyDataStatus, 'accepted');
      assert.equal(sv.early.map((b) => dec.decode(b)), ['early hello']);
      assert.ok(client.maxEarlyDataSize === 1000 && server.maxEarlyDataSize === 1000);
      sv.receive(c.write(enc.encode('1-rtt')));
      assert.is(dec.decode(sv.app[0]), '1-rtt');
    }
  });

  s('TCP: more early data than max_early_data_size → unexpected_message', async () => {
    const w = tcpWorld();
    const session = await sessionOf(provider, w);
    const { client, server } = enginePair(provider, { ...w.client, session }, w.server);
    const c = new RecordPeer(client);
    const sv = new RecordPeer(server);
    const first = c.start(new Uint8Array(900));
    first.push(c.records.writeApplicationData(new Uint8Array(101)));
    await rejectsAlert(() => sv.receive(concat(...first)), 'unexpected_message');
    await rejectsAlert(() => server.receiveEarlyData(1), 'unexpected_message');
  });

  s('TCP: refused early data is skipped (policy, and after a HelloRetryRequest); the client learns it', async () => {
    const w = tcpWorld();
    const session = await sessionOf(provider, w);
    for (const [so, reason] of [[{ earlyData: false }, 'disabled'], [{ groups: ['secp384r1'] }, 'hello-retry']] as const) {
      const { client, server } = enginePair(provider, { ...w.client, session, keyShares: ['x25519'] }, { ...w.server, ...so });
      const c = new RecordPeer(client);
      const sv = new RecordPeer(server);
      exchange(c, sv, c.start(enc.encode('lost 0-rtt')));
      assert.is(server.state, TlsState.CONNECTED, reason);
      assert.is(server.earlyDataRejection, reason);
      assert.is(client.earlyDataStatus, 'rejected');
      assert.equal(sv.early, []);
      assert.ok(server.resumed);
      sv.receive(c.write(enc.encode('again, 1-rtt')));
      assert.is(dec.decode(sv.app[0]), 'again, 1-rtt');
    }
    // early data beyond the skip budget is not silently swallowed
    const { client, server } = enginePair(provider, { ...w.client, session }, { ...w.server, earlyData: false, maxEarlyData: 100 });
    const c = new RecordPeer(client);
    const sv = new RecordPeer(server);
    try {
      exchange(c, sv, c.start(new Uint8Array(500)));
      assert.unreachable('oversized refused early data must fail');
    } catch (e) {
      assert.ok(e instanceof TlsAlert && e.alert === 'bad_record_mac', String(e));
    }
  });

  s('TCP: early_data in the second ClientHello → illegal_parameter', async () => {
    const w = tcpWorld();
    const session = await sessionOf(provider, w);
    const { client, server } = enginePair(provider, { ...w.client, session, keyShares: ['x25519'] }, { ...w.server, groups: ['secp256r1'] });
    const hello = client.handshake(null);
    const hrr = server.handshake(hello.out);
    assert.is(hrr.state, TlsState.START);
    // the genuine client drops early_data; replaying the first ClientHello (with early_data) is refused
    await rejectsAlert(() => server.handshake(hello.out), 'illegal_parameter');
  });

  s.run();
}
