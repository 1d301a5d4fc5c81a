import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  HYSTART_CSS_GROWTH_DIVISOR,
  HYSTART_CSS_ROUNDS,
  HYSTART_N_RTT_SAMPLE,
  HyStart,
  hystartRttThreshold,
} from '../src/recovery/congestion/hyStart.js';
import { NewReno } from '../src/recovery/congestion/newReno.js';
import { Cubic } from '../src/recovery/congestion/cubic.js';
import type { CongestionController } from '../src/recovery/congestion/congestionController.js';
import type { RttView } from '../src/recovery/rttEstimator.js';

const s = suite('HyStart++ (RFC 9406)');

const MDS = 1200;

/** An RTT view whose latest sample the test sets. */
function rttView(): RttView & { latestRtt: number } {
  return { latestRtt: 0, minRtt: Infinity, smoothedRtt: 100, rttvar: 50 };
}

/**
 * One round trip: the whole window is sent at `start` (1 µs apart), then every packet is acknowledged by its own ACK
 * carrying the RTT sample `rttMs`. Returns the time after the round.
 */
function round(cc: CongestionController, view: RttView & { latestRtt: number }, start: number, rttMs: number): number {
  const n = Math.max(1, Math.floor(cc.window / MDS));
  const sent: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 0.001;
    cc.onPacketSent(MDS, t);
    sent.push(t);
  }
  for (const t of sent) {
    view.latestRtt = rttMs;
    cc.onPacketsAcked([{ size: MDS, timeSent: t, inFlight: true }], t + rttMs, view);
  }
  return start + rttMs + 1;
}

/** Time after {@link intoConservativeSlowStart}'s rounds. */
const TIME_IN_CSS = 3 * 11 + 16;

/** A NewReno after three 10 ms rounds and one 15 ms round: in conservative slow start. */
function intoConservativeSlowStart(): { cc: NewReno; view: RttView & { latestRtt: number } } {
  const cc = new NewReno({ maxDatagramSize: MDS });
  const view = rttView();
  let t = 0;
  for (let r = 0; r < 3; r++) t = round(cc, view, t, 10);
  t = round(cc, view, t, 15);
  assert.is(t, TIME_IN_CSS);
  assert.ok(cc.inConservativeSlowStart);
  return { cc, view };
}

s('the RTT threshold is a eighth of the last round minimum, clamped to [4, 16] ms', () => {
  assert.is(hystartRttThreshold(1), 4);
  assert.is(hystartRttThreshold(32), 4);
  assert.is(hystartRttThreshold(64), 8);
  assert.is(hystartRttThreshold(100), 12.5);
  assert.is(hystartRttThreshold(128), 16);
  assert.is(hystartRttThreshold(1000), 16);
});

s('a steady RTT leaves slow start alone: the window doubles every round', () => {
  for (const cc of [new NewReno({ maxDatagramSize: MDS }), new Cubic({ maxDatagramSize: MDS })]) {
    const view = rttView();
    let t = 0;
    let w = cc.window;
    for (let r = 0; r < 8; r++) {
      t = round(cc, view, t, 10);
      assert.is(cc.window, 2 * w, `${cc.name} round ${r}`);
      w = cc.window;
      assert.is(cc.inConservativeSlowStart, false);
    }
    assert.is(cc.ssthresh, Infinity);
  }
});

