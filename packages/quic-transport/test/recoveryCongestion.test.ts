import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NewReno } from '../src/recovery/congestion/newReno.js';
import { CUBIC_ALPHA, CUBIC_BETA, CUBIC_C, Cubic, cubicK, cubicWindow } from '../src/recovery/congestion/cubic.js';
import { createCongestionController } from '../src/recovery/congestion/createCongestionController.js';
import type { CongestionController, CongestionPacket } from '../src/recovery/congestion/congestionController.js';
import { RttEstimator } from '../src/recovery/rttEstimator.js';

const s = suite('recovery congestion control (RFC 9002 §7, RFC 9438)');

const rtt = new RttEstimator();
rtt.update(100, 0, false, 25); // smoothed RTT 100 ms

const pkt = (timeSent: number, size = 1200, inFlight = true): CongestionPacket => ({ size, timeSent, inFlight });

function sendAndAck(cc: CongestionController, n: number, sentAt: number, ackAt: number): void {
  const ps: CongestionPacket[] = [];
  for (let i = 0; i < n; i++) {
    cc.onPacketSent(1200, sentAt);
    ps.push(pkt(sentAt));
  }
  cc.onPacketsAcked(ps, ackAt, rtt);
}

s('initial and minimum windows follow RFC 9002 §7.2', () => {
  const a = new NewReno();
  assert.is(a.window, 12000); // min(10·1200, max(14720, 2400))
  assert.is(a.minimumWindow, 2400);
  assert.is(a.ssthresh, Infinity);
  const b = new NewReno({ maxDatagramSize: 1500 });
  assert.is(b.window, 14720); // min(15000, max(14720, 3000))
  const c = new NewReno({ maxDatagramSize: 9000 });
  assert.is(c.window, 18000); // min(90000, max(14720, 18000))
  assert.throws(() => new NewReno({ maxDatagramSize: 1000 }), /below 1200/);
  assert.is(createCongestionController('newreno').name, 'newreno');
  assert.is(createCongestionController('cubic').name, 'cubic');
  assert.throws(() => createCongestionController('bbr' as never), /unknown/);
});

s('NewReno slow start grows the window by the bytes acknowledged', () => {
  const cc = new NewReno();
  sendAndAck(cc, 10, 0, 100);
  assert.is(cc.window, 24000);
  assert.is(cc.bytesInFlight, 0);
  // Packets not in flight neither count nor grow the window.
  cc.onPacketsAcked([pkt(0, 1200, false)], 101, rtt);
  assert.is(cc.window, 24000);
});

s('NewReno halves once per recovery period, then avoids congestion at one datagram per window', () => {
  const cc = new NewReno();
  sendAndAck(cc, 10, 0, 100); // cwnd 24000
  for (let i = 0; i < 4; i++) cc.onPacketSent(1200, 110);
  cc.onPacketsLost([pkt(110)], 200);
  assert.is(cc.ssthresh, 12000);
  assert.is(cc.window, 12000);
  assert.ok(cc.inRecovery(110));
  assert.ok(cc.inRecovery(200));
  assert.is(cc.inRecovery(201), false);
  assert.is(cc.bytesInFlight, 3600);
  // A second loss from before the recovery period started does not reduce again.
  cc.onPacketsLost([pkt(110)], 210);
  assert.is(cc.window, 12000);
  // Acks of packets sent before recovery began do not grow the window.
  cc.onPacketsAcked([pkt(110), pkt(110)], 220, rtt);
  assert.is(cc.window, 12000);
  assert.is(cc.bytesInFlight, 0);
  // Congestion avoidance: 12000 bytes acknowledged → +1200.
  sendAndAck(cc, 9, 300, 400);
  assert.is(cc.window, 12000);
  sendAndAck(cc, 1, 300, 400);
  assert.is(cc.window, 13200);
  // A loss of a packet sent after recovery began starts a new period.
  cc.onPacketSent(1200, 500);
  cc.onPacketsLost([pkt(500)], 600);
  assert.is(cc.window, 6600);
  // The window never drops below the minimum.
  for (let t = 700; t < 1000; t += 100) {
    cc.onPacketSent(1200, t);
    cc.onPacketsLost([pkt(t)], t + 50);
  }
  assert.is(cc.window, 2400);
  // Losing only non-in-flight packets is no congestion event.
  cc.onPacketsLost([pkt(2000, 100, false)], 2100);
  assert.is(cc.inRecovery(2000), false);
});

