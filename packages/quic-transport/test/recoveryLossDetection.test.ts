import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode } from '../src/errors.js';
import { LossDetection } from '../src/recovery/lossDetection.js';
import type { LossDetectionOptions } from '../src/recovery/lossDetection.js';
import { NewReno } from '../src/recovery/congestion/newReno.js';
import type { PnSpace } from '../src/recovery/sentPacket.js';

const s = suite('recovery loss detection (RFC 9002 §6, App. A)');

// Before any sample: srtt 333, rttvar 166.5 → base PTO 999 ms; Application Data adds max_ack_delay 25.
const BASE_PTO = 333 + 4 * 166.5;

function make(opts: Partial<LossDetectionOptions> = {}): LossDetection<string> {
  return new LossDetection<string>({ role: 'server', ...opts });
}

function send(ld: LossDetection<string>, space: PnSpace, pn: number, now: number, ackEliciting = true, size = 1200): void {
  ld.onPacketSent(space, { pn, ackEliciting, inFlight: true, size, frames: `${space}:${pn}` }, now);
}

const r = (smallest: number, largest = smallest) => ({ smallest, largest });

s('packet threshold: packets 3 below the largest acknowledged are lost; the rest arm the loss timer', () => {
  const ld = make();
  ld.onHandshakeConfirmed(0);
  for (let pn = 0; pn < 5; pn++) send(ld, 'application', pn, pn);
  assert.is(ld.bytesInFlight, 6000);
  const res = ld.onAckReceived('application', [r(4)], 0, 50);
  assert.equal(res.newlyAcked.map((p) => p.pn), [4]);
  assert.equal(res.lost.map((p) => p.pn), [0, 1]);
  assert.equal(res.lost.map((p) => p.frames), ['application:0', 'application:1']);
  assert.ok(res.rttSampled);
  assert.is(res.persistentCongestion, false);
  assert.is(ld.rtt.latestRtt, 46);
  assert.is(ld.largestAcked('application'), 4);
  // loss_delay = 9/8 × max(latest 46, smoothed 46); pn 2 (sent at 2) is the earliest still outstanding.
  const lossDelay = (9 / 8) * 46;
  assert.is(ld.timeout, 2 + lossDelay);
  assert.is(ld.bytesInFlight, 2400);
});

s('time threshold: the loss timer declares the packets sent more than 9/8 RTT ago lost', () => {
  const ld = make();
  ld.onHandshakeConfirmed(0);
  for (let pn = 0; pn < 5; pn++) send(ld, 'application', pn, pn);
  ld.onAckReceived('application', [r(4)], 0, 50);
  const lossDelay = (9 / 8) * 46;
  assert.equal(ld.onTimeout(2 + lossDelay - 0.5), { kind: 'none' });
  const a = ld.onTimeout(2 + lossDelay);
  assert.is(a.kind, 'lost');
  if (a.kind !== 'lost') return;
  assert.is(a.space, 'application');
  assert.equal(a.lost.map((p) => p.pn), [2]);
  assert.is(ld.timeout, 3 + lossDelay);
  const b = ld.onTimeout(3 + lossDelay);
  assert.ok(b.kind === 'lost' && b.lost[0]!.pn === 3);
  // Nothing in flight any more and the server's address validation is implicit: the timer is off.
  assert.is(ld.timeout, undefined);
  assert.equal(ld.onTimeout(10_000), { kind: 'none' });
});

s('time threshold: the loss timer fires exactly at its deadline despite floating-point rounding (regression)', () => {
  const ld = make();
  ld.onHandshakeConfirmed(0);
  // Times whose sums do not round-trip: timeSent + lossDelay - lossDelay !== timeSent in binary floating point.
  const t0 = 1000.9819449665014;
  send(ld, 'application', 0, t0);
  send(ld, 'application', 1, t0 + 0.1);
  ld.onAckReceived('application', [r(1)], 0, 1035.9767924359112);
  const deadline = ld.timeout as number;
  assert.ok(deadline > t0);
  const action = ld.onTimeout(deadline);
  assert.is(action.kind, 'lost');
  assert.equal(action.kind === 'lost' ? action.lost.map((p) => p.pn) : [], [0]);
  assert.ok(ld.timeout === undefined || ld.timeout > deadline, 'the timer moved on');
});

