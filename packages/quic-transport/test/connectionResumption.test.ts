/**
 * Session resumption and 0-RTT over QUIC (RFC 9001 §4.5–4.6, RFC 9000 §7.4.1) with the tls-hs session work:
 * NewSessionTickets in 1-RTT CRYPTO, resumed handshakes, 0-RTT stream data accepted, and rejected cleanly (the data is
 * sent again in 1-RTT) when the server refuses early data or lowered the limits the ticket promised.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AntiReplay,
  encodeHandshake,
  encodeMaxEarlyDataSize,
  encodeNewSessionTicket,
  ExtensionType,
  HandshakeType,
  TlsSession,
} from '@quichs/tls-hs';
import {
  decodeTransportParameters,
  encodeTransportParameters,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  QuicError,
  TransportErrorCode,
  ZeroRttRejectedError,
} from '../src/index.js';
import type { ConnectionCoreEvent, Connection } from '../src/index.js';
import { createPair, drainEvents, type PairOptions } from './support/quicFixtures.js';
import { pattern, sameBytes } from './support/transfer.js';

const s = suite('connectionResumption');

/** A first connection that hands out tickets; returns its pair and the sessions the client got. */
function firstConnection(o: PairOptions = {}): { sessions: TlsSession[]; pair: ReturnType<typeof createPair> } {
  const pair = createPair(o);
  assert.ok(pair.handshake());
  const sessions: TlsSession[] = [];
  pair.net.run(() => sessions.length >= 2, {
    maxTime: 2000,
    onStep: () => {
      for (const e of drainEvents(pair.client)) if (e?.type === 'session') sessions.push(e.session);
    },
  });
  return { sessions, pair };
}

function handshakeEvent(events: (ConnectionCoreEvent | undefined)[]) {
  return events.find((e) => e?.type === 'handshakeCompleted') as Extract<ConnectionCoreEvent, { type: 'handshakeCompleted' }> | undefined;
}

/** Writes `data` on a new stream right after connecting (0-RTT if allowed) and reads it at the server. */
function earlyTransfer(pair: ReturnType<typeof createPair>, client: Connection, data: Uint8Array) {
  const index = pair.servers.length; // the server connection this client will get
  const id = client.openStream(true);
  assert.is(client.writeStream(id, data), data.length);
  client.endStream(id);
  const got: Uint8Array[] = [];
  let fin = false;
  const serverEvents: (ConnectionCoreEvent | undefined)[] = [];
  const clientEvents: (ConnectionCoreEvent | undefined)[] = [];
  const server = () => pair.servers[index];
  pair.net.run(() => fin && client.handshakeComplete, {
    maxTime: 10_000,
    onStep: () => {
      clientEvents.push(...drainEvents(client));
      const srv = server();
      if (srv === undefined) return;
      serverEvents.push(...drainEvents(srv));
      for (let r = srv.readStream(id); r !== undefined; r = srv.readStream(id)) {
        got.push(r.data.slice());
        if (r.fin) fin = true;
      }
    },
  });
  const all = new Uint8Array(got.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const g of got) {
    all.set(g, o);
    o += g.length;
  }
  return { received: all, fin, serverEvents, clientEvents };
}

s('the server sends NewSessionTickets; the client resumes with one (no certificate, resumed = true)', () => {
  const { sessions, pair } = firstConnection();
  assert.is(sessions.length, 2);
  assert.ok(sessions[0].transportParameters !== undefined, 'the session remembers the server transport parameters');
  const second = pair.connect({ tls: { session: sessions[0] } });
  pair.net.run(() => second.handshakeComplete && pair.servers[1]?.handshakeComplete === true, { maxTime: 5000 });
  assert.ok(second.tls.resumed);
  assert.ok(pair.servers[1].tls.resumed);
  const ev = handshakeEvent(drainEvents(second));
  assert.is(ev?.resumed, true);
  assert.is(ev?.earlyDataAccepted, false);
});

