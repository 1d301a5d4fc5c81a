/** The sans-IO Connection on the memory network: handshake variants and stream transfers. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QUIC_VERSION_1 } from '../src/index.js';
import { createPair, drainEvents } from './support/quicFixtures.js';
import { pattern, sameBytes, transfer } from './support/transfer.js';

const s = suite('connection');

s('handshake: X25519MLKEM768 ClientHello in two padded Initial datagrams, events on both sides', () => {
  const pair = createPair();
  const firstFlight: number[] = [];
  pair.net.tap = (d) => {
    if (d.from.port === 50_000 && d.time === 1000) firstFlight.push(d.data.length);
    return d.data;
  };
  assert.ok(pair.handshake(), 'handshake did not complete');
  assert.equal(firstFlight, [1200, 1200]);
  const ev = drainEvents(pair.client);
  const done = ev.find((e) => e?.type === 'handshakeCompleted');
  assert.ok(done);
  assert.equal(done, { type: 'handshakeCompleted', alpn: 'hq-test', suite: 'TLS_AES_128_GCM_SHA256', group: 'X25519MLKEM768', resumed: false, earlyDataAccepted: false, version: QUIC_VERSION_1 });
  assert.ok(drainEvents(pair.server()).some((e) => e?.type === 'handshakeCompleted'));
  assert.is(pair.client.quicVersion, QUIC_VERSION_1);
  // the handshake is confirmed on both sides once HANDSHAKE_DONE arrived
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 1000 });
  assert.ok(pair.client.handshakeConfirmedState);
  assert.ok(pair.server().handshakeConfirmedState);
});

s('1 MB client → server and 1 MB server → client, intact', () => {
  const pair = createPair();
  assert.ok(pair.handshake());
  const up = pattern(1024 * 1024, 1);
  const r1 = transfer(pair.net, pair.client, pair.server(), up);
  assert.ok(r1.completed);
  assert.ok(sameBytes(r1.received, up));
  const down = pattern(1024 * 1024, 2);
  const r2 = transfer(pair.net, pair.server(), pair.client, down);
  assert.ok(r2.completed);
  assert.ok(sameBytes(r2.received, down));
  const st = pair.client.stats();
  assert.is(st.packetsLost, 0);
  assert.ok(st.smoothedRtt >= 20 && st.smoothedRtt < 40, `srtt ${st.smoothedRtt}`);
});

s.run();