s('PTO: Application Data includes max_ack_delay, backs off exponentially and resets on an ACK', () => {
  const ld = make();
  ld.onHandshakeConfirmed(0);
  send(ld, 'application', 0, 0);
  assert.is(ld.timeout, BASE_PTO + 25);
  assert.equal(ld.onTimeout(BASE_PTO), { kind: 'none' });
  assert.equal(ld.onTimeout(BASE_PTO + 25), { kind: 'probe', space: 'application', packets: 2, antiDeadlock: false });
  assert.is(ld.ptoCount, 1);
  assert.is(ld.timeout, 2 * (BASE_PTO + 25));
  ld.onTimeout(2 * (BASE_PTO + 25));
  assert.is(ld.ptoCount, 2);
  assert.is(ld.timeout, 4 * (BASE_PTO + 25));
  // The probe is sent: the PTO now counts from it, still with backoff 4.
  const t = 4 * (BASE_PTO + 25);
  send(ld, 'application', 1, t - 1);
  assert.is(ld.timeout, t - 1 + 4 * (BASE_PTO + 25));
  const res = ld.onAckReceived('application', [r(1)], 0, t + 99);
  assert.ok(res.rttSampled);
  assert.is(ld.ptoCount, 0);
  // pn 0 is 1 below the largest acked but was sent long before: lost by time threshold.
  assert.equal(res.lost.map((p) => p.pn), [0]);
});

s('setMaxAckDelay changes the Application Data PTO', () => {
  const ld = make({ maxAckDelay: 0 });
  ld.onHandshakeConfirmed(0);
  send(ld, 'application', 0, 0);
  assert.is(ld.timeout, BASE_PTO);
  ld.setMaxAckDelay(100, 0);
  assert.is(ld.timeout, BASE_PTO + 100);
});

s('no Application Data PTO before the handshake is confirmed', () => {
  const ld = make();
  send(ld, 'application', 0, 0);
  assert.is(ld.timeout, undefined);
  ld.onHandshakeConfirmed(10);
  assert.is(ld.handshakeConfirmed, true);
  assert.is(ld.timeout, BASE_PTO + 25);
});

s('Initial and Handshake PTOs: earliest space wins, no max_ack_delay; discarding a space resets it', () => {
  const ld = make({ role: 'client' });
  send(ld, 'initial', 0, 0);
  assert.is(ld.timeout, BASE_PTO);
  ld.onHandshakeKeysAvailable(50);
  send(ld, 'handshake', 0, 100);
  send(ld, 'application', 0, 100); // 1-RTT data before confirmation: no PTO for it
  assert.is(ld.timeout, BASE_PTO);
  assert.equal(ld.onTimeout(BASE_PTO), { kind: 'probe', space: 'initial', packets: 2, antiDeadlock: false });
  assert.is(ld.ptoCount, 1);
  assert.is(ld.timeout, 2 * BASE_PTO);
  const inflight = ld.bytesInFlight;
  const dropped = ld.discardSpace('initial', 1500);
  assert.equal(dropped.map((p) => p.frames), ['initial:0']);
  assert.is(ld.bytesInFlight, inflight - 1200);
  assert.is(ld.ptoCount, 0);
  assert.ok(ld.isDiscarded('initial'));
  assert.is(ld.timeout, 100 + BASE_PTO);
  assert.equal(ld.discardSpace('initial', 1500), []);
  assert.throws(() => send(ld, 'initial', 1, 1600), /discarded/);
  // ACKs for a discarded space are ignored.
  assert.equal(ld.onAckReceived('initial', [r(0)], 0, 1600).newlyAcked, []);
});

s('client anti-deadlock PTO: nothing in flight, address not validated → probe Initial, then Handshake', () => {
  const ld = make({ role: 'client' });
  assert.is(ld.peerAddressValidated, false);
  assert.is(ld.timeout, undefined);
  send(ld, 'initial', 0, 0);
  const res = ld.onAckReceived('initial', [r(0)], 500, 100); // Initial ack delay is ignored
  assert.ok(res.rttSampled);
  assert.is(ld.rtt.smoothedRtt, 100);
  assert.is(ld.ackElicitingInFlight(), 0);
  // PTO = 100 + 4×50 = 300, counted from now.
  assert.is(ld.timeout, 400);
  assert.equal(ld.onTimeout(400), { kind: 'probe', space: 'initial', packets: 1, antiDeadlock: true });
  assert.is(ld.ptoCount, 1);
  assert.is(ld.timeout, 400 + 600);
  ld.onHandshakeKeysAvailable(450);
  assert.is(ld.timeout, 450 + 600);
  assert.equal(ld.onTimeout(1050), { kind: 'probe', space: 'handshake', packets: 1, antiDeadlock: true });
  // An Initial ACK does not reset pto_count while the client is unsure the server validated its address.
  send(ld, 'initial', 1, 1060);
  ld.onAckReceived('initial', [r(1)], 0, 1100);
  assert.is(ld.ptoCount, 2);
  // A Handshake ACK proves validation: pto_count resets and with nothing in flight the timer stops.
  send(ld, 'handshake', 0, 1110);
  ld.onAckReceived('handshake', [r(0)], 0, 1200);
  assert.ok(ld.peerAddressValidated);
  assert.is(ld.ptoCount, 0);
  assert.is(ld.timeout, undefined);
});

