import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode } from '../src/errors.js';
import { StreamManager } from '../src/stream/streamManager.js';
import type { StreamControlFrame, StreamEvent, StreamLimits } from '../src/stream/streamManager.js';
import type { StreamFrameFields } from '../src/stream/sendStream.js';

const s = suite('stream manager');

const limits = (over: Partial<StreamLimits> = {}): StreamLimits => ({
  maxData: 10_000,
  maxStreamDataBidiLocal: 1000,
  maxStreamDataBidiRemote: 1000,
  maxStreamDataUni: 1000,
  maxStreamsBidi: 4,
  maxStreamsUni: 2,
  ...over,
});

function bytes(from: number, to: number, salt = 0): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = (i * 11 + salt) & 0xff;
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

function events(m: StreamManager): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let e = m.pollEvent(); e !== undefined; e = m.pollEvent()) out.push(e);
  return out;
}

function controls(m: StreamManager): StreamControlFrame[] {
  const out: StreamControlFrame[] = [];
  for (let f = m.pollControlFrame(); f !== undefined; f = m.pollControlFrame()) out.push(f);
  return out;
}

const frame = (streamId: number, offset: number, data: Uint8Array, fin = false): StreamFrameFields => ({
  streamId,
  offset,
  data,
  fin,
});

s('local streams: IDs by role and direction, within the peer MAX_STREAMS; STREAMS_BLOCKED once per limit', () => {
  const m = new StreamManager({ role: 'client', local: limits(), peer: limits({ maxStreamsBidi: 2, maxStreamsUni: 1 }) });
  assert.is(m.openStream('bidi')?.id, 0);
  assert.is(m.openStream('bidi')?.id, 4);
  assert.is(m.availableStreams('bidi'), 0);
  assert.is(m.openStream('bidi'), undefined);
  assert.is(m.openStream('bidi'), undefined);
  const uni = m.openStream('uni');
  assert.is(uni?.id, 2);
  assert.ok(uni?.send !== undefined && uni.recv === undefined);
  assert.is(m.openStream('uni'), undefined);
  assert.equal(controls(m), [
    { kind: 'streams_blocked', direction: 'bidi', maximum: 2 },
    { kind: 'streams_blocked', direction: 'uni', maximum: 1 },
  ]);
  m.onControlFrameLost({ kind: 'streams_blocked', direction: 'bidi', maximum: 2 });
  assert.equal(controls(m), [{ kind: 'streams_blocked', direction: 'bidi', maximum: 2 }]);
  m.onMaxStreams('bidi', 1); // lower: ignored
  m.onMaxStreams('bidi', 3);
  m.onControlFrameLost({ kind: 'streams_blocked', direction: 'bidi', maximum: 2 }); // stale
  assert.equal(controls(m), []);
  assert.equal(events(m), [{ type: 'streamsAvailable', direction: 'bidi' }]);
  assert.is(m.openStream('bidi')?.id, 8);
  assert.is(code(() => m.onMaxStreams('uni', 2 ** 61)), TransportErrorCode.FRAME_ENCODING_ERROR);
  assert.is(code(() => m.onStreamsBlocked('bidi', 2 ** 61)), TransportErrorCode.FRAME_ENCODING_ERROR);
  m.onStreamsBlocked('uni', 3);
  const server = new StreamManager({ role: 'server', local: limits(), peer: limits() });
  assert.is(server.openStream('bidi')?.id, 1);
  assert.is(server.openStream('uni')?.id, 3);
});

s('without peer limits nothing can be opened until setPeerLimits', () => {
  const m = new StreamManager({ role: 'client', local: limits() });
  assert.is(m.openStream('bidi'), undefined);
  m.setPeerLimits(limits());
  const st = m.openStream('bidi');
  assert.is(st?.id, 0);
  assert.is(st?.send?.credit.limit, 1000);
  assert.is(m.sendCredit.limit, 10_000);
  assert.is(
    code(() => m.setPeerLimits(limits({ maxStreamsUni: 2 ** 61 }))),
    TransportErrorCode.TRANSPORT_PARAMETER_ERROR,
  );
});

