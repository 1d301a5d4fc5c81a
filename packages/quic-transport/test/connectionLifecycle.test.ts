/**
 * Connection lifecycle on the memory network: key updates (both sides, and the rules of RFC 9001 §6), AEAD limits,
 * CONNECTION_CLOSE (transport and application, before and after the handshake), closing / draining periods, idle
 * timeout, streams (bidi, uni, reset, stop sending, limits, flow control) and stats.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode, type Connection, type ConnectionCoreEvent } from '../src/index.js';
import { recycleDatagram, takeDatagramBuffer } from '../src/connection/datagramPool.js';
import { createPair, drainEvents, SERVER_ADDRESS } from './support/quicFixtures.js';
import { pattern, sameBytes, transfer } from './support/transfer.js';

const s = suite('connectionLifecycle');

function confirmed() {
  const pair = createPair();
  assert.ok(pair.handshake());
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 2000 });
  assert.ok(pair.client.handshakeConfirmedState);
  return pair;
}

function closedEvent(events: (ConnectionCoreEvent | undefined)[]) {
  return events.find((e) => e?.type === 'connectionClosed') as Extract<ConnectionCoreEvent, { type: 'connectionClosed' }> | undefined;
}

s('key update initiated by the client, answered by the server, then by the server; data flows throughout', () => {
  const pair = confirmed();
  const { client, net } = pair;
  const server = pair.server();
  assert.is(client.updateKeys(), true);
  assert.is(client.updateKeys(), false, 'a second update waits for the first to be acknowledged');
  const a = pattern(300_000, 1);
  assert.ok(sameBytes(transfer(net, client, server, a).received, a));
  assert.is(client.stats().keyUpdates, 2, 'the queued update ran once allowed');
  assert.is(server.stats().keyUpdates, 2, 'the server answered both with new write keys');
  // the server's answer keys were never acknowledged (it only sent ACKs): its update is queued behind a PING
  assert.is(server.updateKeys(), false);
  const b = pattern(300_000, 2);
  assert.ok(sameBytes(transfer(net, server, client, b).received, b));
  assert.is(server.stats().keyUpdates, 3);
  assert.is(client.stats().keyUpdates, 3);
  // the previous read keys are dropped after 3 PTOs; traffic keeps working
  net.advance(5000);
  const c = pattern(10_000, 3);
  assert.ok(sameBytes(transfer(net, client, server, c).received, c));
});

s('key update is refused before the handshake is confirmed', () => {
  const pair = createPair();
  assert.throws(() => pair.client.updateKeys(), (e: unknown) => e instanceof QuicError && e.code === TransportErrorCode.KEY_UPDATE_ERROR);
});

s('confidentiality limit: the keys are updated before the limit, transfers go on', () => {
  const pair = createPair({ client: { aeadLimits: { confidentialityLimit: 2000 } } });
  assert.ok(pair.handshake());
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 2000 });
  // ~5000 packets: more than the 1000-packet update margin is in flight at times (the send buffer grows with the
  // window), so new data must wait for the acknowledgment that allows the next update instead of hitting the limit
  const data = pattern(6_000_000, 9);
  const r = transfer(pair.net, pair.client, pair.server(), data);
  assert.ok(sameBytes(r.received, data));
  assert.ok(pair.client.stats().keyUpdates >= 3, `${pair.client.stats().keyUpdates} updates`);
  assert.not.ok(pair.client.isClosed, pair.client.closeError?.message);
});

s('confidentiality limit reached while no key update is allowed: AEAD_LIMIT_REACHED', () => {
  const pair = createPair({ client: { aeadLimits: { confidentialityLimit: 8 } } });
  // Without HANDSHAKE_DONE the client's handshake is never confirmed, so it may not update its keys.
  pair.net.tap = (d) => (d.from.port === 443 && pair.servers[0]?.handshakeConfirmedState && d.data[0] < 0x80 ? undefined : d.data);
  pair.net.run(() => pair.client.handshakeComplete, { maxTime: 3000 });
  const r = transfer(pair.net, pair.client, pair.server(), pattern(100_000), 3000);
  assert.not.ok(r.completed);
  assert.is(pair.client.closeError?.code, TransportErrorCode.AEAD_LIMIT_REACHED);
});

s('integrity limit: forged 1-RTT packets beyond the limit close with AEAD_LIMIT_REACHED', () => {
  const pair = createPair({ server: { aeadLimits: { integrityLimit: 3 } } });
  assert.ok(pair.handshake());
  const server = pair.server();
  const dcid = server.localTransportParameters.initialSourceConnectionId!;
  for (let i = 0; i < 5; i++) {
    const forged = new Uint8Array(60);
    forged[0] = 0x40;
    forged.set(dcid, 1);
    forged.fill(i + 1, 1 + dcid.length);
    pair.net.inject({ address: '10.0.0.1', port: 50_000 }, { address: '10.0.0.2', port: 443 }, forged);
  }
  pair.net.run(() => server.isClosed, { maxTime: 1000 });
  assert.is(server.closeError?.code, TransportErrorCode.AEAD_LIMIT_REACHED);
});

s('application close (0x1d) after the handshake: the peer sees the code and reason; both drain', () => {
  const pair = confirmed();
  const server = pair.server();
  drainEvents(pair.client);
  drainEvents(server);
  pair.client.close(42, 'app says bye', true);
  const local = closedEvent(drainEvents(pair.client));
  assert.is(local?.error?.code, 42);
  assert.ok(local?.error?.application);
  pair.net.run(() => server.isClosed, { maxTime: 2000 });
  const ev = closedEvent(drainEvents(server));
  assert.is(ev?.error?.code, 42);
  assert.ok(ev?.error?.application);
  assert.ok(ev?.error?.remote);
  assert.match(ev?.error?.message ?? '', /app says bye/);
  assert.not.ok(pair.client.isDrained(), 'closing lasts three PTOs');
  pair.net.run(() => pair.client.isDrained() && server.isDrained(), { maxTime: 10_000 });
  assert.ok(pair.client.isDrained() && server.isDrained());
  pair.net.flush();
  assert.is(pair.clientCore.connectionCount, 0);
  assert.is(pair.serverCore.connectionCount, 0);
});

s('transport close (0x1c) with a clean NO_ERROR: no error on either side', () => {
  const pair = confirmed();
  const server = pair.server();
  drainEvents(server);
  server.close(TransportErrorCode.NO_ERROR, 'done');
  pair.net.run(() => pair.client.isClosed, { maxTime: 2000 });
  const ev = closedEvent(drainEvents(pair.client));
  assert.ok(ev);
  assert.is(ev?.error, undefined);
});

s('transport close with an error code reaches the peer as a remote transport error', () => {
  const pair = confirmed();
  pair.client.close(TransportErrorCode.PROTOCOL_VIOLATION, 'test violation');
  pair.net.run(() => pair.server().isClosed, { maxTime: 2000 });
  const err = pair.server().closeError;
  assert.is(err?.code, TransportErrorCode.PROTOCOL_VIOLATION);
  assert.not.ok(err?.application);
  assert.ok(err?.remote);
});

s('application close before the handshake completes goes out as APPLICATION_ERROR in Initial packets', () => {
  const pair = createPair();
  pair.net.run(() => pair.servers.length > 0, { maxTime: 1000 });
  pair.client.close(7, 'never mind', true);
  pair.net.run(() => pair.server().isClosed, { maxTime: 3000 });
  assert.is(pair.server().closeError?.code, TransportErrorCode.APPLICATION_ERROR);
  assert.not.ok(pair.server().closeError?.application);
});

s('closing state answers further packets with CONNECTION_CLOSE at a decreasing rate', () => {
  const pair = confirmed();
  const server = pair.server();
  let closes = 0;
  let resets = 0;
  let fromClient = 0;
  pair.net.tap = (d) => {
    if (d.from.port === 443) {
      if (server.isDrained()) resets++;
      else closes++;
    } else if (!server.isDrained()) fromClient++;
    return d.from.port === 443 ? undefined : d.data; // the client never hears it and keeps sending
  };
  server.close(1, 'x', true);
  for (let i = 0; i < 8; i++) {
    pair.client.ping();
    pair.net.advance(50);
  }
  // one CONNECTION_CLOSE at once, then answers to the 1st, 2nd, 4th, 8th … packet received while closing
  assert.ok(fromClient >= 4);
  assert.is(closes, 1 + Math.floor(Math.log2(fromClient)) + 1);
  // after the closing period the endpoint no longer knows the connection: it answers with stateless resets
  assert.ok(server.isDrained());
  assert.ok(resets > 0);
});

s('the CONNECTION_CLOSE kept for answers while closing survives the sender recycling the one it sent', () => {
  const pair = createPair();
  const client = pair.client;
  client.close(TransportErrorCode.NO_ERROR, 'bye');
  const [first] = client.send(pair.net.now); // a client Initial padded to 1200 bytes: a pooled buffer
  assert.ok(first !== undefined && first.length >= 1200);
  const sent = first.slice();
  recycleDatagram(first);
  takeDatagramBuffer(first.buffer.byteLength).fill(0xee); // the next datagram reuses (and overwrites) that buffer
  client.receive(new Uint8Array(1200), SERVER_ADDRESS, pair.net.now + 1); // any packet while closing is answered
  const [answer] = client.send(pair.net.now + 1);
  assert.ok(answer !== undefined && sameBytes(answer, sent));
});

s('idle timeout: both sides close silently after the negotiated timeout', () => {
  const opts = { transportParameters: { maxIdleTimeout: 2000 } };
  const pair = createPair({ client: opts, server: { transportParameters: { maxIdleTimeout: 5000 } } });
  assert.ok(pair.handshake());
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 2000 });
  pair.net.advance(300); // let the last acknowledgments settle
  drainEvents(pair.client);
  const start = pair.net.now;
  let sent = 0;
  pair.net.tap = (d) => {
    sent++;
    return d.data;
  };
  pair.net.run(() => pair.client.isDrained() && pair.server().isDrained(), { maxTime: 20_000 });
  const elapsed = pair.net.now - start;
  assert.ok(elapsed >= 1700 && elapsed < 2500, `closed after ${elapsed} ms`);
  assert.is(sent, 0, 'nothing is sent on idle timeout');
  const ev = closedEvent(drainEvents(pair.client));
  assert.match(ev?.error?.message ?? '', /idle timeout/);
});

s('streams: bidirectional echo, unidirectional streams, FIN, RESET_STREAM and STOP_SENDING events', () => {
  const pair = confirmed();
  const client = pair.client;
  const server = pair.server();
  const uni = client.openStream(false);
  assert.is(uni & 3, 2);
  client.writeStream(uni, new TextEncoder().encode('uni data'));
  client.endStream(uni);
  const bidi = client.openStream(true);
  client.writeStream(bidi, new TextEncoder().encode('ping'));
  let got = '';
  let gotUni = '';
  let serverEvents: (ConnectionCoreEvent | undefined)[] = [];
  pair.net.run(() => got === 'ping' && gotUni === 'uni data', {
    maxTime: 2000,
    onStep: () => {
      serverEvents = serverEvents.concat(drainEvents(server));
      const r = server.readStream(bidi);
      if (r) got += new TextDecoder().decode(r.data);
      const u = server.readStream(uni);
      if (u) gotUni += new TextDecoder().decode(u.data);
    },
  });
  assert.is(got, 'ping');
  assert.is(gotUni, 'uni data');
  assert.ok(serverEvents.some((e) => e?.type === 'streamOpened' && e.streamId === uni));
  assert.ok(serverEvents.some((e) => e?.type === 'streamOpened' && e.streamId === bidi));
  assert.throws(() => server.writeStream(uni, new Uint8Array(1)), (e: unknown) => e instanceof QuicError && e.code === TransportErrorCode.STREAM_STATE_ERROR);
  // the server answers on the bidi stream, then the client resets its side and asks the server to stop
  server.writeStream(bidi, new TextEncoder().encode('pong'));
  client.resetStream(bidi, 11);
  client.stopSending(bidi, 12);
  let clientEvents: (ConnectionCoreEvent | undefined)[] = [];
  serverEvents = [];
  pair.net.run(() => serverEvents.some((e) => e?.type === 'streamClosed' && e.streamId === bidi && e.errorCode === 11), {
    maxTime: 2000,
    onStep: () => {
      serverEvents = serverEvents.concat(drainEvents(server));
      clientEvents = clientEvents.concat(drainEvents(client));
    },
  });
  assert.ok(serverEvents.some((e) => e?.type === 'streamClosed' && e.errorCode === 11), 'RESET_STREAM reached the server');
  assert.ok(serverEvents.some((e) => e?.type === 'streamClosed' && e.errorCode === 12), 'STOP_SENDING reached the server');
});

s('stream limits: opening beyond MAX_STREAMS throws STREAM_LIMIT_ERROR until the peer raises the limit', () => {
  const pair = createPair({ server: { transportParameters: { initialMaxStreamsBidi: 2 } } });
  assert.ok(pair.handshake());
  const client = pair.client;
  const server = pair.server();
  const ids = [client.openStream(true), client.openStream(true)];
  assert.throws(() => client.openStream(true), (e: unknown) => e instanceof QuicError && e.code === TransportErrorCode.STREAM_LIMIT_ERROR);
  for (const id of ids) {
    client.writeStream(id, new Uint8Array([1]));
    client.endStream(id);
  }
  let available = false;
  pair.net.run(() => available, {
    maxTime: 3000,
    onStep: () => {
      drainEvents(server);
      for (const id of ids) {
        server.readStream(id);
        try {
          server.endStream(id);
        } catch {
          // already ended
        }
      }
      for (const e of drainEvents(client)) if (e?.type === 'streamsAvailable') available = true;
    },
  });
  assert.ok(available, 'MAX_STREAMS arrived');
  assert.is(client.openStream(true), 8);
});

s('flow control: a small connection window blocks the sender (DATA_BLOCKED) until MAX_DATA, data intact', () => {
  const pair = createPair({ server: { transportParameters: { initialMaxData: 16_384, initialMaxStreamDataBidiRemote: 8192 }, maxConnectionWindow: 16_384, maxStreamWindow: 8192 } });
  assert.ok(pair.handshake());
  const data = pattern(200_000, 5);
  const r = transfer(pair.net, pair.client, pair.server(), data);
  assert.ok(r.completed);
  assert.ok(sameBytes(r.received, data));
});

s('stats count packets, bytes, RTT and congestion window', () => {
  const pair = confirmed();
  transfer(pair.net, pair.client, pair.server(), pattern(100_000));
  const st = pair.client.stats();
  assert.ok(st.packetsSent > 70 && st.packetsReceived > 10);
  assert.ok(st.bytesSent > 100_000);
  assert.ok(st.datagramsSent <= st.packetsSent);
  assert.is(st.minRtt, 20);
  assert.ok(st.congestionWindow >= 12_000);
  assert.is(st.streamBytesSent, 100_000);
});

s('events after close: operations on a closed connection fail cleanly', () => {
  const pair = confirmed();
  const id = pair.client.openStream(true);
  pair.client.close(0, '', true);
  assert.throws(() => pair.client.openStream(true), (e: unknown) => e instanceof QuicError);
  assert.ok(pair.client.isClosed);
  const c: Connection = pair.client;
  assert.is(c.send(pair.net.now).length, 1, 'the CONNECTION_CLOSE datagram');
  assert.is(c.send(pair.net.now).length, 0, 'then nothing until a packet arrives');
  assert.is(c.readStream(id), undefined);
  c.receive(new Uint8Array(50), { address: '10.0.0.2', port: 443 }, pair.net.now);
  assert.ok(c.isClosed);
});

s.run();