s('0-RTT accepted: stream data sent before the handshake completes arrives from 0-RTT packets', () => {
  const antiReplay = new AntiReplay();
  const serverTls = { earlyData: true, antiReplay };
  const { sessions, pair } = firstConnection({ server: { tls: serverTls } });
  let zeroRttDatagrams = 0;
  pair.net.tap = (d) => {
    // a v1 long header with type bits 01 is 0-RTT; it may follow an Initial in the same datagram
    if (d.from.port === 50_000 && containsZeroRtt(d.data)) zeroRttDatagrams++;
    return d.data;
  };
  const client = pair.connect({ tls: { session: sessions[0], earlyData: true } });
  assert.is(client.tls.earlyDataStatus, 'offered');
  assert.is(pair.servers.length, 1);
  const data = pattern(20_000, 4);
  const r = earlyTransfer(pair, client, data);
  assert.ok(r.fin);
  assert.ok(sameBytes(r.received, data));
  assert.ok(zeroRttDatagrams >= 1, 'the data left in 0-RTT packets');
  assert.is(client.tls.earlyDataStatus, 'accepted');
  assert.is(handshakeEvent(r.clientEvents)?.earlyDataAccepted, true);
  assert.is(handshakeEvent(r.serverEvents)?.earlyDataAccepted, true);
  assert.is(pair.servers[pair.servers.length - 1].stats().packetsLost, 0);
});

s('0-RTT rejected by the server policy: the early data is sent again in 1-RTT and arrives intact', () => {
  const antiReplay = new AntiReplay();
  const { sessions, pair } = firstConnection({ server: { tls: { earlyData: true, antiReplay, acceptEarlyData: () => false } } });
  const client = pair.connect({ tls: { session: sessions[0], earlyData: true } });
  const data = pattern(30_000, 5);
  const r = earlyTransfer(pair, client, data);
  assert.ok(r.fin);
  assert.ok(sameBytes(r.received, data));
  assert.is(client.tls.earlyDataStatus, 'rejected');
  assert.ok(client.tls.resumed, 'resumption still happens');
  assert.is(handshakeEvent(r.clientEvents)?.earlyDataAccepted, false);
});

s('0-RTT rejected, then an ACK for a 0-RTT packet number (the server never processed those) → PROTOCOL_VIOLATION (RFC 9001 §4.6.2)', () => {
  const antiReplay = new AntiReplay();
  const { sessions, pair } = firstConnection({ server: { tls: { earlyData: true, antiReplay, acceptEarlyData: () => false } } });
  let zeroRttDatagrams = 0;
  pair.net.tap = (d) => {
    if (d.from.port === 50_000 && containsZeroRtt(d.data)) zeroRttDatagrams++;
    return d.data;
  };
  const client = pair.connect({ tls: { session: sessions[0], earlyData: true } });
  const id = client.openStream(true);
  client.writeStream(id, pattern(3000, 3));
  client.endStream(id);
  let injected = false;
  pair.net.run(() => client.isClosed, {
    maxTime: 5000,
    onStep: () => {
      const srv = pair.servers[1];
      if (srv === undefined || injected || !srv.handshakeComplete) return;
      // a misbehaving server that acknowledges the first application packet number: the client's first 0-RTT packet
      receivedApplicationPackets(srv).onPacketReceived(0, true, pair.net.now);
      injected = true;
    },
  });
  assert.ok(zeroRttDatagrams >= 1, 'packet number 0 of the application space was a 0-RTT packet');
  assert.ok(injected);
  assert.is(client.tls.earlyDataStatus, 'rejected');
  assert.is(client.closeError?.code, TransportErrorCode.PROTOCOL_VIOLATION);
  assert.match(client.closeError?.message ?? '', /a 0-RTT packet .* after the server rejected 0-RTT/);
});

s('0-RTT accepted: ACKs for the 0-RTT packet numbers are fine and the connection stays open', () => {
  const antiReplay = new AntiReplay();
  const { sessions, pair } = firstConnection({ server: { tls: { earlyData: true, antiReplay } } });
  const client = pair.connect({ tls: { session: sessions[0], earlyData: true } });
  const data = pattern(4000, 11);
  const r = earlyTransfer(pair, client, data);
  assert.ok(sameBytes(r.received, data));
  assert.is(client.tls.earlyDataStatus, 'accepted');
  pair.net.run(() => false, { maxTime: 500 });
  assert.is(client.closeError, undefined);
  assert.is(client.stats().packetsLost, 0, 'the 0-RTT packets were acknowledged, not declared lost');
});