s('peer streams open implicitly, lower-numbered ones too; STREAM_LIMIT_ERROR beyond our limit', () => {
  const m = new StreamManager({ role: 'server', local: limits(), peer: limits() });
  m.onStreamFrame(frame(8, 0, bytes(0, 5))); // client bidi index 2
  assert.equal(events(m), [
    { type: 'opened', streamId: 0 },
    { type: 'opened', streamId: 4 },
    { type: 'opened', streamId: 8 },
    { type: 'readable', streamId: 8 },
  ]);
  assert.is(m.openStreamCount, 3);
  m.onStreamFrame(frame(4, 0, bytes(0, 1)));
  assert.equal(events(m), [{ type: 'readable', streamId: 4 }]);
  assert.is(code(() => m.onStreamFrame(frame(16, 0, bytes(0, 1)))), TransportErrorCode.STREAM_LIMIT_ERROR);
  m.onStreamFrame(frame(12, 0, bytes(0, 1)));
  assert.is(code(() => m.onStreamFrame(frame(10, 0, bytes(0, 1)))), TransportErrorCode.STREAM_LIMIT_ERROR);
  m.onStreamDataBlocked({ streamId: 6, maximum: 1000 }); // client uni index 1: opens 2 and 6
  assert.ok(m.stream(2) !== undefined && m.stream(6) !== undefined);
  assert.is(
    code(() => m.onMaxStreamData({ streamId: 13, maximum: 2000 })),
    TransportErrorCode.STREAM_STATE_ERROR,
    'our own bidi stream 13 was never opened',
  );
});

s('frames in the wrong direction or for streams we never opened are STREAM_STATE_ERROR', () => {
  const m = new StreamManager({ role: 'client', local: limits(), peer: limits() });
  m.openStream('uni'); // 2
  m.openStream('bidi'); // 0
  const e = TransportErrorCode.STREAM_STATE_ERROR;
  assert.is(code(() => m.onStreamFrame(frame(2, 0, bytes(0, 1)))), e, 'STREAM on our send-only stream');
  assert.is(code(() => m.onResetStream({ streamId: 2, errorCode: 0, finalSize: 0 })), e);
  assert.is(code(() => m.onStreamDataBlocked({ streamId: 2, maximum: 0 })), e);
  assert.is(code(() => m.onStopSending({ streamId: 3, errorCode: 0 })), e, 'STOP_SENDING on a receive-only stream');
  assert.is(code(() => m.onMaxStreamData({ streamId: 3, maximum: 5 })), e);
  assert.is(code(() => m.onStreamFrame(frame(4, 0, bytes(0, 1)))), e, 'our bidi stream 4 not opened yet');
  assert.is(code(() => m.onMaxStreamData({ streamId: 6, maximum: 5 })), e);
  assert.is(code(() => m.onStopSending({ streamId: 8, errorCode: 1 })), e);
  assert.is(code(() => m.onStreamFrame(frame(-1, 0, bytes(0, 1)))), TransportErrorCode.FRAME_ENCODING_ERROR);
  assert.is(code(() => m.write(3, bytes(0, 1))), e, 'application write on a stream without send part');
  m.onStreamFrame(frame(0, 0, bytes(0, 3))); // our bidi stream: fine
  assert.equal(m.read(0), bytes(0, 3));
  assert.is(m.read(2), undefined, 'no receive part');
  m.stopSending(2, 1); // no receive part: nothing happens
  m.onDataBlocked(5);
});

s('connection flow control counts the highest offset of every stream, including reset final sizes', () => {
  const m = new StreamManager({ role: 'server', local: limits({ maxData: 300 }), peer: limits() });
  m.onStreamFrame(frame(0, 0, bytes(0, 100)));
  m.onResetStream({ streamId: 4, errorCode: 1, finalSize: 150 });
  m.onStreamFrame(frame(8, 40, bytes(40, 50)));
  assert.is(m.receiveWindow.received, 300);
  assert.is(code(() => m.onStreamFrame(frame(8, 50, bytes(50, 51)))), TransportErrorCode.FLOW_CONTROL_ERROR);
  // Reading (and the reset's release) opens the connection window: MAX_DATA.
  m.read(0);
  const fs = controls(m);
  assert.ok(fs.some((f) => f.kind === 'max_data' && f.maximum === 550), JSON.stringify(fs));
  m.onControlFrameLost({ kind: 'max_data', maximum: 550 });
  assert.equal(controls(m), [{ kind: 'max_data', maximum: 550 }]);
});

