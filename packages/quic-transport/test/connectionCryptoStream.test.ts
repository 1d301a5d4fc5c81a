/**
 * The CRYPTO send side (connection/cryptoStream.ts). Regression found by the interop runner (handshakeloss against
 * ngtcp2: 30% loss, so the server acknowledged retransmissions of the same ClientHello bytes several times): an ACK
 * for bytes already released moved the release point backwards, the next probe timeout re-queued released bytes and
 * building the probe threw a TypeError (the connection closed with INTERNAL_ERROR).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CryptoStream } from '../src/connection/cryptoStream.js';

const s = suite('connectionCryptoStream');

s('a repeated ACK of released bytes does not re-queue them; a probe after it sends nothing stale', () => {
  const c = new CryptoStream();
  c.write(new Uint8Array(1096).fill(7));
  const a = c.emit(1090)!;
  const b = c.emit(1090)!;
  assert.is(a.offset, 0);
  assert.is(b.offset + b.data.length, 1096);
  c.onAcked(b.offset, b.data.length);
  c.onAcked(a.offset, a.data.length);
  assert.not.ok(c.hasUnacked, 'everything acknowledged');
  c.onAcked(a.offset, a.data.length); // the same bytes acknowledged again (a retransmission's ACK)
  assert.not.ok(c.hasUnacked);
  c.requeueUnacked(); // a probe timeout
  assert.not.ok(c.hasPendingData);
  assert.is(c.emit(1200), undefined);
});

s('partial, out-of-order and duplicate ACKs release exactly the acknowledged prefix', () => {
  const c = new CryptoStream();
  c.write(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff));
  c.write(Uint8Array.from({ length: 300 }, (_, i) => (i + 300) & 0xff));
  const frames = [c.emit(110)!, c.emit(110)!, c.emit(110)!];
  while (c.emit(200) !== undefined);
  c.onAcked(frames[1].offset, frames[1].data.length);
  c.onAcked(frames[0].offset, frames[0].data.length);
  c.onAcked(frames[0].offset, frames[0].data.length);
  c.requeueUnacked();
  const resent = c.emit(1200)!;
  assert.is(resent.offset, frames[2].offset, 'the first unacknowledged byte is resent first');
  assert.is(resent.data[0], resent.offset & 0xff, 'with the right bytes');
  assert.ok(c.hasUnacked);
});

s.run();
