import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITY_MS, INITIAL_RTT_MS, RttEstimator, decodeAckDelay } from '../src/recovery/rttEstimator.js';

const s = suite('recovery rtt estimator (RFC 9002 §5)');

s('starts from the 333 ms initial RTT; PTO = srtt + 4·rttvar', () => {
  const r = new RttEstimator();
  assert.is(INITIAL_RTT_MS, 333);
  assert.is(r.smoothedRtt, 333);
  assert.is(r.rttvar, 166.5);
  assert.is(r.minRtt, Infinity);
  assert.is(r.hasSample, false);
  assert.is(r.pto(), 333 + 4 * 166.5);
  assert.is(r.pto(25), 333 + 4 * 166.5 + 25);
});

s('first sample sets min, smoothed and rttvar = sample/2, ack delay ignored', () => {
  const r = new RttEstimator();
  r.update(100, 40, false, 25);
  assert.is(r.latestRtt, 100);
  assert.is(r.minRtt, 100);
  assert.is(r.smoothedRtt, 100);
  assert.is(r.rttvar, 50);
  assert.ok(r.hasSample);
});

s('later samples subtract a plausible ack delay and use EWMA 7/8, 3/4', () => {
  const r = new RttEstimator();
  r.update(100, 0, false, 25);
  r.update(120, 10, false, 25); // adjusted = 110
  assert.is(r.minRtt, 100);
  assert.is(r.rttvar, 0.75 * 50 + 0.25 * Math.abs(100 - 110));
  assert.is(r.smoothedRtt, 0.875 * 100 + 0.125 * 110);
});

s('ack delay is capped by max_ack_delay only once the handshake is confirmed', () => {
  const a = new RttEstimator();
  a.update(100, 0, false, 25);
  a.update(200, 50, false, 25); // not confirmed: adjusted 150
  assert.is(a.smoothedRtt, 0.875 * 100 + 0.125 * 150);
  const b = new RttEstimator();
  b.update(100, 0, true, 25);
  b.update(200, 50, true, 25); // confirmed: delay capped to 25 → adjusted 175
  assert.is(b.smoothedRtt, 0.875 * 100 + 0.125 * 175);
});

s('ack delay is not subtracted when that would go below min_rtt; min_rtt ignores ack delay', () => {
  const r = new RttEstimator();
  r.update(100, 0, false, 25);
  r.update(105, 10, false, 25); // 105 < 100 + 10 → adjusted stays 105
  assert.is(r.smoothedRtt, 0.875 * 100 + 0.125 * 105);
  r.update(90, 20, false, 25);
  assert.is(r.minRtt, 90);
});

s('negative samples clamp to 0; resetMinRtt uses the newest sample; granularity floors the PTO variance', () => {
  const r = new RttEstimator(10);
  r.resetMinRtt();
  assert.is(r.minRtt, Infinity);
  r.update(-5, 0, false, 25);
  assert.is(r.latestRtt, 0);
  assert.is(r.pto(), 0 + GRANULARITY_MS);
  r.update(40, 0, false, 25);
  assert.is(r.minRtt, 0);
  r.resetMinRtt();
  assert.is(r.minRtt, 40);
});

s('decodeAckDelay scales by 2^exponent microseconds', () => {
  assert.is(decodeAckDelay(1000), 8); // default exponent 3
  assert.is(decodeAckDelay(1000, 0), 1);
  assert.is(decodeAckDelay(3, 10), 3.072);
});

s.run();