s('sending: data within stream and connection credit, DATA_BLOCKED and STREAM_DATA_BLOCKED', () => {
  const m = new StreamManager({
    role: 'client',
    local: limits(),
    peer: limits({ maxData: 150, maxStreamDataBidiRemote: 100 }),
  });
  const a = m.openStream('bidi')!;
  const b = m.openStream('bidi')!;
  m.write(a.id, bytes(0, 300));
  m.write(b.id, bytes(0, 300, 1));
  const sent: StreamFrameFields[] = [];
  for (let f = m.pollStreamFrame(1200); f !== undefined; f = m.pollStreamFrame(1200)) sent.push(f);
  assert.equal(
    sent.map((f) => [f.streamId, f.offset, f.data.length]),
    [
      [0, 0, 100],
      [4, 0, 50],
    ],
  );
  const cs = controls(m);
  assert.equal(cs, [
    { kind: 'data_blocked', maximum: 150 },
    { kind: 'stream_data_blocked', streamId: 0, maximum: 100 },
  ]);
  m.onControlFrameLost({ kind: 'data_blocked', maximum: 150 });
  m.onControlFrameLost({ kind: 'stream_data_blocked', streamId: 0, maximum: 100 });
  assert.equal(controls(m), cs);
  m.onMaxData(1000);
  m.onMaxStreamData({ streamId: 0, maximum: 300 });
  const more: number[][] = [];
  for (let f = m.pollStreamFrame(1200); f !== undefined; f = m.pollStreamFrame(1200)) {
    more.push([f.streamId, f.offset, f.data.length]);
  }
  // MAX_DATA made stream 4 ready first, then MAX_STREAM_DATA stream 0.
  assert.equal(more, [
    [4, 50, 50],
    [0, 100, 200],
  ]);
  assert.ok(m.wantsToSend, 'STREAM_DATA_BLOCKED for stream 4 at 100');
  assert.equal(controls(m), [{ kind: 'stream_data_blocked', streamId: 4, maximum: 100 }]);
});

s('frame size budget covers the STREAM frame header', () => {
  const m = new StreamManager({ role: 'client', local: limits(), peer: limits() });
  const st = m.openStream('bidi')!;
  m.write(st.id, bytes(0, 500));
  assert.is(m.pollStreamFrame(3), undefined, 'no room for any data');
  const f = m.pollStreamFrame(100)!;
  // type 1 + id 1 + offset(0) 1 + length(100) 2 = 5 bytes of header.
  assert.is(f.data.length, 95);
  const g = m.pollStreamFrame(100)!;
  assert.is(g.offset, 95);
  assert.is(g.data.length, 94, 'offset 95 needs a 2-byte varint');
});

s('scheduler fairness: equal streams share frames round-robin; urgent streams go first', () => {
  const m = new StreamManager({ role: 'client', local: limits(), peer: limits({ maxData: 1e6, maxStreamDataBidiRemote: 1e5 }) });
  const ids = [0, 1, 2].map(() => m.openStream('bidi')!.id);
  for (const id of ids) m.write(id, bytes(0, 1000));
  const counts = new Map<number, number>();
  const order: number[] = [];
  for (let i = 0; i < 12; i++) {
    const f = m.pollStreamFrame(105)!;
    order.push(f.streamId);
    counts.set(f.streamId, (counts.get(f.streamId) ?? 0) + f.data.length);
  }
  assert.equal(order, [0, 4, 8, 0, 4, 8, 0, 4, 8, 0, 4, 8]);
  const shares = [...counts.values()];
  assert.is(shares.length, 3);
  assert.ok(shares.every((n) => n === shares[0]), `equal shares ${shares}`);
  const urgent = m.openStream('bidi', 0)!;
  m.write(urgent.id, bytes(0, 150));
  assert.is(m.pollStreamFrame(105)!.streamId, urgent.id);
  assert.is(m.pollStreamFrame(105)!.streamId, urgent.id);
  assert.is(m.pollStreamFrame(105)!.streamId, 0, 'back to round-robin');
  m.setUrgency(8, 0);
  assert.is(m.pollStreamFrame(105)!.streamId, 8);
  m.setUrgency(999, 0);
});