s('0-RTT rejected and the server selected another ALPN: the 0-RTT streams are reset with ZeroRttRejectedError, not replayed (RFC 9001 §4.6.2); new streams work', () => {
  const antiReplay = new AntiReplay();
  const alpns = ['hq-test', 'hq-other'];
  const { sessions } = firstConnection({ server: { tls: { earlyData: true, antiReplay } }, client: { tls: { ALPNProtocols: alpns } } });
  assert.is(sessions[0].alpn, 'hq-test');
  const other = createPair({ server: { tls: { earlyData: true, antiReplay, ALPNProtocols: ['hq-other'] } }, client: { tls: { ALPNProtocols: alpns } }, deferConnect: true });
  const client = other.connect({ tls: { session: sessions[0], earlyData: true } });
  assert.is(client.tls.earlyDataStatus, 'offered');
  const bidi = client.openStream(true);
  client.writeStream(bidi, pattern(5000, 12));
  client.endStream(bidi);
  const uni = client.openStream(false);
  client.writeStream(uni, pattern(2000, 13));
  const clientEvents: (ConnectionCoreEvent | undefined)[] = [];
  const serverEvents: (ConnectionCoreEvent | undefined)[] = [];
  let serverBytes = 0;
  const step = () => {
    clientEvents.push(...drainEvents(client));
    const srv = other.servers[0];
    if (srv === undefined) return;
    serverEvents.push(...drainEvents(srv));
    for (const id of [bidi, uni]) for (let r = srv.readStream(id); r !== undefined; r = srv.readStream(id)) serverBytes += r.data.length;
  };
  const closedAtServer = (id: number) => serverEvents.some((e) => e?.type === 'streamClosed' && e.streamId === id && e.errorCode === 0);
  other.net.run(() => closedAtServer(bidi) && closedAtServer(uni), { maxTime: 5000, onStep: step });
  assert.is(client.tls.earlyDataStatus, 'rejected');
  assert.is(client.tls.alpnProtocol, 'hq-other');
  const handshakeAt = clientEvents.findIndex((e) => e?.type === 'handshakeCompleted');
  for (const id of [bidi, uni]) {
    const at = clientEvents.findIndex((e) => e?.type === 'streamClosed' && e.streamId === id && e.error !== undefined);
    assert.ok(at > handshakeAt && handshakeAt >= 0, `stream ${id}: the error event follows handshakeCompleted`);
    const e = clientEvents[at] as Extract<ConnectionCoreEvent, { type: 'streamClosed' }>;
    assert.ok(e.error instanceof ZeroRttRejectedError);
    assert.instance(e.error, QuicError);
    assert.is(e.error.streamId, id);
    assert.is(e.error.sessionAlpn, 'hq-test');
    assert.is(e.error.alpn, 'hq-other');
    assert.is(e.error.code, 0);
    assert.ok(e.error.application);
    assert.match(e.error.message, /0-RTT rejected/);
    assert.throws(() => client.writeStream(id, pattern(10)), (err: unknown) => err instanceof QuicError && err.code === TransportErrorCode.STREAM_STATE_ERROR);
  }
  assert.ok(closedAtServer(bidi) && closedAtServer(uni), 'the server saw both streams reset (RESET_STREAM, final size 0)');
  assert.is(serverBytes, 0, 'no 0-RTT byte was replayed in 1-RTT');
  // the connection goes on with the new protocol
  const next = client.openStream(true);
  const data = pattern(3000, 14);
  client.writeStream(next, data);
  client.endStream(next);
  const got: Uint8Array[] = [];
  let fin = false;
  other.net.run(() => fin, {
    maxTime: 5000,
    onStep: () => {
      drainEvents(client);
      const srv = other.servers[0];
      drainEvents(srv);
      for (let r = srv.readStream(next); r !== undefined; r = srv.readStream(next)) {
        got.push(r.data.slice());
        fin ||= r.fin;
      }
    },
  });
  assert.ok(fin);
  assert.ok(sameBytes(Buffer.concat(got), data));
  assert.is(client.closeError, undefined);
  assert.is(other.servers[0].closeError, undefined);
});

