import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode } from '../src/errors.js';
import { ReceiveWindow } from '../src/stream/flowControl.js';
import { ReceiveStream } from '../src/stream/receiveStream.js';

const s = suite('stream receive side');

function bytes(from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = (i * 5 + 9) & 0xff;
  return out;
}

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    assert.instance(e, QuicError);
    return (e as QuicError).code;
  }
  assert.unreachable('expected a QuicError');
  return -1;
}

s('Recv → Size Known → Data Recvd → Data Read', () => {
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 1000 });
  assert.is(r.state, 'recv');
  assert.ok(r.onStreamFrame(0, bytes(0, 10), false));
  assert.not.ok(r.onStreamFrame(20, bytes(20, 30), true), 'gap: nothing new readable');
  assert.is(r.state, 'size-known');
  assert.is(r.finalSize, 30);
  assert.ok(r.onStreamFrame(10, bytes(10, 20), false));
  assert.is(r.state, 'data-recvd');
  assert.is(r.readableLength, 30);
  assert.equal(r.read(10), bytes(0, 10));
  assert.equal(r.read(), bytes(10, 20));
  assert.is(r.state, 'data-recvd');
  assert.equal(r.read(), bytes(20, 30));
  assert.is(r.state, 'data-read');
  assert.ok(r.finished && r.isClosed);
  assert.is(r.bytesRead, 30);
  assert.is(r.read(), undefined);
  assert.not.ok(r.onStreamFrame(0, bytes(0, 30), true), 'retransmission after the end is harmless');
});

s('an empty stream: FIN at offset 0', () => {
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 0 });
  assert.ok(r.onStreamFrame(0, new Uint8Array(0), true));
  assert.is(r.state, 'data-recvd');
  assert.is(r.read(), undefined);
  assert.is(r.state, 'data-read');
});

s('final size rules: FINAL_SIZE_ERROR for a change or data beyond it', () => {
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 1000 });
  r.onStreamFrame(0, bytes(0, 50), false);
  assert.is(code(() => r.onStreamFrame(0, bytes(0, 40), true)), TransportErrorCode.FINAL_SIZE_ERROR, 'below received');
  r.onStreamFrame(50, bytes(50, 60), true);
  assert.is(code(() => r.onStreamFrame(60, bytes(60, 61), false)), TransportErrorCode.FINAL_SIZE_ERROR, 'beyond');
  assert.is(code(() => r.onStreamFrame(55, bytes(55, 59), true)), TransportErrorCode.FINAL_SIZE_ERROR, 'changed');
  assert.is(code(() => r.onResetStream(0, 61)), TransportErrorCode.FINAL_SIZE_ERROR, 'reset with other size');
  r.onStreamFrame(55, bytes(55, 60), true); // same final size again: fine
  assert.is(r.finalSize, 60);
  const q = new ReceiveStream({ streamId: 1, initialMaxStreamData: 1000 });
  q.onStreamFrame(0, bytes(0, 50), false);
  assert.is(code(() => q.onResetStream(0, 49)), TransportErrorCode.FINAL_SIZE_ERROR, 'reset below received');
});

s('offsets beyond 2^62-1 or 2^53-1 are FRAME_ENCODING_ERROR', () => {
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 1000 });
  assert.is(code(() => r.onStreamFrame(2 ** 62, bytes(0, 1), false)), TransportErrorCode.FRAME_ENCODING_ERROR);
  assert.is(code(() => r.onStreamFrame(2 ** 53, bytes(0, 1), false)), TransportErrorCode.FRAME_ENCODING_ERROR);
});

s('stream and connection flow control: FLOW_CONTROL_ERROR before anything is buffered', () => {
  const conn = new ReceiveWindow({ initialWindow: 150 });
  const a = new ReceiveStream({ streamId: 1, initialMaxStreamData: 100, connectionWindow: conn });
  const b = new ReceiveStream({ streamId: 5, initialMaxStreamData: 100, connectionWindow: conn });
  a.onStreamFrame(0, bytes(0, 100), false);
  assert.is(code(() => a.onStreamFrame(100, bytes(100, 101), false)), TransportErrorCode.FLOW_CONTROL_ERROR);
  b.onStreamFrame(40, bytes(40, 50), false); // counts 50 toward the connection (highest offset)
  assert.is(conn.received, 150);
  assert.is(code(() => b.onStreamFrame(50, bytes(50, 51), false)), TransportErrorCode.FLOW_CONTROL_ERROR);
  assert.is(b.readableLength, 0);
  assert.is(conn.received, 150, 'failed frame not counted');
  b.onStreamFrame(0, bytes(0, 40), false); // below the highest offset: no new credit used
  assert.is(conn.received, 150);
});