s('STOP_SENDING from the peer → RESET_STREAM, events, and the stream is forgotten after the ack', () => {
  const m = new StreamManager({ role: 'client', local: limits(), peer: limits(), sendHighWaterMark: 10 });
  const st = m.openStream('uni')!;
  assert.not.ok(m.write(st.id, bytes(0, 50)));
  const f = m.pollStreamFrame(1000)!;
  m.onStopSending({ streamId: st.id, errorCode: 9 });
  m.onStopSending({ streamId: st.id, errorCode: 9 });
  assert.equal(events(m), [
    { type: 'stopSending', streamId: 2, errorCode: 9 },
    { type: 'writable', streamId: 2 },
  ]);
  assert.equal(controls(m), [{ kind: 'reset_stream', streamId: 2, errorCode: 9, finalSize: 50 }]);
  m.onControlFrameLost({ kind: 'reset_stream', streamId: 2, errorCode: 9, finalSize: 50 });
  assert.equal(controls(m), [{ kind: 'reset_stream', streamId: 2, errorCode: 9, finalSize: 50 }]);
  m.onStreamFrameLost({ streamId: 2, offset: 0, length: f.data.length, fin: false });
  assert.is(m.pollStreamFrame(1000), undefined, 'no retransmission after reset');
  m.onControlFrameAcked({ kind: 'reset_stream', streamId: 2, errorCode: 9, finalSize: 50 });
  assert.equal(events(m), [{ type: 'closed', streamId: 2 }]);
  assert.is(m.stream(2), undefined);
  m.onStopSending({ streamId: 2, errorCode: 9 }); // late duplicate for a forgotten stream: ignored
  m.onMaxStreamData({ streamId: 2, maximum: 5000 });
  m.onStreamFrameAcked({ streamId: 2, offset: 0, length: 1, fin: false });
  m.onControlFrameAcked({ kind: 'reset_stream', streamId: 2, errorCode: 9, finalSize: 50 });
  m.onControlFrameAcked({ kind: 'max_data', maximum: 1 });
  m.onControlFrameLost({ kind: 'stop_sending', streamId: 2, errorCode: 9 });
  assert.equal(controls(m), []);
});

s('application reset and stop-sending through the manager', () => {
  const m = new StreamManager({ role: 'server', local: limits(), peer: limits(), sendHighWaterMark: 10 });
  m.onStreamFrame(frame(0, 0, bytes(0, 20)));
  assert.is(code(() => m.write(1, bytes(0, 1))), TransportErrorCode.STREAM_STATE_ERROR, 'stream 1 not opened');
  assert.not.ok(m.write(0, bytes(0, 20)));
  events(m);
  m.resetStream(0, 33);
  m.resetStream(0, 34); // second reset: nothing more
  m.stopSending(0, 44);
  assert.equal(events(m), [{ type: 'writable', streamId: 0 }]);
  assert.equal(controls(m), [
    { kind: 'reset_stream', streamId: 0, errorCode: 33, finalSize: 0 },
    { kind: 'stop_sending', streamId: 0, errorCode: 44 },
  ]);
  m.onControlFrameLost({ kind: 'stop_sending', streamId: 0, errorCode: 44 });
  assert.equal(controls(m), [{ kind: 'stop_sending', streamId: 0, errorCode: 44 }]);
  m.onControlFrameAcked({ kind: 'reset_stream', streamId: 0, errorCode: 33, finalSize: 0 });
  assert.ok(m.stream(0) !== undefined, 'receive part still waits for the peer');
  m.onResetStream({ streamId: 0, errorCode: 44, finalSize: 20 });
  assert.equal(events(m), [{ type: 'closed', streamId: 0 }]);
  // A peer reset without STOP_SENDING is reported to the application, which reads it to close the stream.
  m.onStreamFrame(frame(4, 0, bytes(0, 5)));
  m.end(4);
  assert.equal(m.pollStreamFrame(100), { streamId: 4, offset: 0, data: new Uint8Array(0), fin: true });
  m.onStreamFrameAcked({ streamId: 4, offset: 0, length: 0, fin: true });
  m.onResetStream({ streamId: 4, errorCode: 7, finalSize: 5 });
  assert.equal(events(m), [
    { type: 'opened', streamId: 4 },
    { type: 'readable', streamId: 4 },
    { type: 'reset', streamId: 4, errorCode: 7 },
  ]);
  assert.is(m.stream(4)?.recv?.resetCode, 7);
  assert.is(m.read(4), undefined);
  assert.equal(events(m), [{ type: 'closed', streamId: 4 }]);
  assert.is(m.openStreamCount, 0);
  assert.is(code(() => m.resetStream(4, 1)), TransportErrorCode.STREAM_STATE_ERROR, 'forgotten stream');
});

