/**
 * A growable byte buffer for building HTTP/3 frames and QPACK field sections. Capacity doubles when needed, so a
 * frame is assembled with O(log n) allocations; `finish()` returns a view of the written bytes (no copy).
 */
import { encodeVarintAt, varintSize } from '@quichs/quic-transport';

/** Growable output buffer with QUIC varint support. */
export class ByteWriter {
  private buf: Uint8Array;
  /** Number of bytes written so far. */
  length = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(Math.max(8, initialCapacity));
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Appends one byte (only the low 8 bits are kept). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Appends a QUIC variable-length integer (RFC 9000 §16) in its shortest form. */
  varint(v: number): void {
    const size = varintSize(v);
    this.ensure(size);
    this.length = encodeVarintAt(this.buf, this.length, v, size);
  }

  /** Direct access for encoders that write in place after {@link ensure}; advance {@link length} yourself. */
  get raw(): Uint8Array {
    return this.buf;
  }

  /** The bytes written so far (a view into the internal buffer; do not keep writing after sharing it). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
