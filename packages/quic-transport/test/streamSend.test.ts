import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode } from '../src/errors.js';
import { SendCredit } from '../src/stream/flowControl.js';
import { SendStream } from '../src/stream/sendStream.js';
import type { StreamFrameFields } from '../src/stream/sendStream.js';

const s = suite('stream send side');

function bytes(from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = (i * 13 + 1) & 0xff;
  return out;
}
const sent = (c: StreamFrameFields) => ({ offset: c.offset, length: c.data.length, fin: c.fin });

s('Ready → Send → Data Sent → Data Recvd', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 1000 });
  assert.is(st.state, 'ready');
  assert.is(st.emit(100), undefined, 'nothing queued');
  assert.ok(st.write(bytes(0, 30)));
  assert.ok(st.hasPendingData);
  const a = st.emit(20) as StreamFrameFields;
  assert.equal(a, { streamId: 0, offset: 0, data: bytes(0, 20), fin: false });
  assert.is(st.state, 'send');
  st.end();
  st.end(); // idempotent
  assert.is(st.finalSize, 30);
  const b = st.emit(100) as StreamFrameFields;
  assert.equal(b, { streamId: 0, offset: 20, data: bytes(20, 30), fin: true });
  assert.is(st.state, 'data-sent');
  assert.not.ok(st.hasPendingData);
  assert.is(st.emit(100), undefined);
  st.onAck(sent(b));
  assert.is(st.state, 'data-sent', 'first bytes still unacked');
  assert.is(st.writableLength, 30);
  st.onAck(sent(a));
  assert.is(st.state, 'data-recvd');
  assert.ok(st.isClosed);
  assert.is(st.writableLength, 0);
  assert.not.ok(st.reset(1), 'reset after Data Recvd does nothing');
  st.onLost(sent(a)); // late loss report: ignored
  assert.not.ok(st.hasPendingData);
});

s('FIN without data, and a lost FIN-only frame is sent again', () => {
  const st = new SendStream({ streamId: 2, initialMaxStreamData: 0 });
  st.end();
  assert.ok(st.hasPendingData, 'FIN needs no credit');
  const f = st.emit(10) as StreamFrameFields;
  assert.equal(f, { streamId: 2, offset: 0, data: new Uint8Array(0), fin: true });
  assert.is(st.state, 'data-sent');
  st.onLost(sent(f));
  assert.ok(st.hasPendingData);
  assert.equal(st.emit(10), { streamId: 2, offset: 0, data: new Uint8Array(0), fin: true });
  st.onAck(sent(f));
  assert.is(st.state, 'data-recvd');
});

s('views into written buffers; copies only across buffers', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 1000 });
  const a = bytes(0, 10);
  const b = bytes(10, 20);
  st.write(a);
  st.write(b);
  const one = st.emit(5) as StreamFrameFields;
  assert.is(one.data.buffer, a.buffer);
  const two = st.emit(10) as StreamFrameFields;
  assert.equal(two.data, bytes(5, 15));
  assert.is.not(two.data.buffer, a.buffer);
  assert.equal(st.emit(100)?.data, bytes(15, 20));
});

s('lost ranges are retransmitted first, minus parts acknowledged meanwhile', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 10_000 });
  st.write(bytes(0, 300));
  st.end();
  const f1 = st.emit(100) as StreamFrameFields; // 0..100
  const f2 = st.emit(100) as StreamFrameFields; // 100..200
  const f3 = st.emit(100) as StreamFrameFields; // 200..300 + FIN
  assert.ok(f3.fin);
  st.onAck({ offset: 150, length: 20, fin: false }); // e.g. an earlier retransmission acked
  st.onLost(sent(f2));
  st.onLost(sent(f3));
  st.onAck(sent(f1));
  assert.is(st.writableLength, 200, 'bytes 0..100 released, nothing beyond the first gap');
  const r1 = st.emit(1000) as StreamFrameFields;
  assert.equal({ offset: r1.offset, data: r1.data, fin: r1.fin }, { offset: 100, data: bytes(100, 150), fin: false });
  const r2 = st.emit(60) as StreamFrameFields;
  assert.equal(r2, { streamId: 0, offset: 170, data: bytes(170, 230), fin: false });
  const r3 = st.emit(1000) as StreamFrameFields;
  assert.equal(r3, { streamId: 0, offset: 230, data: bytes(230, 300), fin: true });
  assert.is(st.emit(1000), undefined);
  for (const c of [r1, r2, r3]) st.onAck(sent(c));
  assert.is(st.state, 'data-recvd');
  assert.is(st.bytesSent, 300);
});

s('loss of already-released bytes is ignored', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 10_000 });
  st.write(bytes(0, 100));
  const f = st.emit(100) as StreamFrameFields;
  st.onAck(sent(f));
  st.onLost(sent(f)); // spurious loss after ack
  assert.not.ok(st.hasPendingData);
  st.onLost({ offset: 50, length: 60, fin: false }); // range partly beyond... treated from the base
  assert.ok(st.hasPendingData);
});