s('0-RTT rejected when the server lowered a limit the ticket promised (RFC 9000 §7.4.1)', () => {
  const antiReplay = new AntiReplay();
  const { sessions, pair } = firstConnection({ server: { tls: { earlyData: true, antiReplay } } });
  // a new server generation with a smaller connection window shares the ticket keys (process default) but not the limits
  assert.is(pair.servers.length, 1);
  const lowered = createPair({ server: { tls: { earlyData: true, antiReplay }, transportParameters: { initialMaxData: 1024 * 1024 } }, deferConnect: true });
  const client = lowered.connect({ tls: { session: sessions[0], earlyData: true } });
  const data = pattern(10_000, 6);
  const r = earlyTransfer(lowered, client, data);
  assert.ok(r.fin);
  assert.ok(sameBytes(r.received, data));
  assert.is(client.tls.earlyDataStatus, 'rejected');
});

s('0-RTT rejected by a server that lowered its limits: the data goes again within the NEW limits (RFC 9001 §4.6.2) — streams beyond MAX_STREAMS wait for it, bytes beyond MAX_DATA / MAX_STREAM_DATA wait for credit', () => {
  const antiReplay = new AntiReplay();
  const { sessions } = firstConnection({ server: { tls: { earlyData: true, antiReplay } } });
  const lowered = createPair({
    server: {
      tls: { earlyData: true, antiReplay },
      transportParameters: { initialMaxStreamsBidi: 2, initialMaxData: 16 * 1024, initialMaxStreamDataBidiRemote: 6 * 1024 },
    },
    deferConnect: true,
  });
  const client = lowered.connect({ tls: { session: sessions[0], earlyData: true } });
  assert.is(client.tls.earlyDataStatus, 'offered');
  const sent = new Map<number, Uint8Array>();
  for (let i = 0; i < 5; i++) {
    const id = client.openStream(true); // the remembered limits allow 100 streams and 1 MiB each in 0-RTT
    const data = pattern(10_000 + i * 1000, 20 + i);
    assert.is(client.writeStream(id, data), data.length);
    client.endStream(id);
    sent.set(id, data);
  }
  const got = new Map<number, Uint8Array[]>();
  const done = new Set<number>();
  lowered.net.run(() => done.size === sent.size || client.isClosed || (lowered.servers[0]?.isClosed ?? false), {
    maxTime: 20_000,
    onStep: () => {
      drainEvents(client);
      const srv = lowered.servers[0];
      if (srv === undefined) return;
      drainEvents(srv);
      for (const id of sent.keys()) {
        if (done.has(id)) continue;
        for (let r = srv.readStream(id); r !== undefined; r = srv.readStream(id)) {
          got.set(id, [...(got.get(id) ?? []), r.data.slice()]);
          if (r.fin) {
            done.add(id);
            srv.endStream(id); // closes the bidirectional stream, so the server raises MAX_STREAMS
          }
        }
      }
    },
  });
  assert.is(client.tls.earlyDataStatus, 'rejected');
  assert.is(lowered.servers[0].closeError, undefined, `server closed: ${lowered.servers[0].closeError?.message}`);
  assert.is(client.closeError, undefined, `client closed: ${client.closeError?.message}`);
  assert.is(done.size, sent.size, 'every stream arrived');
  for (const [id, data] of sent) {
    const parts = got.get(id) ?? [];
    const all = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    assert.ok(sameBytes(all, data), `stream ${id} intact`);
  }
});

s("0-RTT accepted but the server's new transport parameters lower a remembered limit → PROTOCOL_VIOLATION (RFC 9000 §7.4.1)", () => {
  const antiReplay = new AntiReplay();
  const { sessions, pair } = firstConnection({ server: { tls: { earlyData: true, antiReplay } } });
  const remembered = decodeTransportParameters(sessions[0].transportParameters!, 'server');
  // the client remembers a larger stream window than the server now sends (and accepts 0-RTT with)
  const inflated = new TlsSession({
    ...sessions[0],
    transportParameters: encodeTransportParameters({ ...remembered, initialMaxStreamDataBidiRemote: remembered.initialMaxStreamDataBidiRemote * 2 }),
  });
  const client = pair.connect({ tls: { session: inflated, earlyData: true } });
  const id = client.openStream(true);
  client.writeStream(id, pattern(1000));
  pair.net.run(() => client.isClosed, { maxTime: 5000 });
  assert.is(client.tls.earlyDataStatus, 'accepted');
  assert.is(client.closeError?.code, TransportErrorCode.PROTOCOL_VIOLATION);
  assert.match(client.closeError?.message ?? '', /initial_max_stream_data_bidi_remote/);
});