s('peer-initiated streams close → MAX_STREAMS raises the limit; late frames for them are ignored', () => {
  const m = new StreamManager({ role: 'server', local: limits({ maxStreamsUni: 2 }), peer: limits() });
  m.onStreamFrame(frame(2, 0, bytes(0, 10), true));
  m.onStreamFrame(frame(6, 0, bytes(0, 10), true));
  assert.is(code(() => m.onStreamFrame(frame(10, 0, bytes(0, 1)))), TransportErrorCode.STREAM_LIMIT_ERROR);
  assert.equal(m.read(2), bytes(0, 10));
  assert.is(m.read(2), undefined, 'stream finished and forgotten');
  assert.is(m.stream(2), undefined);
  assert.equal(controls(m).filter((f) => f.kind === 'max_streams'), [{ kind: 'max_streams', direction: 'uni', maximum: 3 }]);
  m.onControlFrameLost({ kind: 'max_streams', direction: 'uni', maximum: 3 });
  assert.equal(controls(m), [{ kind: 'max_streams', direction: 'uni', maximum: 3 }]);
  m.onStreamFrame(frame(2, 0, bytes(0, 10), true)); // retransmission for a closed stream: ignored
  m.onStreamFrame(frame(10, 0, bytes(0, 1))); // now within the limit
  assert.ok(m.stream(10) !== undefined);
  const evs = events(m);
  assert.ok(evs.some((e) => e.type === 'closed' && e.streamId === 2));
  assert.ok(evs.some((e) => e.type === 'opened' && e.streamId === 10));
});

