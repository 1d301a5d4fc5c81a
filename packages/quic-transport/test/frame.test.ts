import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Frame, FramePacketType } from '../src/index.js';
import {
  countsInFlight,
  cryptoFrameOverhead,
  datagramFrameOverhead,
  decodeFrame,
  encodeFrame,
  FrameType,
  frameTypeName,
  HANDSHAKE_DONE_FRAME,
  isAckEliciting,
  isFrameAllowedIn,
  isPacketAckEliciting,
  isPacketInFlight,
  isProbingFrame,
  parseFrames,
  PING_FRAME,
  QuicError,
  QuicReader,
  QuicWriter,
  streamFrameOverhead,
  TransportErrorCode,
} from '../src/index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (n: number, fill = 0xab): Uint8Array => new Uint8Array(n).fill(fill);

function enc(f: Frame, last = false): Uint8Array {
  const w = new QuicWriter(8);
  encodeFrame(w, f, last);
  return w.finish();
}

function err(fn: () => unknown): QuicError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, QuicError);
    return e as QuicError;
  }
  throw new Error('expected a QuicError');
}

/** Every frame type, for round trips and Table 3 checks. */
const samples: Frame[] = [
  { type: FrameType.PADDING, length: 3 },
  PING_FRAME,
  { type: FrameType.ACK, largest: 100, ackDelay: 25, ranges: [{ smallest: 95, largest: 100 }, { smallest: 80, largest: 90 }, { smallest: 0, largest: 0 }] },
  { type: FrameType.ACK_ECN, largest: 7, ackDelay: 0, ranges: [{ smallest: 7, largest: 7 }], ecn: { ect0: 5, ect1: 0, ce: 300 } },
  { type: FrameType.RESET_STREAM, streamId: 4, errorCode: 0x101, finalSize: 70000 },
  { type: FrameType.STOP_SENDING, streamId: 8, errorCode: 3 },
  { type: FrameType.CRYPTO, offset: 1234, data: bytes(10) },
  { type: FrameType.NEW_TOKEN, token: bytes(32, 1) },
  { type: FrameType.STREAM, streamId: 0, offset: 0, data: bytes(5), fin: false },
  { type: FrameType.STREAM, streamId: 7, offset: 2 ** 40, data: bytes(0), fin: true },
  { type: FrameType.MAX_DATA, maximum: 2 ** 50 },
  { type: FrameType.MAX_STREAM_DATA, streamId: 2, maximum: 65536 },
  { type: FrameType.MAX_STREAMS_BIDI, maximum: 100 },
  { type: FrameType.MAX_STREAMS_UNI, maximum: 2 ** 50 },
  { type: FrameType.DATA_BLOCKED, limit: 999 },
  { type: FrameType.STREAM_DATA_BLOCKED, streamId: 6, limit: 1 },
  { type: FrameType.STREAMS_BLOCKED_BIDI, limit: 3 },
  { type: FrameType.STREAMS_BLOCKED_UNI, limit: 4 },
  { type: FrameType.NEW_CONNECTION_ID, sequenceNumber: 3, retirePriorTo: 1, connectionId: bytes(8, 2), statelessResetToken: bytes(16, 3) },
  { type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: 2 },
  { type: FrameType.PATH_CHALLENGE, data: bytes(8, 4) },
  { type: FrameType.PATH_RESPONSE, data: bytes(8, 5) },
  { type: FrameType.CONNECTION_CLOSE, errorCode: TransportErrorCode.PROTOCOL_VIOLATION, frameType: 0x08, reason: 'bad stream' },
  { type: FrameType.CONNECTION_CLOSE_APP, errorCode: 0x10c, reason: 'bye ✓' },
  HANDSHAKE_DONE_FRAME,
  { type: FrameType.DATAGRAM, data: bytes(20, 6) },
];

const s = suite('frame');

s('every frame type round-trips', () => {
  for (const f of samples) {
    const wire = enc(f);
    const r = new QuicReader(wire);
    const back = decodeFrame(r);
    assert.equal(back, f, frameTypeName(f.type));
    assert.is(r.remaining, 0);
  }
});

s('a payload of all frames round-trips through parseFrames (1-RTT)', () => {
  const w = new QuicWriter();
  for (const f of samples) encodeFrame(w, f);
  const frames = parseFrames(w.finish(), 'oneRtt');
  assert.equal(frames, samples);
});

