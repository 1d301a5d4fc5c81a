import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SentPacketStore } from '../src/recovery/sentPacket.js';
import type { PnSpace, SentPacket } from '../src/recovery/sentPacket.js';

const s = suite('recovery sent-packet store');

function pkt(pn: number, opts: Partial<SentPacket<string>> = {}): SentPacket<string> {
  return { pn, ackEliciting: true, inFlight: true, size: 100, frames: `f${pn}`, space: 'application' as PnSpace, timeSent: pn, ...opts };
}

s('tracks size, bytes in flight and ack-eliciting count', () => {
  const st = new SentPacketStore<string>();
  st.add(pkt(0));
  st.add(pkt(1, { ackEliciting: false, size: 50 }));
  st.add(pkt(3, { inFlight: false, ackEliciting: false, size: 30 }));
  assert.is(st.size, 3);
  assert.is(st.bytesInFlight, 150);
  assert.is(st.ackElicitingInFlight, 1);
  assert.is(st.largestSent, 3);
  assert.is(st.get(1)?.frames, 'f1');
  assert.is(st.get(2), undefined);
  assert.is(st.remove(0)?.pn, 0);
  assert.is(st.remove(0), undefined);
  assert.is(st.bytesInFlight, 50);
  assert.is(st.ackElicitingInFlight, 0);
  assert.equal([...st].map((p) => p.pn), [1, 3]);
});

s('rejects non-increasing packet numbers', () => {
  const st = new SentPacketStore<string>();
  st.add(pkt(5));
  assert.throws(() => st.add(pkt(5)), /not above/);
  assert.throws(() => st.add(pkt(2)), /not above/);
});

s('removeAcked takes descending (or ascending) ranges and yields ascending packets', () => {
  const st = new SentPacketStore<string>();
  for (let i = 0; i < 10; i++) st.add(pkt(i));
  const out: SentPacket<string>[] = [];
  const n = st.removeAcked([{ smallest: 7, largest: 8 }, { smallest: 2, largest: 4 }], out);
  assert.is(n, 5);
  assert.equal(out.map((p) => p.pn), [2, 3, 4, 7, 8]);
  // Already-acked numbers are not reported twice.
  const again: SentPacket<string>[] = [];
  assert.is(st.removeAcked([{ smallest: 0, largest: 1 }, { smallest: 3, largest: 9 }], again), 5);
  assert.equal(again.map((p) => p.pn), [0, 1, 5, 6, 9]);
  assert.is(st.size, 0);
  assert.is(st.bytesInFlight, 0);
});

s('sweep removes selected packets up to a bound; drain empties', () => {
  const st = new SentPacketStore<string>();
  for (let i = 0; i < 6; i++) st.add(pkt(i));
  const seen: number[] = [];
  st.sweep(3, (p) => {
    seen.push(p.pn);
    return p.pn % 2 === 0;
  });
  assert.equal(seen, [0, 1, 2, 3]);
  assert.equal([...st].map((p) => p.pn), [1, 3, 4, 5]);
  const all = st.drain();
  assert.equal(all.map((p) => p.pn), [1, 3, 4, 5]);
  assert.is(st.size, 0);
  assert.is(st.largestSent, 5);
  st.add(pkt(6));
  assert.is(st.size, 1);
});

s('many acknowledgements compact the store and keep lookups right', () => {
  const st = new SentPacketStore<string>();
  for (let i = 0; i < 400; i++) st.add(pkt(i));
  const out: SentPacket<string>[] = [];
  // Acknowledge every packet except multiples of 50, in chunks, forcing compaction of holes.
  for (let base = 0; base < 400; base += 50) st.removeAcked([{ smallest: base + 1, largest: base + 49 }], out);
  assert.is(out.length, 392);
  assert.is(st.size, 8);
  assert.equal([...st].map((p) => p.pn), [0, 50, 100, 150, 200, 250, 300, 350]);
  assert.is(st.get(150)?.pn, 150);
  assert.is(st.get(151), undefined);
  assert.is(st.bytesInFlight, 800);
});

s.run();