s('0-RTT data sent before a Version Negotiation restart goes again in the new attempt (its packets were dropped)', () => {
  const antiReplay = new AntiReplay();
  const v2Only = { serverEndpoint: { versions: [QUIC_VERSION_2] }, server: { tls: { earlyData: true, antiReplay } } };
  const { sessions, pair } = firstConnection({ ...v2Only, client: { version: QUIC_VERSION_2 } });
  // a session of unknown version is offered in the v1 attempt and again after Version Negotiation moves us to v2
  const unversioned = new TlsSession({ ...sessions[0], quicVersion: undefined });
  const client = pair.connect({ version: QUIC_VERSION_1, versions: [QUIC_VERSION_1, QUIC_VERSION_2], tls: { session: unversioned, earlyData: true } });
  assert.is(client.tls.earlyDataStatus, 'offered');
  const data = pattern(8000, 9);
  const r = earlyTransfer(pair, client, data);
  assert.ok(pair.serverCore.stats.versionNegotiationSent >= 1);
  assert.is(client.quicVersion, QUIC_VERSION_2);
  assert.ok(r.fin, 'the stream arrived');
  assert.ok(sameBytes(r.received, data));
  assert.is(client.tls.earlyDataStatus, 'accepted', 'the second attempt carried it in 0-RTT');
});

s('single-use tickets: a second 0-RTT attempt with the same ticket gets its early data rejected', () => {
  const antiReplay = new AntiReplay({ mode: 'single-use' });
  const { sessions, pair } = firstConnection({ server: { tls: { earlyData: true, antiReplay } } });
  const first = pair.connect({ tls: { session: sessions[0], earlyData: true } });
  earlyTransfer(pair, first, pattern(1000));
  assert.is(first.tls.earlyDataStatus, 'accepted');
  const again = pair.connect({ tls: { session: sessions[0], earlyData: true } });
  const r = earlyTransfer(pair, again, pattern(1000, 2));
  assert.ok(sameBytes(r.received, pattern(1000, 2)));
  assert.is(again.tls.earlyDataStatus, 'rejected');
});

s('a QUIC NewSessionTicket with max_early_data_size other than 0xffffffff closes with PROTOCOL_VIOLATION, not CRYPTO_ERROR (RFC 9001 §4.6.1)', () => {
  const pair = createPair({ server: { tls: { ticketCount: 0 } } });
  assert.ok(pair.handshake());
  const nst = encodeHandshake(
    HandshakeType.new_session_ticket,
    encodeNewSessionTicket({
      lifetime: 100,
      ageAdd: 1,
      nonce: Uint8Array.of(0),
      ticket: Uint8Array.of(1, 2, 3),
      extensions: [{ type: ExtensionType.early_data, data: encodeMaxEarlyDataSize(16384) }],
    }),
  );
  pair.server().sendCrypto([{ level: 'application', data: nst }]);
  pair.net.run(() => pair.client.isClosed && pair.server().isClosed, { maxTime: 5000 });
  assert.is(pair.client.closeError?.code, TransportErrorCode.PROTOCOL_VIOLATION);
  assert.is(pair.client.closeError?.remote, false);
  assert.is(pair.server().closeError?.code, TransportErrorCode.PROTOCOL_VIOLATION, 'the server hears PROTOCOL_VIOLATION');
  assert.is(pair.server().closeError?.remote, true);
});