s('an RTT increase past the threshold enters conservative slow start; five rounds later slow start is over', () => {
  for (const cc of [new NewReno({ maxDatagramSize: MDS }), new Cubic({ maxDatagramSize: MDS })]) {
    const view = rttView();
    let t = 0;
    for (let r = 0; r < 3; r++) t = round(cc, view, t, 10); // 12 000 → 96 000 bytes
    assert.is(cc.window, 96_000);
    // The queue builds: 10 ms → 15 ms (threshold 4 ms). The first 8 samples still grow at full rate.
    const before = cc.window;
    t = round(cc, view, t, 15);
    assert.ok(cc.inConservativeSlowStart, cc.name);
    const packets = before / MDS;
    const expected = before + HYSTART_N_RTT_SAMPLE * MDS + ((packets - HYSTART_N_RTT_SAMPLE) * MDS) / HYSTART_CSS_GROWTH_DIVISOR;
    assert.is(cc.window, expected, `${cc.name}: full growth for ${HYSTART_N_RTT_SAMPLE} samples, then a quarter`);
    // Conservative rounds grow by a quarter of the bytes acknowledged.
    const w = cc.window;
    t = round(cc, view, t, 15);
    assert.ok(Math.abs(cc.window - (w + w / HYSTART_CSS_GROWTH_DIVISOR)) < MDS, `${cc.name} css growth ${w} → ${cc.window}`);
    assert.is(cc.ssthresh, Infinity);
    for (let r = 1; r < HYSTART_CSS_ROUNDS; r++) t = round(cc, view, t, 15);
    assert.is(cc.inConservativeSlowStart, false);
    assert.ok(Number.isFinite(cc.ssthresh), `${cc.name} left slow start`);
    assert.ok(cc.window >= cc.ssthresh);
    // Congestion avoidance from here on: far below doubling.
    const ca = cc.window;
    round(cc, view, t, 15);
    assert.ok(cc.window < ca * 1.2, `${cc.name} avoidance ${ca} → ${cc.window}`);
  }
});

s('an RTT that falls back below the baseline during conservative slow start resumes slow start', () => {
  const { cc, view } = intoConservativeSlowStart();
  let t = TIME_IN_CSS;
  t = round(cc, view, t, 11); // below the 15 ms baseline: a false alarm
  assert.is(cc.inConservativeSlowStart, false);
  const w = cc.window;
  round(cc, view, t, 11); // back to doubling (11 < 11 + 4: no new signal)
  assert.is(cc.window, 2 * w);
  assert.is(cc.ssthresh, Infinity);
});

s('fewer than N_RTT_SAMPLE samples in a round give no signal', () => {
  const hs = new HyStart();
  // Round 1 (packets up to the one sent at 5 ms in flight): ten 10 ms samples.
  for (let i = 0; i < 10; i++) hs.onAck(i * 0.5, 5, 10);
  // Round 2 begins with the ACK of a packet sent after 5 ms; only 7 samples of 30 ms.
  for (let i = 0; i < HYSTART_N_RTT_SAMPLE - 1; i++) hs.onAck(6, 9, 30);
  assert.is(hs.conservative, false);
  assert.is(hs.roundMinRtt, 30);
  hs.onAck(7, 9, 30); // the eighth
  assert.is(hs.conservative, true);
  // Samples of 0 (no RTT sample yet) are not counted.
  const fresh = new HyStart();
  for (let i = 0; i < 20; i++) fresh.onAck(0, 0, 0);
  assert.is(fresh.roundMinRtt, Infinity);
});

s('hystart: false keeps plain slow start; a loss ends slow start as before', () => {
  const cc = new NewReno({ maxDatagramSize: MDS, hystart: false });
  const view = rttView();
  let t = 0;
  for (let r = 0; r < 3; r++) t = round(cc, view, t, 10);
  const w = cc.window;
  t = round(cc, view, t, 40);
  assert.is(cc.window, 2 * w);
  assert.is(cc.inConservativeSlowStart, false);
  const lossy = new NewReno({ maxDatagramSize: MDS });
  for (let r = 0; r < 3; r++) t = round(lossy, view, t, 10);
  lossy.onPacketSent(MDS, t);
  lossy.onPacketsLost([{ size: MDS, timeSent: t, inFlight: true }], t + 30);
  assert.is(lossy.ssthresh, lossy.window);
});

s('after persistent congestion HyStart++ starts over with fresh rounds', () => {
  const { cc, view } = intoConservativeSlowStart();
  let t = TIME_IN_CSS;
  // A loss sets ssthresh; persistent congestion collapses the window below it: slow start again, no CSS carried over.
  cc.onPacketSent(MDS, t);
  cc.onPacketsLost([{ size: MDS, timeSent: t, inFlight: true }], t + 50);
  assert.is(cc.inConservativeSlowStart, false); // the loss ended slow start, conservative or not
  cc.onPersistentCongestion(t + 60);
  assert.is(cc.window, cc.minimumWindow);
  assert.is(cc.inConservativeSlowStart, false);
  t += 100;
  const w = cc.window;
  t = round(cc, view, t, 40); // first round after the restart: nothing to compare with
  assert.is(cc.window, 2 * w);
});

s.run();