s('client learns of validation through onPeerAddressValidated', () => {
  const ld = make({ role: 'client' });
  send(ld, 'initial', 0, 0);
  ld.onAckReceived('initial', [r(0)], 0, 100);
  assert.is(ld.timeout, 400);
  ld.onPeerAddressValidated(150);
  assert.is(ld.timeout, undefined);
});

s('server at the anti-amplification limit arms no PTO until unblocked', () => {
  const ld = make({ role: 'server' });
  send(ld, 'initial', 0, 0);
  assert.is(ld.timeout, BASE_PTO);
  ld.setAmplificationBlocked(true, 10);
  assert.is(ld.timeout, undefined);
  assert.equal(ld.onTimeout(5000), { kind: 'none' });
  ld.setAmplificationBlocked(false, 5000);
  // Re-armed in the past: the caller runs it at once.
  assert.is(ld.timeout, BASE_PTO);
  assert.is(ld.onTimeout(5000).kind, 'probe');
  // Clients are never amplification-limited.
  const c = make({ role: 'client' });
  send(c, 'initial', 0, 0);
  c.setAmplificationBlocked(true, 1);
  assert.is(c.timeout, BASE_PTO);
});

/** Server with an RTT sample of 100 ms (srtt 100, rttvar 50), handshake confirmed. */
function withSample(): LossDetection<string> {
  const ld = make({ congestion: new NewReno() });
  ld.onHandshakeConfirmed(0);
  send(ld, 'application', 0, 0);
  ld.onAckReceived('application', [r(0)], 0, 100);
  return ld;
}

s('persistent congestion: two ack-eliciting losses further apart than 3 × (PTO + max_ack_delay)', () => {
  const ld = withSample();
  send(ld, 'application', 1, 200);
  send(ld, 'application', 2, 1200);
  send(ld, 'application', 3, 1300);
  send(ld, 'application', 4, 1310);
  send(ld, 'application', 5, 1320);
  const res = ld.onAckReceived('application', [r(5)], 0, 1400);
  assert.equal(res.lost.map((p) => p.pn), [1, 2]);
  // After this sample: srtt = 7/8·100 + 80/8 = 97.5, rttvar = 3/4·50 + |100−80|/4 = 42.5.
  const duration = 3 * (97.5 + 4 * 42.5 + 25);
  assert.ok(1200 - 200 > duration);
  assert.ok(res.persistentCongestion);
  // Collapsed to the minimum window (2 × 1200), then pn 5 — acked after the losses, outside any recovery period —
  // grows it in slow start (RFC 9002 A.7 processes losses before acknowledgements).
  assert.is(ld.congestion.window, 2 * 1200 + 1200);
  assert.is(ld.congestion.ssthresh, Math.floor((12000 + 1200) / 2));
  assert.is(ld.rtt.minRtt, 80);
});

s('no persistent congestion when a packet between the losses was acknowledged', () => {
  const ld = withSample();
  send(ld, 'application', 1, 200);
  send(ld, 'application', 2, 700);
  send(ld, 'application', 3, 1200);
  for (let pn = 4; pn <= 6; pn++) send(ld, 'application', pn, 1296 + 4 * pn);
  const res = ld.onAckReceived('application', [r(6), r(2)], 0, 1400);
  assert.equal(res.lost.map((p) => p.pn), [1, 3]);
  assert.is(res.persistentCongestion, false);
  assert.ok(ld.congestion.window > 2 * 1200);
});

s('no persistent congestion from packets sent before the first RTT sample, nor from non-ack-eliciting ones', () => {
  const ld = make();
  ld.onHandshakeConfirmed(0);
  send(ld, 'application', 0, 0);
  send(ld, 'application', 1, 3000);
  for (let pn = 2; pn <= 4; pn++) send(ld, 'application', pn, 3100);
  const res = ld.onAckReceived('application', [r(4)], 0, 3200);
  assert.equal(res.lost.map((p) => p.pn), [0, 1]);
  assert.is(res.persistentCongestion, false);

  const b = withSample();
  send(b, 'application', 1, 200, false);
  send(b, 'application', 2, 1200, false);
  for (let pn = 3; pn <= 5; pn++) send(b, 'application', pn, 1300 + pn);
  const res2 = b.onAckReceived('application', [r(5)], 0, 1400);
  assert.equal(res2.lost.map((p) => p.pn), [1, 2]);
  assert.is(res2.persistentCongestion, false);
});

