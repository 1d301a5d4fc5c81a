import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ReceivedPackets, encodeAckDelay } from '../src/recovery/receivedPackets.js';

const s = suite('recovery received packets (RFC 9000 §13.2)');

const ranges = (rp: ReceivedPackets) => rp.ackRanges().map((r) => [r.largest, r.smallest]);

s('in-order Application Data: first ack-eliciting packet waits max_ack_delay, the second forces an ACK', () => {
  const rp = new ReceivedPackets('application', { maxAckDelay: 25 });
  assert.is(rp.ackDeadline, undefined);
  assert.is(rp.ackPending, false);
  assert.ok(rp.onPacketReceived(0, true, 100));
  assert.is(rp.ackDeadline, 125);
  assert.is(rp.ackDue(124), false);
  assert.is(rp.ackDue(125), true);
  assert.ok(rp.onPacketReceived(1, true, 110));
  assert.is(rp.ackDeadline, 110);
  assert.equal(ranges(rp), [[1, 0]]);
  assert.is(rp.ackDelay(113), 3);
  assert.is(rp.onAckSent(), 1);
  assert.is(rp.ackDeadline, undefined);
  assert.is(rp.ackPending, false);
});

s('Initial and Handshake packets are acknowledged at once', () => {
  for (const space of ['initial', 'handshake'] as const) {
    const rp = new ReceivedPackets(space);
    rp.onPacketReceived(0, true, 7);
    assert.is(rp.ackDeadline, 7);
    assert.is(rp.space, space);
  }
});

s('non-ack-eliciting packets are recorded but never make an ACK due', () => {
  const rp = new ReceivedPackets('initial');
  assert.ok(rp.onPacketReceived(0, false, 1));
  assert.is(rp.ackDeadline, undefined);
  assert.ok(rp.ackPending);
  assert.equal(ranges(rp), [[0, 0]]);
});

s('gaps and reordering trigger an immediate ACK; ranges merge when holes fill', () => {
  const rp = new ReceivedPackets('application', { ackElicitingThreshold: 10 });
  rp.onPacketReceived(0, true, 0);
  assert.is(rp.ackDeadline, 25);
  rp.onAckSent();
  rp.onPacketReceived(3, true, 1); // gap: 1, 2 missing
  assert.is(rp.ackDeadline, 1);
  assert.equal(ranges(rp), [[3, 3], [0, 0]]);
  rp.onAckSent();
  rp.onPacketReceived(1, true, 2); // reordered: below largest ack-eliciting
  assert.is(rp.ackDeadline, 2);
  assert.equal(ranges(rp), [[3, 3], [1, 0]]);
  rp.onAckSent();
  rp.onPacketReceived(2, false, 3); // fills the hole; non-ack-eliciting
  assert.equal(ranges(rp), [[3, 0]]);
  assert.is(rp.ackDeadline, undefined);
  rp.onPacketReceived(4, true, 4); // in order again: delayed
  assert.is(rp.ackDeadline, 29);
  assert.equal(ranges(rp), [[4, 0]]);
  rp.onPacketReceived(10, false, 5);
  rp.onPacketReceived(8, false, 5);
  rp.onPacketReceived(9, false, 5);
  assert.equal(ranges(rp), [[10, 8], [4, 0]]);
  rp.onPacketReceived(6, true, 6); // between ranges, reordered relative to nothing ack-eliciting but a gap after 4
  assert.equal(ranges(rp), [[10, 8], [6, 6], [4, 0]]);
  assert.is(rp.ackDeadline, 6);
  assert.is(rp.largest, 10);
});

s('duplicates are refused without counting them', () => {
  const rp = new ReceivedPackets('application');
  assert.ok(rp.onPacketReceived(5, true, 0, 'ect0'));
  assert.is(rp.onPacketReceived(5, true, 1, 'ect0'), false);
  assert.ok(rp.isDuplicate(5));
  assert.is(rp.isDuplicate(4), false);
  assert.is(rp.isDuplicate(6), false);
  assert.equal(rp.ecnCounts, { ect0: 1, ect1: 0, ce: 0 });
  assert.is(rp.onPacketReceived(-1, true, 1), false);
  assert.is(rp.onPacketReceived(2 ** 53, true, 1), false);
});

s('a CE-marked packet is acknowledged immediately and counted', () => {
  const rp = new ReceivedPackets('application');
  rp.onPacketReceived(0, true, 10, 'ce');
  rp.onPacketReceived(1, false, 11, 'ect1');
  assert.is(rp.ackDeadline, 10);
  assert.equal(rp.ecnCounts, { ect0: 0, ect1: 1, ce: 1 });
});

s('the number of ranges is bounded: the oldest are dropped and become duplicates', () => {
  const rp = new ReceivedPackets('application', { maxRanges: 4 });
  for (const pn of [0, 2, 4, 6, 8, 10]) rp.onPacketReceived(pn, false, pn);
  assert.equal(ranges(rp), [[10, 10], [8, 8], [6, 6], [4, 4]]);
  assert.is(rp.minTracked, 3);
  assert.ok(rp.isDuplicate(0));
  assert.ok(rp.isDuplicate(1));
  assert.is(rp.onPacketReceived(2, true, 20), false);
  assert.ok(rp.onPacketReceived(5, true, 20));
  assert.equal(ranges(rp), [[10, 10], [8, 8], [6, 4]]);
});

s('ranges the peer saw acknowledged are forgotten', () => {
  const rp = new ReceivedPackets('application');
  for (const pn of [0, 1, 2, 5, 6, 9]) rp.onPacketReceived(pn, true, pn);
  const largest = rp.onAckSent();
  assert.is(largest, 9);
  rp.onAckAcknowledged(5);
  assert.equal(ranges(rp), [[9, 9], [6, 6]]);
  assert.is(rp.minTracked, 6);
  assert.ok(rp.isDuplicate(3)); // below the tracked window
  rp.onAckAcknowledged(2); // older information: nothing changes
  assert.equal(ranges(rp), [[9, 9], [6, 6]]);
  rp.onAckAcknowledged(largest);
  assert.equal(ranges(rp), []);
  assert.is(rp.ackPending, false);
  assert.is(rp.onAckSent(), -1);
  // The next in-order packet is not mistaken for a gap.
  rp.onPacketReceived(10, true, 20);
  assert.is(rp.ackDeadline, 45);
});

s('ack delay is measured from the arrival of the largest packet and encoded with the exponent', () => {
  const rp = new ReceivedPackets('application');
  assert.is(rp.ackDelay(5), 0);
  rp.onPacketReceived(3, true, 100);
  rp.onPacketReceived(1, true, 104);
  assert.is(rp.ackDelay(110), 10);
  assert.is(rp.ackDelay(90), 0);
  assert.is(encodeAckDelay(10), 1250); // 10 000 µs / 2^3
  assert.is(encodeAckDelay(10, 0), 10000);
  assert.is(encodeAckDelay(0.0123, 3), 1);
  assert.is(encodeAckDelay(-1), 0);
});

s.run();