s('canSend respects the window, with one extra packet right after entering recovery', () => {
  const cc = new NewReno();
  for (let i = 0; i < 10; i++) cc.onPacketSent(1200, 0);
  assert.is(cc.canSend(1), false);
  cc.onPacketsLost([pkt(0)], 10); // cwnd 6000, 9 × 1200 in flight
  assert.ok(cc.canSend(1200));
  cc.onPacketSent(1200, 11);
  assert.is(cc.canSend(1200), false);
  cc.onPacketsDiscarded(100_000);
  assert.is(cc.bytesInFlight, 0);
  assert.ok(cc.canSend(6000));
  assert.is(cc.canSend(6001), false);
});

s('persistent congestion collapses to the minimum window and ends recovery', () => {
  const cc = new NewReno();
  cc.onPacketSent(1200, 0);
  cc.onPacketsLost([pkt(0)], 10);
  cc.onPersistentCongestion(10);
  assert.is(cc.window, 2400);
  assert.is(cc.inRecovery(5), false);
  assert.is(cc.canSend(1200), true);
  sendAndAck(cc, 2, 20, 30); // slow start again up to ssthresh 6000
  assert.is(cc.window, 4800);
});

s('no window growth while application-limited', () => {
  const cc = new NewReno();
  cc.setAppLimited(true, 0);
  assert.ok(cc.appLimited);
  sendAndAck(cc, 5, 0, 100);
  assert.is(cc.window, 12000);
  cc.setAppLimited(false, 100);
  sendAndAck(cc, 5, 100, 200);
  assert.is(cc.window, 18000);
});

s('CUBIC K and W(t) match RFC 9438 equations 1 and 2', () => {
  const k = cubicK(100, 70);
  assert.ok(Math.abs(k - Math.cbrt(30 / 0.4)) < 1e-12);
  assert.ok(Math.abs(CUBIC_C * k ** 3 - 30) < 1e-9);
  assert.ok(Math.abs(cubicWindow(0, k, 100) - 70) < 1e-9); // starts at cwnd_epoch
  assert.is(cubicWindow(k, k, 100), 100); // plateau at W_max after K seconds
  assert.ok(Math.abs(cubicWindow(k + 2, k, 100) - (100 + 0.4 * 8)) < 1e-9); // convex beyond
  assert.ok(Math.abs(CUBIC_ALPHA - (3 * 0.3) / 1.7) < 1e-12);
  assert.is(CUBIC_BETA, 0.7);
});

/** A CUBIC controller that has grown to 24000 bytes and then lost a packet at t = 1000. */
function cubicAfterLoss(opts = {}): Cubic {
  const cc = new Cubic(opts);
  sendAndAck(cc, 10, 0, 100); // slow start to 24000
  cc.onPacketSent(1200, 500);
  cc.onPacketsLost([pkt(500)], 1000);
  return cc;
}

s('CUBIC multiplicative decrease: β = 0.7, W_max = window before the event', () => {
  const cc = cubicAfterLoss();
  assert.is(cc.maxWindow, 24000);
  assert.is(cc.ssthresh, Math.floor(24000 * CUBIC_BETA));
  assert.is(cc.window, 16800);
  assert.is(cc.epochStartTime, undefined);
});

