import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Pacer } from '../src/recovery/pacer.js';

const s = suite('recovery pacer (RFC 9002 §7.7)');

s('rate is 1.25 × cwnd / smoothed_rtt; the bucket holds ten datagrams', () => {
  const p = new Pacer();
  assert.is(p.rate(12000, 100), 150); // bytes per ms
  assert.is(p.capacity(120000), 12000);
  assert.is(p.capacity(2400), 2400);
  assert.is(p.capacity(100), 1200);
  assert.is(p.rate(12000, 0), Infinity);
});

s('a burst goes at once, then packets are spaced by size / rate', () => {
  const p = new Pacer();
  const cwnd = 12000;
  const srtt = 100;
  for (let i = 0; i < 10; i++) {
    assert.is(p.nextSendTime(0, 1200, cwnd, srtt), 0);
    p.onPacketSent(0, 1200, cwnd, srtt);
  }
  assert.is(p.available(0, cwnd, srtt), 0);
  assert.is(p.nextSendTime(0, 1200, cwnd, srtt), 8); // 1200 / 150
  assert.is(p.nextSendTime(4, 1200, cwnd, srtt), 8);
  assert.is(p.available(4, cwnd, srtt), 600);
  assert.is(p.nextSendTime(8, 1200, cwnd, srtt), 8);
  p.onPacketSent(8, 1200, cwnd, srtt);
  assert.is(p.nextSendTime(8, 1200, cwnd, srtt), 16);
  // Idle time refills the bucket only up to its capacity.
  assert.is(p.available(10_000, cwnd, srtt), 12000);
});

s('without an RTT there is no pacing delay; time going backwards refills nothing', () => {
  const p = new Pacer({ burstPackets: 1 });
  p.onPacketSent(0, 1200, 12000, 0);
  assert.is(p.nextSendTime(0, 1200, 12000, 0), 0);
  const q = new Pacer({ burstPackets: 2, gain: 1 });
  q.onPacketSent(10, 2400, 12000, 100);
  assert.is(q.available(5, 12000, 100), 0);
  assert.is(q.nextSendTime(10, 1200, 12000, 100), 20); // rate 120 B/ms
  assert.throws(() => new Pacer({ gain: 0 }), /positive/);
});

s('at high rates the bucket holds one timer granule of the rate (capped by the window)', () => {
  const p = new Pacer({ maxDatagramSize: 1452 });
  // 1 MB window, 0.5 ms RTT: 2.5 MB per ms, so a 1 ms granule is more than the window
  assert.is(p.capacity(1_000_000, 0.5), 1_000_000);
  // 200 kB window, 2 ms RTT: 125 kB per ms
  assert.is(p.capacity(200_000, 2), 125_000);
  // low rates keep the ten-datagram burst
  assert.is(p.capacity(200_000, 100), 14_520);
  const q = new Pacer({ maxDatagramSize: 1452, timerGranularity: 2 });
  assert.is(q.capacity(200_000, 2), 200_000);
  // a drained bucket refills within one granule to a full granule's worth
  const r = new Pacer({ maxDatagramSize: 1000 });
  const cwnd = 100_000;
  const srtt = 1; // 125 kB per ms: capacity is the window
  let sent = 0;
  while (r.nextSendTime(0, 1000, cwnd, srtt) === 0) {
    r.onPacketSent(0, 1000, cwnd, srtt);
    sent += 1000;
  }
  assert.is(sent, 10_000); // the bucket starts with the ten-datagram burst
  assert.is(r.available(1, cwnd, srtt), 100_000);
  assert.throws(() => new Pacer({ timerGranularity: -1 }), /positive/);
});

s.run();