s('RFC 9369 §5 server: a ticket from a v1 connection presented on a v2 connection is refused → full handshake, no 0-RTT', () => {
  const antiReplay = new AntiReplay();
  const { sessions, pair } = firstConnection({ server: { tls: { earlyData: true, antiReplay } } });
  assert.is(sessions[0].quicVersion, QUIC_VERSION_1, 'the session remembers its QUIC version');
  // a client that does not know the session's version (or ignores it) offers the v1 ticket in v2
  const unversioned = new TlsSession({ ...sessions[0], quicVersion: undefined });
  const client = pair.connect({ version: QUIC_VERSION_2, tls: { session: unversioned, earlyData: true } });
  assert.is(client.tls.earlyDataStatus, 'offered');
  const data = pattern(5000, 7);
  const r = earlyTransfer(pair, client, data);
  assert.ok(r.fin);
  assert.ok(sameBytes(r.received, data), 'the 0-RTT data arrives again in 1-RTT');
  assert.is(client.quicVersion, QUIC_VERSION_2);
  const server = pair.servers[pair.servers.length - 1];
  assert.not.ok(server.tls.resumed, 'the server did not resume the v1 ticket');
  assert.not.ok(client.tls.resumed);
  assert.is(client.tls.earlyDataStatus, 'rejected');
  // the same ticket in v1 still resumes
  const v1 = pair.connect({ tls: { session: sessions[1] } });
  pair.net.run(() => v1.handshakeComplete, { maxTime: 5000 });
  assert.ok(v1.tls.resumed);
});

s('RFC 9369 §5 client: a session remembers the negotiated version; without a version option the client starts in it, with another one it does not offer the ticket', () => {
  const versions = [QUIC_VERSION_2, QUIC_VERSION_1];
  const antiReplay = new AntiReplay();
  // compatible version negotiation: the client starts in v1, the server moves it to v2 — the tickets are v2 tickets
  const { sessions, pair } = firstConnection({
    serverEndpoint: { versions },
    server: { versions, tls: { earlyData: true, antiReplay } },
    client: { version: QUIC_VERSION_1 },
  });
  assert.is(pair.client.quicVersion, QUIC_VERSION_2);
  assert.is(sessions[0].quicVersion, QUIC_VERSION_2);
  // serialized and restored, without a version option: the connection starts in v2, resumes and sends 0-RTT
  const resumed = pair.connect({ version: undefined, tls: { session: sessions[0].toBytes(), earlyData: true } });
  assert.is(resumed.quicVersion, QUIC_VERSION_2, 'starts in the session version');
  assert.is(resumed.tls.earlyDataStatus, 'offered');
  const r = earlyTransfer(pair, resumed, pattern(3000, 8));
  assert.ok(sameBytes(r.received, pattern(3000, 8)));
  assert.ok(resumed.tls.resumed);
  assert.is(resumed.tls.earlyDataStatus, 'accepted');
  // an explicit v1: the v2 ticket is not offered at all (full handshake, no 0-RTT attempt)
  const v1 = pair.connect({ version: QUIC_VERSION_1, versions: [QUIC_VERSION_1], tls: { session: sessions[1], earlyData: true } });
  assert.is(v1.tls.earlyDataStatus, 'none', 'no 0-RTT offered with a ticket of another version');
  pair.net.run(() => v1.handshakeComplete, { maxTime: 5000 });
  assert.ok(v1.handshakeComplete);
  assert.is(v1.quicVersion, QUIC_VERSION_1);
  assert.not.ok(v1.tls.resumed);
});

/** The received-packet (ACK) state of a connection's application space — for a server that acknowledges too much. */
function receivedApplicationPackets(c: Connection): { onPacketReceived(pn: number, ackEliciting: boolean, now: number): boolean } {
  return (c as unknown as { spaces: { application: { received: { onPacketReceived(pn: number, ackEliciting: boolean, now: number): boolean } } } }).spaces.application
    .received;
}

/** True if the datagram holds a v1 0-RTT long-header packet (walking coalesced packets by their Length). */
function containsZeroRtt(d: Uint8Array): boolean {
  let o = 0;
  while (o < d.length && d[o] & 0x80) {
    const type = (d[o] >> 4) & 3;
    if (type === 1) return true;
    let p = o + 5;
    p += 1 + d[p];
    p += 1 + d[p];
    if (type === 0) {
      const [tl, n] = varint(d, p);
      p += n + tl;
    }
    const [len, n] = varint(d, p);
    o = p + n + len;
  }
  return false;
}

function varint(d: Uint8Array, p: number): [number, number] {
  const n = 1 << (d[p] >> 6);
  let v = d[p] & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + d[p + i];
  return [v, n];
}

s.run();