s('STREAM and DATAGRAM without length run to the end; data are views', () => {
  const stream: Frame = { type: FrameType.STREAM, streamId: 4, offset: 10, data: bytes(7), fin: true };
  const wire = enc(stream, true);
  assert.is(wire[0], 0x08 | 0x04 | 0x01); // OFF|FIN, no LEN
  assert.is(wire.length, streamFrameOverhead(4, 10, 7, false) + 7);
  const back = decodeFrame(new QuicReader(wire));
  assert.equal(back, stream);
  assert.is((back as { data: Uint8Array }).data.buffer, wire.buffer);
  assert.is(enc(stream).length, streamFrameOverhead(4, 10, 7) + 7);
  const dg: Frame = { type: FrameType.DATAGRAM, data: bytes(4) };
  const dw = enc(dg, true);
  assert.is(dw[0], 0x30);
  assert.is(dw.length, datagramFrameOverhead(4, false) + 4);
  assert.equal(decodeFrame(new QuicReader(dw)), dg);
  assert.is(enc(dg)[0], 0x31);
  assert.is(enc(dg).length, datagramFrameOverhead(4) + 4);
  const c: Frame = { type: FrameType.CRYPTO, offset: 70000, data: bytes(300) };
  assert.is(enc(c).length, cryptoFrameOverhead(70000, 300) + 300);
});

s('wire format of known encodings', () => {
  // ACK: largest 10, delay 0, count 1, first range 2, gap 8-5-2=1, len 3
  assert.is(toHex(enc({ type: FrameType.ACK, largest: 10, ackDelay: 0, ranges: [{ smallest: 8, largest: 10 }, { smallest: 2, largest: 5 }] })), '020a0001020103');
  assert.is(toHex(enc({ type: FrameType.STREAM, streamId: 1, offset: 0, data: hex('aa'), fin: false })), '0a0101aa');
  assert.is(toHex(enc({ type: FrameType.PADDING, length: 2 })), '0000');
});

s('PADDING runs coalesce; the RFC 9001 client Initial payload parses', async () => {
  const v = (await import('./fixtures/vectors-rfc9001.json', { with: { type: 'json' } })).default;
  const crypto = hex(v.client_initial.crypto_frame);
  const payload = new Uint8Array(v.client_initial.payload_length_with_padding);
  payload.set(crypto);
  const frames = parseFrames(payload, 'initial');
  assert.is(frames.length, 2);
  assert.is(frames[0].type, FrameType.CRYPTO);
  const cf = frames[0] as { offset: number; data: Uint8Array };
  assert.is(cf.offset, 0);
  assert.is(cf.data.length, 0xf1);
  assert.is(cf.data[0], 1); // ClientHello
  assert.equal(frames[1], { type: FrameType.PADDING, length: payload.length - crypto.length });
  // Server Initial: ACK + CRYPTO.
  const sf = parseFrames(hex(v.server_initial.payload), 'initial');
  assert.equal(sf[0], { type: FrameType.ACK, largest: 0, ackDelay: 0, ranges: [{ smallest: 0, largest: 0 }] });
  assert.is(sf[1].type, FrameType.CRYPTO);
  assert.is((sf[1] as { data: Uint8Array }).data[0], 2); // ServerHello
});

s('Table 3 packet-type rules', () => {
  const allowed: Record<FramePacketType, number[]> = {
    initial: [0x00, 0x01, 0x02, 0x03, 0x06, 0x1c],
    handshake: [0x00, 0x01, 0x02, 0x03, 0x06, 0x1c],
    zeroRtt: [0x00, 0x01, 0x04, 0x05, 0x08, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1a, 0x1c, 0x1d, 0x30],
    oneRtt: samples.map((f) => f.type),
  };
  for (const pt of ['initial', 'handshake', 'zeroRtt', 'oneRtt'] as FramePacketType[]) {
    for (const f of samples) {
      const ok = allowed[pt].includes(f.type);
      assert.is(isFrameAllowedIn(f.type, pt), ok, `${frameTypeName(f.type)} in ${pt}`);
      const wire = enc(f);
      if (ok) {
        assert.is(parseFrames(wire, pt).length, 1);
      } else {
        const e = err(() => parseFrames(wire, pt));
        assert.is(e.code, TransportErrorCode.PROTOCOL_VIOLATION, `${frameTypeName(f.type)} in ${pt}`);
        assert.is(e.frameType, wire[0]);
      }
    }
  }
});

s('server rejects client-sent NEW_TOKEN and HANDSHAKE_DONE', () => {
  for (const f of [HANDSHAKE_DONE_FRAME, samples[7]]) {
    assert.is(err(() => parseFrames(enc(f), 'oneRtt', { receiver: 'server' })).code, TransportErrorCode.PROTOCOL_VIOLATION);
    assert.is(parseFrames(enc(f), 'oneRtt', { receiver: 'client' }).length, 1);
  }
  const out: Frame[] = [PING_FRAME];
  parseFrames(enc(PING_FRAME), 'initial', { out });
  assert.is(out.length, 2);
});