s('stream and connection credit limit new data; BLOCKED frames are due once per limit', () => {
  const conn = new SendCredit(150);
  const st = new SendStream({ streamId: 4, initialMaxStreamData: 100, connectionCredit: conn });
  st.write(bytes(0, 300));
  assert.is(st.pollBlocked(), undefined);
  const a = st.emit(1000) as StreamFrameFields;
  assert.is(a.data.length, 100);
  assert.not.ok(st.hasPendingData);
  assert.is(st.pollBlocked(), 100, 'STREAM_DATA_BLOCKED at 100');
  assert.is(st.pollBlocked(), undefined);
  assert.is(conn.used, 100);
  assert.not.ok(st.onMaxStreamData(90), 'smaller limit ignored');
  assert.ok(st.onMaxStreamData(400));
  const b = st.emit(1000) as StreamFrameFields;
  assert.equal({ offset: b.offset, length: b.data.length }, { offset: 100, length: 50 });
  assert.ok(st.blockedByConnection);
  assert.not.ok(st.hasPendingData);
  assert.is(conn.pollBlocked(), 150, 'DATA_BLOCKED at 150');
  conn.raiseLimit(1000);
  assert.not.ok(st.blockedByConnection);
  assert.is((st.emit(1000) as StreamFrameFields).data.length, 150);
  assert.is(st.bytesSent, 300);
});

s('STREAM_DATA_BLOCKED before any data moves Ready to Send', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 0 });
  st.write(bytes(0, 10));
  assert.is(st.emit(10), undefined);
  assert.is(st.pollBlocked(), 0);
  assert.is(st.state, 'send');
});

s('backpressure: write returns false at the high-water mark, drain once acked below it', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 10_000, highWaterMark: 100 });
  assert.ok(st.writable);
  assert.ok(st.write(bytes(0, 60)));
  assert.not.ok(st.write(bytes(60, 120)));
  assert.not.ok(st.writable);
  assert.not.ok(st.pollDrain());
  const f = st.emit(1000) as StreamFrameFields;
  assert.not.ok(st.pollDrain(), 'sending alone does not free memory');
  st.onAck({ offset: 0, length: 10, fin: false });
  assert.not.ok(st.pollDrain(), '110 bytes still held');
  st.onAck({ offset: 0, length: 30, fin: false });
  assert.ok(st.pollDrain());
  assert.not.ok(st.pollDrain(), 'once');
  assert.ok(st.writable);
  st.onAck(sent(f));
  assert.is(st.writableLength, 0);
  assert.is(st.bytesWritten, 120);
});

s('reset from Ready/Send: RESET_STREAM with the bytes sent as final size, then Reset Recvd', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 10_000, highWaterMark: 10 });
  st.write(bytes(0, 50));
  st.emit(20);
  assert.ok(st.reset(7));
  assert.is(st.state, 'reset-sent');
  assert.is(st.finalSize, 20);
  assert.ok(st.pollDrain(), 'a waiting writer is released');
  assert.ok(st.resetFramePending);
  assert.equal(st.pollReset(), { errorCode: 7, finalSize: 20 });
  assert.is(st.pollReset(), undefined);
  assert.not.ok(st.hasPendingData);
  assert.is(st.emit(100), undefined);
  assert.is(st.pollBlocked(), undefined);
  st.onLost({ offset: 0, length: 20, fin: false });
  assert.not.ok(st.hasPendingData, 'no retransmission after reset');
  st.onResetLost();
  assert.equal(st.pollReset(), { errorCode: 7, finalSize: 20 });
  st.onAck({ offset: 0, length: 20, fin: false });
  st.onResetAcked();
  assert.is(st.state, 'reset-recvd');
  assert.ok(st.isClosed);
  st.onResetLost();
  assert.is(st.pollReset(), undefined);
  assert.not.ok(st.reset(8));
  assert.equal(st.resetInfo, { errorCode: 7, finalSize: 20 });
  try {
    st.write(bytes(0, 1));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, QuicError);
    assert.is((e as QuicError).code, TransportErrorCode.STREAM_STATE_ERROR);
  }
  st.end(); // ignored after reset
  assert.is(st.finalSize, 20);
});

s('STOP_SENDING in Ready and Data Sent answers with RESET_STREAM carrying the peer code', () => {
  const ready = new SendStream({ streamId: 1, initialMaxStreamData: 100 });
  ready.onStopSending(42);
  assert.is(ready.state, 'reset-sent');
  assert.is(ready.stopSendingCode, 42);
  assert.equal(ready.pollReset(), { errorCode: 42, finalSize: 0 });

  const done = new SendStream({ streamId: 1, initialMaxStreamData: 100 });
  done.write(bytes(0, 10));
  done.end();
  done.emit(100);
  assert.is(done.state, 'data-sent');
  done.onStopSending(9);
  done.onStopSending(10); // repeated frame: first code kept, no second reset
  assert.is(done.stopSendingCode, 9);
  assert.equal(done.pollReset(), { errorCode: 9, finalSize: 10 });
  assert.is(done.pollReset(), undefined);
});

s('write after end is a STREAM_STATE_ERROR; empty writes are fine', () => {
  const st = new SendStream({ streamId: 0, initialMaxStreamData: 100 });
  assert.ok(st.write(new Uint8Array(0)));
  st.end();
  assert.throws(() => st.write(bytes(0, 1)), (e: unknown) => e instanceof QuicError);
});

s.run();
