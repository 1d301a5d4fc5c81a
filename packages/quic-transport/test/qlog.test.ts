import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FrameType,
  MemoryQlogSink,
  parseQlogJsonSeq,
  qlogEventRecord,
  qlogFileName,
  QlogEvents,
  QlogFileSink,
  qlogFrame,
  qlogHeaderRecord,
  qlogHex,
} from '../src/index.js';
import type { Frame } from '../src/index.js';

const s = suite('qlog');
const dcid = Uint8Array.of(0xab, 0xcd);
const scid = Uint8Array.of(0x01);

const everyFrame: Frame[] = [
  { type: FrameType.PADDING, length: 5 },
  { type: FrameType.PING },
  { type: FrameType.ACK, largest: 10, ackDelay: 125, ranges: [{ smallest: 8, largest: 10 }, { smallest: 1, largest: 5 }] },
  { type: FrameType.ACK_ECN, largest: 3, ackDelay: 0, ranges: [{ smallest: 0, largest: 3 }], ecn: { ect0: 1, ect1: 2, ce: 3 } },
  { type: FrameType.RESET_STREAM, streamId: 4, errorCode: 9, finalSize: 100 },
  { type: FrameType.STOP_SENDING, streamId: 4, errorCode: 9 },
  { type: FrameType.CRYPTO, offset: 7, data: new Uint8Array(30) },
  { type: FrameType.NEW_TOKEN, token: Uint8Array.of(1, 2) },
  { type: FrameType.STREAM, streamId: 0, offset: 10, data: new Uint8Array(3), fin: true },
  { type: FrameType.MAX_DATA, maximum: 1000 },
  { type: FrameType.MAX_STREAM_DATA, streamId: 0, maximum: 500 },
  { type: FrameType.MAX_STREAMS_BIDI, maximum: 10 },
  { type: FrameType.MAX_STREAMS_UNI, maximum: 11 },
  { type: FrameType.DATA_BLOCKED, limit: 1 },
  { type: FrameType.STREAM_DATA_BLOCKED, streamId: 0, limit: 2 },
  { type: FrameType.STREAMS_BLOCKED_BIDI, limit: 3 },
  { type: FrameType.STREAMS_BLOCKED_UNI, limit: 4 },
  { type: FrameType.NEW_CONNECTION_ID, sequenceNumber: 1, retirePriorTo: 0, connectionId: Uint8Array.of(9), statelessResetToken: new Uint8Array(16) },
  { type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: 1 },
  { type: FrameType.PATH_CHALLENGE, data: new Uint8Array(8).fill(1) },
  { type: FrameType.PATH_RESPONSE, data: new Uint8Array(8).fill(2) },
  { type: FrameType.CONNECTION_CLOSE, errorCode: 0x0a, frameType: 0x06, reason: 'bad' },
  { type: FrameType.CONNECTION_CLOSE_APP, errorCode: 1, reason: 'bye' },
  { type: FrameType.HANDSHAKE_DONE },
  { type: FrameType.DATAGRAM, data: new Uint8Array(12) },
];