s('malformed frames', () => {
  const FEE = TransportErrorCode.FRAME_ENCODING_ERROR;
  const PV = TransportErrorCode.PROTOCOL_VIOLATION;
  const cases: [string, string, number, FramePacketType?][] = [
    ['empty payload', '', PV],
    ['unknown frame type', '1f', FEE],
    ['unknown 2-byte frame type', '4040', FEE],
    ['non-minimal frame type', '4001', PV],
    ['truncated ACK', '020a00', FEE],
    ['ACK first range below 0', '0205000006', FEE],
    ['ACK gap below 0', '020a00010201' + '0a00', FEE],
    ['ACK range count beyond frame', '020a00ff00', FEE],
    ['ACK_ECN missing counts', '030a00000001', FEE],
    ['truncated RESET_STREAM', '040401', FEE],
    ['CRYPTO data truncated', '06000501', FEE],
    ['CRYPTO offset+len too big', '06c01fffffffffffff05aabbccddee', FEE],
    ['empty NEW_TOKEN', '0700', FEE],
    ['STREAM offset+len too big', '0e00c01fffffffffffff0201aa', FEE],
    ['STREAM length beyond payload', '0a0005aa', FEE],
    ['MAX_STREAMS > 2^60', '12d000000000000001', FEE],
    ['STREAMS_BLOCKED > 2^60', '17d000000000000001', FEE],
    ['NCID retire_prior_to > seq', '180102' + '08' + '11'.repeat(8) + '22'.repeat(16), FEE],
    ['NCID zero length', '180100' + '00' + '22'.repeat(16), FEE],
    ['NCID length 21', '180100' + '15' + '11'.repeat(21) + '22'.repeat(16), FEE],
    ['NCID token truncated', '180100' + '08' + '11'.repeat(8) + '22'.repeat(15), FEE],
    ['PATH_CHALLENGE short', '1a01020304050607', FEE],
    ['CONNECTION_CLOSE reason truncated', '1c0a0005616263', FEE],
    ['DATAGRAM length beyond payload', '3105aa', FEE],
    ['varint above 2^53-1', '10ffffffffffffffff'.replace('10', '19'), FEE],
  ];
  for (const [name, h, c, pt] of cases) {
    const e = err(() => parseFrames(hex(h), pt ?? 'oneRtt'));
    assert.is(e.code, c, name);
  }
  // The offending frame type is recorded.
  assert.is(err(() => parseFrames(hex('0700'), 'oneRtt')).frameType, 0x07);
  assert.is(err(() => parseFrames(hex('0e00c01fffffffffffff0201aa'), 'oneRtt')).frameType, 0x0e);
});

s('credit values above 2^53-1 clamp instead of failing', () => {
  assert.equal(parseFrames(hex('10ffffffffffffffff'), 'oneRtt'), [{ type: FrameType.MAX_DATA, maximum: Number.MAX_SAFE_INTEGER }]);
  assert.equal(parseFrames(hex('1104ffffffffffffffff'), 'oneRtt'), [
    { type: FrameType.MAX_STREAM_DATA, streamId: 4, maximum: Number.MAX_SAFE_INTEGER },
  ]);
});

s('encoder rejects invalid frames with INTERNAL_ERROR', () => {
  const IE = TransportErrorCode.INTERNAL_ERROR;
  const bad: Frame[] = [
    { type: FrameType.ACK, largest: 1, ackDelay: 0, ranges: [] },
    { type: FrameType.ACK, largest: 1, ackDelay: 0, ranges: [{ smallest: 2, largest: 1 }] },
    { type: FrameType.ACK, largest: 10, ackDelay: 0, ranges: [{ smallest: 5, largest: 10 }, { smallest: 1, largest: 4 }] },
    { type: FrameType.ACK, largest: 10, ackDelay: 0, ranges: [{ smallest: 5, largest: 10 }, { smallest: 3, largest: 2 }] },
    { type: FrameType.NEW_CONNECTION_ID, sequenceNumber: 1, retirePriorTo: 0, connectionId: bytes(0), statelessResetToken: bytes(16) },
    { type: FrameType.NEW_CONNECTION_ID, sequenceNumber: 1, retirePriorTo: 2, connectionId: bytes(4), statelessResetToken: bytes(16) },
    { type: FrameType.PATH_CHALLENGE, data: bytes(7) },
    { type: 0x99 } as unknown as Frame,
  ];
  for (const f of bad) assert.is(err(() => enc(f)).code, IE);
});

s('ack-eliciting, in-flight and probing classification', () => {
  const nonEliciting = [0x00, 0x02, 0x03, 0x1c, 0x1d];
  for (const f of samples) {
    assert.is(isAckEliciting(f), !nonEliciting.includes(f.type), frameTypeName(f.type));
    assert.is(countsInFlight(f), f.type === 0x00 || !nonEliciting.includes(f.type));
    assert.is(isProbingFrame(f), [0x00, 0x18, 0x1a, 0x1b].includes(f.type));
  }
  const ack = samples[2];
  const pad = samples[0];
  assert.is(isPacketAckEliciting([ack, pad]), false);
  assert.is(isPacketInFlight([ack, pad]), true);
  assert.is(isPacketInFlight([ack]), false);
  assert.is(isPacketAckEliciting([ack, PING_FRAME]), true);
  assert.is(frameTypeName(0x0f), 'STREAM');
  assert.is(frameTypeName(0x31), 'DATAGRAM');
  assert.is(frameTypeName(0x42), '0x42');
});

s.run();
