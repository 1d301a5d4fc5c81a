/**
 * 10 MB transfers on the memory network with 0 %, 10 % and 30 % random loss in both directions (plus reordering
 * and duplication), each checked byte for byte. Virtual time makes them fast; the wall time stays around a second.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPair } from './support/quicFixtures.js';
import { pattern, sameBytes, transfer } from './support/transfer.js';

const s = suite('connectionLoss');
const MB10 = 10 * 1024 * 1024;
const noIdle = { transportParameters: { maxIdleTimeout: 0 }, maxDatagramSize: 1452 };

for (const [loss, seed] of [[0, 11], [0.1, 12], [0.3, 13]] as const) {
  s(`10 MB client → server with ${loss * 100} % loss arrives intact`, () => {
    const pair = createPair({ seed, link: { delay: 10, loss }, client: noIdle, server: noIdle });
    assert.ok(pair.handshake(300_000), 'handshake');
    const data = pattern(MB10, seed);
    const r = transfer(pair.net, pair.client, pair.server(), data, 3_600_000);
    assert.ok(r.completed, 'transfer did not finish');
    assert.is(r.received.length, MB10);
    assert.ok(sameBytes(r.received, data), 'bytes differ');
    const st = pair.client.stats();
    if (loss === 0) assert.is(st.packetsLost, 0);
    else assert.ok(st.packetsLost > 0.5 * loss * 7000, `only ${st.packetsLost} packets lost`);
  });
}

s('5 MB server → client with 5 % loss, 20 % reordering and 5 % duplication arrives intact (CUBIC)', () => {
  const opts = { ...noIdle, congestionControl: 'cubic' as const };
  const pair = createPair({ seed: 21, link: { delay: 15, jitter: 5, loss: 0.05, reorder: 0.2, duplicate: 0.05 }, client: opts, server: opts });
  assert.ok(pair.handshake(300_000));
  const data = pattern(5 * 1024 * 1024, 5);
  const r = transfer(pair.net, pair.server(), pair.client, data, 3_600_000);
  assert.ok(r.completed);
  assert.ok(sameBytes(r.received, data));
  assert.ok(pair.client.stats().packetsDropped > 0, 'duplicates are dropped');
});

s('100 handshakes under 40 % loss with reordering and duplication all complete; nothing closes with INTERNAL_ERROR', () => {
  let internal = 0;
  for (let seed = 100; seed < 200; seed++) {
    const pair = createPair({ seed, link: { delay: 10, loss: 0.4, reorder: 0.2, duplicate: 0.05 }, client: noIdle, server: noIdle });
    assert.ok(pair.handshake(600_000), `seed ${seed}`);
    for (const c of [pair.client, ...pair.servers]) if (c.closeError?.code === 0x01) internal++;
  }
  assert.is(internal, 0);
});

s.run();