s('an ACK of an unsent packet number is a PROTOCOL_VIOLATION', () => {
  const ld = make();
  send(ld, 'initial', 0, 0);
  try {
    ld.onAckReceived('initial', [r(1)], 0, 10);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, QuicError);
    assert.is((e as QuicError).code, TransportErrorCode.PROTOCOL_VIOLATION);
    assert.is((e as QuicError).frameType, 0x02);
  }
  assert.throws(() => ld.onAckReceived('handshake', [r(0)], 0, 10, { ce: 0 }), (e: unknown) => (e as QuicError).frameType === 0x03);
  assert.equal(ld.onAckReceived('initial', [], 0, 10).newlyAcked, []);
});

s('RTT samples only when the largest acknowledged is newly acked and something ack-eliciting was acked', () => {
  const ld = make();
  ld.onHandshakeConfirmed(0);
  send(ld, 'application', 0, 0, false);
  send(ld, 'application', 1, 0);
  assert.is(ld.onAckReceived('application', [r(0)], 0, 50).rttSampled, false);
  assert.is(ld.onAckReceived('application', [r(1)], 0, 60).rttSampled, true);
  assert.is(ld.rtt.latestRtt, 60);
  // Duplicate ACK: nothing newly acked.
  const dup = ld.onAckReceived('application', [r(0, 1)], 0, 70);
  assert.equal(dup.newlyAcked, []);
  assert.is(dup.rttSampled, false);
  send(ld, 'application', 2, 80);
  send(ld, 'application', 3, 80);
  // Largest (1) already acked: no sample although 2 is newly acked.
  ld.onAckReceived('application', [r(3)], 0, 100);
  const late = ld.onAckReceived('application', [r(2, 3)], 0, 200);
  assert.equal(late.newlyAcked.map((p) => p.pn), [2]);
  assert.is(late.rttSampled, false);
});

s('ack delay is subtracted (capped by max_ack_delay once confirmed) in Application Data', () => {
  const ld = make();
  ld.onHandshakeConfirmed(0);
  send(ld, 'application', 0, 0);
  ld.onAckReceived('application', [r(0)], 0, 100);
  send(ld, 'application', 1, 100);
  ld.onAckReceived('application', [r(1)], 60, 300); // latest 200, delay capped to 25 → adjusted 175
  assert.is(ld.rtt.smoothedRtt, (7 * 100 + 175) / 8);
});

s('an increased ECN-CE count is a congestion event', () => {
  const ld = make({ congestion: 'newreno' });
  ld.onHandshakeConfirmed(0);
  for (let pn = 0; pn < 4; pn++) send(ld, 'application', pn, 0);
  assert.is(ld.congestion.window, 12000);
  ld.onAckReceived('application', [r(0)], 0, 100, { ce: 0 });
  assert.is(ld.congestion.window, 13200); // slow start: +1200
  ld.onAckReceived('application', [r(0, 1)], 0, 110, { ce: 1 });
  // CE increased: ssthresh = cwnd/2, and pn 1 (sent before recovery began) does not grow the window.
  assert.is(ld.congestion.ssthresh, 6600);
  assert.is(ld.congestion.window, 6600);
  ld.onAckReceived('application', [r(0, 2)], 0, 120, { ce: 1 });
  assert.is(ld.congestion.window, 6600); // same CE count: no new event
});

s('Retry and 0-RTT rejection remove packets from flight for requeueing', () => {
  const ld = make({ role: 'client', congestion: 'cubic' });
  assert.is(ld.congestion.name, 'cubic');
  send(ld, 'initial', 0, 0);
  send(ld, 'application', 0, 1);
  send(ld, 'application', 1, 2);
  const removed = ld.removePackets('application', (p) => p.pn === 0, 3);
  assert.equal(removed.map((p) => p.frames), ['application:0']);
  assert.is(ld.bytesInFlight, 2400);
  assert.equal([...ld.sentPackets('application')].map((p) => p.pn), [1]);
  const all = ld.onRetry(4);
  assert.equal(all.map((p) => p.frames), ['initial:0', 'application:1']);
  assert.is(ld.bytesInFlight, 0);
  // The client still needs the server to validate its address: anti-deadlock PTO from now.
  assert.is(ld.timeout, 4 + BASE_PTO);
  // Packet numbers keep increasing after a Retry.
  assert.throws(() => send(ld, 'initial', 0, 5));
  send(ld, 'initial', 1, 5);
  assert.is(ld.timeout, 5 + BASE_PTO);
});

s.run();