s('rewindLocalStreams (rejected 0-RTT): data again from offset 0 under the new, lower limits; streams beyond MAX_STREAMS held until raised', () => {
  const m = new StreamManager({ role: 'client', local: limits(), peer: limits({ maxStreamsBidi: 4, maxStreamDataBidiRemote: 1000 }) });
  const ids = [0, 1, 2].map(() => m.openStream('bidi')!.id);
  for (const id of ids) {
    m.write(id, bytes(0, 800, id));
    m.end(id);
  }
  m.resetStream(ids[2], 7);
  const sent: StreamFrameFields[] = [];
  for (let f = m.pollStreamFrame(2000); f !== undefined; f = m.pollStreamFrame(2000)) sent.push(f);
  controls(m);
  assert.is(sent.length, 2);
  // the server rejected 0-RTT and now allows 1 bidi stream, 500 bytes per stream, 600 in all
  m.rewindLocalStreams(limits({ maxStreamsBidi: 1, maxStreamDataBidiRemote: 500, maxData: 600 }));
  assert.is(m.availableStreams('bidi'), 0);
  assert.is(m.openStream('bidi'), undefined);
  const again: StreamFrameFields[] = [];
  for (let f = m.pollStreamFrame(2000); f !== undefined; f = m.pollStreamFrame(2000)) again.push(f);
  assert.equal(again.map((f) => [f.streamId, f.offset, f.data.length, f.fin]), [[0, 0, 500, false]], 'only stream 0, within its new credit');
  const ctl = controls(m);
  assert.ok(ctl.some((c) => c.kind === 'streams_blocked' && c.maximum === 1), 'STREAMS_BLOCKED tells the server we wait');
  assert.not.ok(ctl.some((c) => 'streamId' in c && c.streamId !== 0), 'nothing at all on the held streams (no RESET_STREAM either)');
  // MAX_STREAMS 3 releases both held streams; the reset stream resets with final size 0 (the server saw nothing)
  m.onMaxStreams('bidi', 3);
  m.onMaxStreamData({ streamId: 0, maximum: 800 });
  m.onMaxData(2000);
  const later: StreamFrameFields[] = [];
  for (let f = m.pollStreamFrame(2000); f !== undefined; f = m.pollStreamFrame(2000)) later.push(f);
  assert.equal(later.map((f) => [f.streamId, f.offset, f.data.length, f.fin]).sort(), [[0, 500, 300, true], [4, 0, 500, false]].sort());
  const resets = controls(m).filter((c) => c.kind === 'reset_stream');
  assert.equal(resets, [{ kind: 'reset_stream', streamId: ids[2], errorCode: 7, finalSize: 0 }]);
  // acknowledged data of a stream cannot be rewound: the peer did process it
  const acked = new StreamManager({ role: 'client', local: limits(), peer: limits() });
  const id = acked.openStream('uni')!.id;
  acked.write(id, bytes(0, 100));
  const f = acked.pollStreamFrame(2000)!;
  acked.onStreamFrameAcked({ streamId: id, offset: f.offset, length: f.data.length, fin: f.fin });
  assert.is(code(() => acked.rewindLocalStreams(limits())), TransportErrorCode.PROTOCOL_VIOLATION);
});

s('resetLocalStreams (rejected 0-RTT, other ALPN): no data again; RESET_STREAM final size 0 + STOP_SENDING, held streams wait for MAX_STREAMS', () => {
  const m = new StreamManager({ role: 'client', local: limits(), peer: limits({ maxStreamsBidi: 4 }) });
  const bidi = [0, 1].map(() => m.openStream('bidi')!.id);
  const uni = m.openStream('uni')!.id;
  const peerStream = 1; // a server-initiated bidi stream is not ours to reset
  m.onStreamFrame({ streamId: peerStream, offset: 0, data: bytes(0, 10), fin: false });
  for (const id of [...bidi, uni]) m.write(id, bytes(0, 300, id));
  m.end(bidi[0]);
  m.resetStream(uni, 9); // already reset by the application: stays so, with its code
  for (let f = m.pollStreamFrame(2000); f !== undefined; f = m.pollStreamFrame(2000));
  controls(m);
  m.rewindLocalStreams(limits({ maxStreamsBidi: 1 }));
  assert.equal(m.resetLocalStreams(0), bidi, 'the streams this ended');
  assert.is(m.pollStreamFrame(2000), undefined, 'no STREAM frame');
  const ctl = controls(m);
  const ours = ctl.filter((c) => 'streamId' in c).map((c) => [c.kind, (c as { streamId: number }).streamId, (c as { errorCode?: number }).errorCode, (c as { finalSize?: number }).finalSize]);
  assert.equal(ours.sort(), [['reset_stream', 0, 0, 0], ['reset_stream', uni, 9, 0], ['stop_sending', 0, 0, undefined]].sort());
  assert.throws(() => m.write(bidi[0], bytes(0, 1)));
  m.onMaxStreams('bidi', 2);
  const later = controls(m).filter((c) => 'streamId' in c);
  assert.equal(later.map((c) => [c.kind, (c as { streamId: number }).streamId]).sort(), [['reset_stream', bidi[1]], ['stop_sending', bidi[1]]].sort());
  assert.ok(m.stream(peerStream)?.recv !== undefined, 'the peer stream is untouched');
});

s.run();