s('CUBIC starts in the Reno-friendly region, then follows W_cubic(t + RTT)', () => {
  const cc = cubicAfterLoss();
  sendAndAck(cc, 1, 1001, 1100);
  assert.is(cc.epochStartTime, 1100);
  const k = cubicK(24000 / 1200, 16800 / 1200);
  assert.ok(Math.abs(cc.kSeconds - k) < 1e-12);
  // W_cubic(0) = cwnd_epoch < W_est = cwnd_epoch + α·mds·bytes/cwnd: Reno-friendly, cwnd = W_est.
  const wEst = 16800 + (CUBIC_ALPHA * 1200 * 1200) / 16800;
  assert.ok(Math.abs(cc.window - wEst) < 1e-9);
  assert.ok(Math.abs(cc.renoEstimate - wEst) < 1e-9);
  // At t = K the curve (W_max) is far above W_est: cwnd moves toward W_cubic(K + RTT), clamped to ≤ 1.5 cwnd.
  const before = cc.window;
  const now = 1100 + k * 1000;
  sendAndAck(cc, 1, now - 1, now);
  const target = Math.min(cubicWindow(k + 0.1, k, 20), 1.5 * (before / 1200));
  const expected = before + ((target - before / 1200) / (before / 1200)) * 1200;
  assert.ok(Math.abs(cc.window - expected) < 1e-6, `${cc.window} vs ${expected}`);
  assert.ok(cc.window > before);
});

s('CUBIC target is capped at 1.5 × cwnd and never below cwnd', () => {
  const cc = cubicAfterLoss();
  sendAndAck(cc, 1, 1001, 1100);
  const k = cc.kSeconds;
  // Far beyond K the cubic curve explodes; the per-ACK step is capped at (1.5 − 1) × bytes acked.
  const before = cc.window;
  const now = 1100 + (k + 30) * 1000;
  sendAndAck(cc, 1, now - 1, now);
  assert.ok(Math.abs(cc.window - (before + 0.5 * 1200)) < 1e-6);
});

s('CUBIC α becomes 1 once W_est reaches the window before the last reduction', () => {
  const cc = cubicAfterLoss();
  let guard = 0;
  while (cc.renoEstimate < 24000 && guard++ < 1000) sendAndAck(cc, 1, 1001, 1100);
  assert.ok(guard < 1000);
  const w = cc.window;
  const e = cc.renoEstimate;
  sendAndAck(cc, 1, 1001, 1100);
  assert.ok(Math.abs(cc.renoEstimate - (e + (1 * 1200 * 1200) / w)) < 1e-9);
});

s('CUBIC fast convergence lowers W_max when a loss comes before reaching it', () => {
  const on = cubicAfterLoss();
  on.onPacketSent(1200, 1500);
  on.onPacketsLost([pkt(1500)], 1600); // cwnd 16800 < W_max 24000
  assert.is(on.maxWindow, (16800 * (1 + CUBIC_BETA)) / 2);
  assert.is(on.window, Math.floor(16800 * CUBIC_BETA));
  const off = cubicAfterLoss({ fastConvergence: false });
  off.onPacketSent(1200, 1500);
  off.onPacketsLost([pkt(1500)], 1600);
  assert.is(off.maxWindow, 16800);
});

s('CUBIC excludes app-limited time from t and restarts with K = 0 after persistent congestion', () => {
  const cc = cubicAfterLoss();
  sendAndAck(cc, 1, 1001, 1100);
  const w = cc.window;
  cc.setAppLimited(true, 1200);
  sendAndAck(cc, 3, 1150, 1500);
  assert.is(cc.window, w);
  cc.setAppLimited(false, 1700);
  assert.is(cc.epochStartTime, 1100 + 500);
  cc.onPersistentCongestion(1800);
  assert.is(cc.window, 2400);
  assert.is(cc.maxWindow, 0);
  assert.is(cc.epochStartTime, undefined);
  // Slow start back to ssthresh (16800), then an epoch with W_max = cwnd and K = 0.
  while (cc.window < cc.ssthresh) sendAndAck(cc, 1, 1900, 2000);
  sendAndAck(cc, 1, 2000, 2100);
  assert.is(cc.kSeconds, 0);
  assert.ok(cc.maxWindow >= 16800);
});

s.run();
