import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode } from '../src/errors.js';
import { ReassemblyBuffer, createCryptoReassemblyBuffer } from '../src/stream/reassemblyBuffer.js';

const s = suite('stream reassembly buffer');

/** Bytes 0..n-1 of a deterministic test stream: byte i has value (i * 7 + 3) & 0xff. */
function streamBytes(from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = (i * 7 + 3) & 0xff;
  return out;
}

function drain(buf: ReassemblyBuffer): Uint8Array {
  return buf.readAll();
}

s('in-order input is readable as views without copying', () => {
  const buf = new ReassemblyBuffer();
  const a = streamBytes(0, 10);
  assert.ok(buf.insert(0, a));
  assert.is(buf.readableLength, 10);
  const out = buf.read();
  assert.ok(out !== undefined && out.buffer === a.buffer, 'same underlying buffer');
  assert.is(buf.readOffset, 10);
  assert.is(buf.read(), undefined);
});

s('out-of-order chunks become readable once the gap fills', () => {
  const buf = new ReassemblyBuffer();
  assert.not.ok(buf.insert(10, streamBytes(10, 20)));
  assert.not.ok(buf.insert(30, streamBytes(30, 35)));
  assert.is(buf.readableLength, 0);
  assert.is(buf.bufferedBytes, 15);
  assert.is(buf.highestOffset, 35);
  assert.ok(buf.insert(0, streamBytes(0, 10)));
  assert.is(buf.contiguousEnd, 20);
  assert.equal(drain(buf), streamBytes(0, 20));
  assert.ok(buf.insert(20, streamBytes(20, 30)));
  assert.equal(drain(buf), streamBytes(20, 35));
  assert.is(buf.bufferedBytes, 0);
});

s('overlapping and duplicate chunks keep each byte once', () => {
  const buf = new ReassemblyBuffer();
  buf.insert(5, streamBytes(5, 15));
  buf.insert(20, streamBytes(20, 25));
  // Covers the gap before, the existing chunk, the gap between and part of the second chunk.
  buf.insert(2, streamBytes(2, 22));
  buf.insert(5, streamBytes(5, 15)); // exact duplicate
  buf.insert(12, streamBytes(12, 13)); // inside existing data
  assert.is(buf.bufferedBytes, 23);
  buf.insert(0, streamBytes(0, 4));
  assert.equal(drain(buf), streamBytes(0, 25));
  // Data entirely before the read offset is dropped; data straddling it is trimmed.
  assert.not.ok(buf.insert(0, streamBytes(0, 25)));
  assert.ok(buf.insert(20, streamBytes(20, 30)));
  assert.equal(drain(buf), streamBytes(25, 30));
});

s('random split, order and duplication reassembles exactly', () => {
  const total = 4000;
  const pieces: [number, number][] = [];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 300; i++) {
    const a = rnd(total);
    pieces.push([a, Math.min(total, a + 1 + rnd(200))]);
  }
  for (let i = 0; i < total; i += 150) pieces.push([i, Math.min(total, i + 150)]);
  const buf = new ReassemblyBuffer();
  const got: Uint8Array[] = [];
  while (pieces.length > 0) {
    const [a, b] = pieces.splice(rnd(pieces.length), 1)[0];
    buf.insert(a, streamBytes(a, b));
    if (rnd(3) === 0) {
      const r = buf.read(1 + rnd(64));
      if (r) got.push(r.slice());
    }
  }
  got.push(buf.readAll());
  const joined = new Uint8Array(total);
  let pos = 0;
  for (const g of got) {
    joined.set(g, pos);
    pos += g.length;
  }
  assert.is(pos, total);
  assert.equal(joined, streamBytes(0, total));
});

s('partial reads cut a chunk and keep the rest', () => {
  const buf = new ReassemblyBuffer();
  buf.insert(0, streamBytes(0, 10));
  assert.equal(buf.read(4), streamBytes(0, 4));
  assert.is(buf.readOffset, 4);
  assert.is(buf.read(0), undefined);
  assert.equal(buf.read(100), streamBytes(4, 10));
  assert.equal(buf.readAll(), new Uint8Array(0));
});

s('limit beyond the read offset throws the caller-supplied error', () => {
  const limitError = (end: number, limit: number) =>
    new QuicError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, `CRYPTO data to ${end} beyond ${limit}`, { frameType: 0x06 });
  const buf = new ReassemblyBuffer({ maxBufferedSpan: 65536, limitError });
  buf.insert(65000, streamBytes(65000, 65536)); // exactly at the limit: fine
  try {
    buf.insert(65536, streamBytes(65536, 65537));
    assert.unreachable('must throw');
  } catch (e) {
    assert.instance(e, QuicError);
    assert.is((e as QuicError).code, TransportErrorCode.CRYPTO_BUFFER_EXCEEDED);
    assert.is((e as QuicError).frameType, 0x06);
  }
  // After reading, the window slides.
  buf.insert(0, streamBytes(0, 65000));
  buf.readAll();
  assert.ok(buf.insert(65536, streamBytes(65536, 65537)));
  assert.throws(() => new ReassemblyBuffer({ maxBufferedSpan: 10 }), /limitError/);
});

s('discard drops buffered bytes and ignores later input below the new offset', () => {
  const buf = new ReassemblyBuffer();
  buf.insert(0, streamBytes(0, 5));
  buf.insert(10, streamBytes(10, 20));
  buf.discard();
  assert.is(buf.readOffset, 20);
  assert.is(buf.bufferedBytes, 0);
  assert.is(buf.readableLength, 0);
  assert.not.ok(buf.insert(5, streamBytes(5, 20)));
  assert.ok(buf.insert(20, streamBytes(20, 22)));
  assert.equal(buf.readAll(), streamBytes(20, 22));
  assert.not.ok(buf.insert(30, new Uint8Array(0)));
  assert.is(buf.highestOffset, 30);
});

s('CRYPTO buffer: 64 KiB span, CRYPTO_BUFFER_EXCEEDED beyond it, including huge offsets', () => {
  const buf = createCryptoReassemblyBuffer();
  buf.insert(1000, streamBytes(1000, 65536));
  for (const [off, len] of [
    [65536, 1],
    [2 ** 53, 1],
  ]) {
    try {
      buf.insert(off, new Uint8Array(len));
      assert.unreachable();
    } catch (e) {
      assert.instance(e, QuicError);
      assert.is((e as QuicError).code, TransportErrorCode.CRYPTO_BUFFER_EXCEEDED);
      assert.is((e as QuicError).frameType, 0x06);
    }
  }
  const small = createCryptoReassemblyBuffer(4096);
  assert.throws(() => small.insert(4000, new Uint8Array(97)), (e: unknown) => e instanceof QuicError);
});

s.run();
