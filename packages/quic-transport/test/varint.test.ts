import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeVarintAt,
  encodeVarintAt,
  QuicError,
  QuicReader,
  QuicWriter,
  TransportErrorCode,
  VARINT_MAX,
  VARINT_TOO_LARGE,
  VARINT_TRUNCATED,
  varintSize,
} from '../src/index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    assert.instance(e, QuicError);
    return (e as QuicError).code;
  }
  throw new Error('expected a QuicError');
}

const s = suite('varint');

s('RFC 9000 A.1 examples', () => {
  assert.is(decodeVarintAt(hex('9d7f3e7d'), 0), 494878333);
  assert.is(decodeVarintAt(hex('7bbd'), 0), 15293);
  assert.is(decodeVarintAt(hex('25'), 0), 37);
  assert.is(decodeVarintAt(hex('4025'), 0), 37); // non-minimal encoding accepted
  // 151288809941952652 is above 2^53-1: rejected by design.
  assert.is(decodeVarintAt(hex('c2197c5eff14e88c'), 0), VARINT_TOO_LARGE);
  const r = new QuicReader(hex('c2197c5eff14e88c'));
  assert.is(code(() => r.varint()), TransportErrorCode.FRAME_ENCODING_ERROR);
  assert.is(new QuicReader(hex('c2197c5eff14e88c')).varintSaturating(), VARINT_MAX);
});

s('encodes the A.1 values minimally', () => {
  for (const [v, h] of [
    [494878333, '9d7f3e7d'],
    [15293, '7bbd'],
    [37, '25'],
  ] as const) {
    assert.is(toHex(new QuicWriter().varint(v).finish()), h);
  }
  assert.is(toHex(new QuicWriter().varint(37, 2).finish()), '4025');
});

s('sizes and boundaries round-trip', () => {
  const values = [0, 63, 64, 16383, 16384, 2 ** 30 - 1, 2 ** 30, 2 ** 32, 2 ** 40 + 5, VARINT_MAX];
  const sizes = [1, 1, 2, 2, 4, 4, 8, 8, 8, 8];
  values.forEach((v, i) => {
    assert.is(varintSize(v), sizes[i]);
    const buf = new Uint8Array(8);
    assert.is(encodeVarintAt(buf, 0, v), sizes[i]);
    assert.is(decodeVarintAt(buf, 0), v);
  });
  assert.is(code(() => varintSize(-1)), TransportErrorCode.INTERNAL_ERROR);
  assert.is(code(() => varintSize(VARINT_MAX + 1)), TransportErrorCode.INTERNAL_ERROR);
  assert.is(code(() => varintSize(1.5)), TransportErrorCode.INTERNAL_ERROR);
  assert.is(code(() => encodeVarintAt(new Uint8Array(8), 0, 300, 1)), TransportErrorCode.INTERNAL_ERROR);
  assert.is(code(() => encodeVarintAt(new Uint8Array(8), 0, 3, 3)), TransportErrorCode.INTERNAL_ERROR);
});

s('truncation', () => {
  for (const h of ['', '40', '80aabb', 'c0000000000000']) {
    assert.is(decodeVarintAt(hex(h), 0), VARINT_TRUNCATED);
    assert.is(code(() => new QuicReader(hex(h)).varint()), TransportErrorCode.FRAME_ENCODING_ERROR);
  }
  assert.is(code(() => new QuicReader(hex('40')).varintSaturating()), TransportErrorCode.FRAME_ENCODING_ERROR);
  // `end` bounds the read even if the buffer is longer.
  assert.is(decodeVarintAt(hex('4025'), 0, 1), VARINT_TRUNCATED);
});

s('reader: integers, views, error code parameter', () => {
  const buf = hex('01020304050607080910');
  const r = new QuicReader(buf, 0, buf.length, TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  assert.is(r.u8(), 1);
  assert.is(r.u16(), 0x0203);
  assert.is(r.u32(), 0x04050607);
  const v = r.bytes(2);
  assert.is(v.buffer, buf.buffer); // a view, not a copy
  assert.is(r.remaining, 1);
  assert.is(code(() => r.u16()), TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  assert.is(code(() => r.u32()), TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  assert.is(code(() => r.skip(2)), TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  r.skip(1);
  assert.is(code(() => r.u8()), TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  r.reset(hex('03aabbcc'));
  assert.equal(toHex(r.varintBytes()), 'aabbcc');
});

s('writer: growable and fixed', () => {
  const w = new QuicWriter(1);
  for (let i = 0; i < 100; i++) w.u32(i);
  assert.is(w.length, 400);
  assert.is(w.capacityLeft, Infinity);
  const out = w.finish();
  assert.is(new QuicReader(out, 396).u32(), 99);
  w.reset();
  assert.is(w.length, 0);
  const target = new Uint8Array(6);
  const f = new QuicWriter(target, 2);
  f.u16(0xabcd).u8(1);
  assert.is(f.capacityLeft, 1);
  assert.is(f.buffer, target);
  assert.is(toHex(f.finish()), 'abcd01');
  assert.is(code(() => f.u16(1)), TransportErrorCode.INTERNAL_ERROR);
  assert.is(toHex(new QuicWriter().zeros(3).varintBytes(hex('ff')).finish()), '00000001ff');
});

s.run();
