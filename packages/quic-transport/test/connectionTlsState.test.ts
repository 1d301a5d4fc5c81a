/**
 * The 'tlsState' events: each state the seed's switch got back from `tls.handshake()`, in order, per role — the
 * sequence the echo demo prints (client START → RCVD → CONNECTED, server RCVD → WAIT → CONNECTED; START again on
 * the client after a HelloRetryRequest, START on the server when it sends one) — and the version in handshakeCompleted.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QUIC_VERSION_1, QUIC_VERSION_2, type Connection } from '../src/index.js';
import { createPair, drainEvents } from './support/quicFixtures.js';

const s = suite('connectionTlsState');

function states(c: Connection): string[] {
  let last = -Infinity;
  return drainEvents(c).flatMap((e) => {
    if (e?.type !== 'tlsState') return [];
    assert.ok(e.time >= last, 'times are in order');
    last = e.time;
    return [`${e.state}@${e.level}`];
  });
}

/** Consecutive repeats folded (a message split over packets reports the unchanged state once per piece). */
function distinct(list: string[]): string[] {
  return list.filter((x, i) => i === 0 || list[i - 1] !== x);
}

s('full handshake: client START, RCVD, CONNECTED; server RCVD, WAIT, CONNECTED', () => {
  const pair = createPair();
  assert.ok(pair.handshake());
  const client = states(pair.client);
  // the ML-KEM ServerHello spans two Initial packets: the first piece leaves the client in START
  assert.equal(client, ['START@initial', 'START@initial', 'RCVD@initial', 'CONNECTED@handshake']);
  assert.equal(states(pair.server()), ['RCVD@initial', 'WAIT@handshake', 'CONNECTED@handshake']);
});

s('each state carries the time of the call that ran the switch (the memory network clock)', () => {
  const pair = createPair({ link: { delay: 25 } });
  const start = pair.net.now;
  assert.ok(pair.handshake());
  const times = drainEvents(pair.client).flatMap((e) => (e?.type === 'tlsState' ? [e.time - start] : []));
  assert.is(times[0], 0); // ClientHello at connect()
  assert.ok(times[times.length - 1] >= 50, 'CONNECTED a round trip later');
});

s('x25519: a one-packet ServerHello, one state per flight', () => {
  const pair = createPair({ client: { tls: { groups: ['x25519'], keyShares: ['x25519'] } } });
  assert.ok(pair.handshake());
  assert.equal(distinct(states(pair.client)), ['START@initial', 'RCVD@initial', 'CONNECTED@handshake']);
});

s('HelloRetryRequest: the client reports START twice, the server START then RCVD', () => {
  const pair = createPair({ server: { tls: { groups: ['secp256r1'] } } });
  assert.ok(pair.handshake());
  assert.equal(distinct(states(pair.client)), ['START@initial', 'RCVD@initial', 'CONNECTED@handshake']);
  assert.equal(states(pair.server()), ['START@initial', 'RCVD@initial', 'WAIT@handshake', 'CONNECTED@handshake']);
});

s('after the handshake, NewSessionTickets at the client report CONNECTED at the application level', () => {
  const pair = createPair();
  assert.ok(pair.handshake());
  states(pair.client);
  pair.net.run(() => false, { maxTime: 300 });
  const later = states(pair.client);
  assert.ok(later.length >= 1);
  for (const st of later) assert.is(st, 'CONNECTED@application');
});

s('handshakeCompleted names the QUIC version in use (v2 here, v1 by default)', () => {
  const v2 = createPair({ client: { version: QUIC_VERSION_2 } });
  assert.ok(v2.handshake());
  const done = drainEvents(v2.client).find((e) => e?.type === 'handshakeCompleted');
  assert.is(done?.type === 'handshakeCompleted' ? done.version : undefined, QUIC_VERSION_2);
  const v1 = createPair();
  assert.ok(v1.handshake());
  const done1 = drainEvents(v1.server()).find((e) => e?.type === 'handshakeCompleted');
  assert.is(done1?.type === 'handshakeCompleted' ? done1.version : undefined, QUIC_VERSION_1);
});

s.run();