s('every frame maps to a qlog frame_type with the draft field names', () => {
  const names = everyFrame.map((f) => qlogFrame(f).frame_type);
  assert.equal(names, [
    'padding', 'ping', 'ack', 'ack', 'reset_stream', 'stop_sending', 'crypto', 'new_token', 'stream', 'max_data',
    'max_stream_data', 'max_streams', 'max_streams', 'data_blocked', 'stream_data_blocked', 'streams_blocked',
    'streams_blocked', 'new_connection_id', 'retire_connection_id', 'path_challenge', 'path_response',
    'connection_close', 'connection_close', 'handshake_done', 'datagram',
  ]);
  const ack = qlogFrame(everyFrame[2]);
  assert.equal(ack.acked_ranges, [[1, 5], [8, 10]]);
  assert.is(ack.ack_delay, 1); // 125 << 3 us = 1 ms
  assert.is(qlogFrame(everyFrame[2], 0).ack_delay, 0.125);
  assert.is(qlogFrame(everyFrame[3]).ce, 3);
  assert.equal(qlogFrame(everyFrame[8]), { frame_type: 'stream', stream_id: 0, offset: 10, length: 3, fin: true });
  assert.is(qlogFrame(everyFrame[11]).stream_type, 'bidirectional');
  assert.is(qlogFrame(everyFrame[16]).stream_type, 'unidirectional');
  assert.is(qlogFrame(everyFrame[21]).error_space, 'transport');
  assert.is(qlogFrame(everyFrame[21]).trigger_frame_type, 6);
  assert.is(qlogFrame(everyFrame[22]).error_space, 'application');
  assert.is(qlogFrame(everyFrame[17]).connection_id, '09');
  assert.is(qlogFrame({ type: 0x99 } as unknown as Frame).frame_type, 'unknown');
  assert.is(qlogHex(Uint8Array.of(0, 255, 16)), '00ff10');
});

s('QlogEvents writes packet, recovery, connectivity and security events into the sink', () => {
  const sink = new MemoryQlogSink({ vantagePoint: 'server', odcid: 'abcd', referenceTime: 100 });
  const q = new QlogEvents(sink);
  assert.ok(q.enabled);
  q.connectionStateUpdated(100, 'attempted');
  q.packetSent(101.5, { packetType: 'initial', packetNumber: 0, dcid, scid, token: Uint8Array.of(7), length: 1200, payloadLength: 1150 }, [everyFrame[6], everyFrame[0]]);
  q.packetReceived(110, { packetType: 'oneRtt', packetNumber: 3, dcid, length: 50 }, [everyFrame[2]]);
  q.packetDropped(111, { packetType: 'unknown', length: 20 }, 'unknown_connection_id');
  q.metricsUpdated(112, { smoothedRtt: 10, minRtt: 9, latestRtt: 11, rttVariance: 2, congestionWindow: 12000, bytesInFlight: 1200, ptoCount: 0 });
  q.packetLost(113, 'zeroRtt', 5, 'time_threshold');
  q.connectionStateUpdated(114, 'handshake_complete');
  q.keyUpdated(115, 'client_1rtt_secret', 'local_update', 1);
  q.keyDiscarded(116, 'client_initial_secret', 'tls');
  q.close();
  q.packetSent(200, { packetType: 'handshake', length: 1 }, []);
  assert.ok(sink.closed);
  assert.is(sink.events.length, 9);
  const sent = sink.events[1];
  assert.is(sent.name, 'transport:packet_sent');
  assert.equal(sent.data.header, { packet_type: 'initial', packet_number: 0, dcid: 'abcd', scid: '01', token: { raw: { length: 1, data: '07' } } });
  assert.equal(sent.data.raw, { length: 1200, payload_length: 1150 });
  assert.is((sink.events[2].data.header as { packet_type: string }).packet_type, '1RTT');
  assert.is((sink.events[5].data.header as { packet_type: string }).packet_type, '0RTT');
  assert.equal(sink.events[6].data, { old: 'attempted', new: 'handshake_complete' });

  const parsed = parseQlogJsonSeq(sink.toJsonSeq());
  assert.is(parsed.header.qlog_version, '0.3');
  assert.is(parsed.header.qlog_format, 'JSON-SEQ');
  const trace = parsed.header.trace as { vantage_point: { type: string }; common_fields: { ODCID: string; time_format: string } };
  assert.is(trace.vantage_point.type, 'server');
  assert.is(trace.common_fields.ODCID, 'abcd');
  assert.is(trace.common_fields.time_format, 'relative');
  assert.equal(parsed.events.map((e) => e.time), [0, 1.5, 10, 11, 12, 13, 14, 15, 16]);
  assert.is(parsed.events[4].name, 'recovery:metrics_updated');
  assert.is(parsed.events[4].data.smoothed_rtt, 10);
  assert.not.ok('ssthresh' in parsed.events[4].data, 'undefined fields are omitted');
});