s('reading opens the windows: MAX_STREAM_DATA when half consumed, and connection MAX_DATA', () => {
  const conn = new ReceiveWindow({ initialWindow: 1000 });
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 100, connectionWindow: conn });
  r.onStreamFrame(0, bytes(0, 100), false);
  assert.is(r.pollMaxStreamData(), undefined);
  r.read(49);
  assert.not.ok(r.maxStreamDataPending);
  r.read(1);
  assert.ok(r.maxStreamDataPending);
  assert.is(r.pollMaxStreamData(), 150);
  assert.is(r.pollMaxStreamData(), undefined);
  r.onMaxStreamDataLost(150);
  assert.is(r.pollMaxStreamData(), 150);
  assert.is(conn.consumed, 50);
  r.onStreamFrame(100, bytes(100, 150), false);
  assert.equal(r.read(), bytes(50, 100));
  // Once the final size is known no MAX_STREAM_DATA is sent.
  r.onStreamFrame(150, new Uint8Array(0), true);
  r.read();
  assert.is(r.pollMaxStreamData(), undefined);
});

s('RESET_STREAM: Recv → Reset Recvd → Reset Read, unread bytes released to the connection', () => {
  const conn = new ReceiveWindow({ initialWindow: 1000 });
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500, connectionWindow: conn });
  r.onStreamFrame(0, bytes(0, 100), false);
  r.read(30);
  assert.ok(r.onResetStream(77, 200));
  assert.is(r.state, 'reset-recvd');
  assert.is(r.resetCode, 77);
  assert.is(r.readableLength, 0);
  assert.is(conn.received, 200, 'final size counts toward the connection');
  assert.is(conn.consumed, 200, 'and is released');
  assert.not.ok(r.onResetStream(77, 200), 'duplicate');
  assert.not.ok(r.onStreamFrame(100, bytes(100, 200), false), 'data after reset ignored');
  assert.is(r.pollMaxStreamData(), undefined);
  assert.is(r.read(), undefined);
  assert.is(r.state, 'reset-read');
  assert.ok(r.isClosed);
  assert.is(code(() => r.onStreamFrame(100, bytes(100, 201), false)), TransportErrorCode.FINAL_SIZE_ERROR);
});

s('RESET_STREAM in Size Known; ignored once all data arrived', () => {
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500 });
  r.onStreamFrame(10, bytes(10, 20), true);
  assert.ok(r.onResetStream(3, 20));
  assert.is(r.state, 'reset-recvd');
  const d = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500 });
  d.onStreamFrame(0, bytes(0, 20), true);
  assert.is(d.state, 'data-recvd');
  assert.not.ok(d.onResetStream(3, 20));
  assert.is(d.state, 'data-recvd');
  assert.equal(d.read(), bytes(0, 20));
  assert.not.ok(d.onResetStream(3, 20));
  assert.is(d.state, 'data-read');
});

s('RESET_STREAM beyond the flow-control limit is FLOW_CONTROL_ERROR', () => {
  const conn = new ReceiveWindow({ initialWindow: 100 });
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500, connectionWindow: conn });
  assert.is(code(() => r.onResetStream(0, 501)), TransportErrorCode.FLOW_CONTROL_ERROR);
  assert.is(code(() => r.onResetStream(0, 101)), TransportErrorCode.FLOW_CONTROL_ERROR);
  assert.is(r.state, 'recv');
});

s('STOP_SENDING from the application: frame due, data discarded but counted, reset ends it', () => {
  const conn = new ReceiveWindow({ initialWindow: 1000 });
  const r = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500, connectionWindow: conn });
  r.onStreamFrame(0, bytes(0, 50), false);
  assert.ok(r.stopSending(5));
  assert.not.ok(r.stopSending(6), 'only once');
  assert.is(r.stopSendingCode, 5);
  assert.ok(r.stopSendingPending);
  assert.is(r.pollStopSending(), 5);
  assert.is(r.pollStopSending(), undefined);
  r.onStopSendingLost();
  assert.is(r.pollStopSending(), 5);
  assert.is(conn.consumed, 50);
  assert.not.ok(r.onStreamFrame(50, bytes(50, 80), false));
  assert.is(r.readableLength, 0);
  assert.is(conn.received, 80);
  assert.is(conn.consumed, 80);
  assert.is(r.pollMaxStreamData(), undefined, 'no credit for a stopped stream');
  assert.not.ok(r.onResetStream(5, 90), 'no reset event: the application asked for it');
  assert.is(r.state, 'reset-read');
  assert.is(conn.consumed, 90);
  r.onStopSendingLost();
  assert.is(r.pollStopSending(), undefined, 'reset arrived: no resend');
});

s('STOP_SENDING when the end is already known or all data arrived', () => {
  const known = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500 });
  known.onStreamFrame(10, bytes(10, 20), true);
  assert.ok(known.stopSending(1));
  assert.is(known.state, 'data-read');
  const all = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500 });
  all.onStreamFrame(0, bytes(0, 20), true);
  assert.not.ok(all.stopSending(1), 'no frame needed');
  assert.is(all.state, 'data-read');
  const reset = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500 });
  reset.onResetStream(4, 0);
  assert.not.ok(reset.stopSending(1));
  assert.is(reset.state, 'reset-read');
  const fin = new ReceiveStream({ streamId: 1, initialMaxStreamData: 500 });
  fin.stopSending(2);
  assert.not.ok(fin.onStreamFrame(0, bytes(0, 10), true));
  assert.is(fin.state, 'data-read');
});

s.run();