s('a disabled QlogEvents does nothing', () => {
  const q = new QlogEvents(undefined);
  assert.not.ok(q.enabled);
  q.packetSent(0, { packetType: 'initial', length: 1 }, everyFrame);
  q.packetReceived(0, { packetType: 'initial', length: 1 }, everyFrame);
  q.packetDropped(0, { packetType: 'initial', length: 1 }, 'x');
  q.metricsUpdated(0, {});
  q.packetLost(0, 'initial', 1, 'pto_expired');
  q.connectionStateUpdated(0, 'closed');
  q.keyUpdated(0, 'client_initial_secret', 'tls');
  q.keyDiscarded(0, 'client_initial_secret', 'tls');
  q.close();
  assert.is(q.sink, undefined);
});

s('JSON-SEQ records: separator, JSON, newline; reader rejects bad input and skips a truncated tail', () => {
  const h = qlogHeaderRecord({ vantagePoint: 'client', odcid: '00', referenceTime: 5 });
  assert.is(h.charCodeAt(0), 0x1e);
  assert.ok(h.endsWith('\n'));
  const e = qlogEventRecord(5.0004, 5, 'transport:packet_sent', { a: 1 });
  assert.is(e, '\u001e{"time":0,"name":"transport:packet_sent","data":{"a":1}}\n');
  const truncated = h + e + '\u001e{"time":1,"na';
  assert.is(parseQlogJsonSeq(truncated).events.length, 1);
  assert.throws(() => parseQlogJsonSeq('{"x":1}\n'), SyntaxError);
  assert.throws(() => parseQlogJsonSeq('\u001e{"qlog_format":"JSON"}\n'), SyntaxError);
  assert.throws(() => parseQlogJsonSeq(h + '\u001e{"name":"x"}\n'), SyntaxError);
  assert.throws(() => parseQlogJsonSeq(h + '\u001e{nope}\n'), SyntaxError);
});

s('QlogFileSink writes <odcid>_<vantage>.sqlog that parses back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quichs-qlog-'));
  try {
    assert.is(qlogFileName({ odcid: 'AB:cd', vantagePoint: 'client' }), 'ABcd_client.sqlog');
    assert.is(qlogFileName({ odcid: '', vantagePoint: 'server' }), 'unknown_server.sqlog');
    const sink = QlogFileSink.inDirectory(join(dir, 'sub'), { vantagePoint: 'client', odcid: '0102', referenceTime: 1000 });
    const q = new QlogEvents(sink);
    q.packetSent(1001, { packetType: 'initial', packetNumber: 0, dcid, scid, length: 1200 }, [everyFrame[6]]);
    q.connectionStateUpdated(1002, 'closed');
    q.close();
    q.close();
    sink.event(1003, 'transport:packet_sent', {});
    await sink.finished();
    assert.is(sink.path, join(dir, 'sub', '0102_client.sqlog'));
    const parsed = parseQlogJsonSeq(readFileSync(sink.path, 'utf8'));
    assert.is(parsed.events.length, 2);
    assert.is(parsed.events[0].time, 1);
    assert.equal(parsed.events[0].data.frames, [{ frame_type: 'crypto', offset: 7, length: 30 }]);
    assert.is(sink.error, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

s('QlogFileSink: an unwritable path becomes .error, never an exception', async () => {
  const sink = new QlogFileSink('/nonexistent-dir-quichs/x.sqlog', { vantagePoint: 'client', odcid: '00', referenceTime: 0 });
  await new Promise((r) => setTimeout(r, 20));
  sink.event(1, 'transport:packet_sent', {});
  sink.close();
  await sink.finished();
  assert.ok(sink.error instanceof Error);
});

s.run();
