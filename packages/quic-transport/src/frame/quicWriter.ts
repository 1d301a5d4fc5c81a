/**
 * A writer for QUIC wire formats. Either growable (constructed with an initial capacity) or bound to a
 * caller-supplied buffer, in which case writing past its end throws QuicError(INTERNAL_ERROR) — that is a bug in
 * the sender's size accounting, never peer input.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { encodeVarintAt, varintSize } from './varint.js';

/** Big-endian writer with varint support; {@link QuicWriter.finish} returns a view of what was written. */
export class QuicWriter {
  private buf: Uint8Array;
  private readonly fixed: boolean;
  private start: number;
  /** Current write position (absolute offset into the underlying buffer). */
  pos: number;

  /**
   * @param target an initial capacity (growable writer, default 256) or a buffer to write into (fixed size)
   * @param offset with a buffer target, where to start writing (default 0)
   */
  constructor(target: number | Uint8Array = 256, offset = 0) {
    if (typeof target === 'number') {
      this.buf = new Uint8Array(Math.max(16, target));
      this.fixed = false;
      this.start = 0;
      this.pos = 0;
    } else {
      this.buf = target;
      this.fixed = true;
      this.start = offset;
      this.pos = offset;
    }
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos - this.start;
  }

  /** Room left in a fixed writer (Infinity for a growable one). */
  get capacityLeft(): number {
    return this.fixed ? this.buf.length - this.pos : Infinity;
  }

  /** The underlying buffer (absolute offsets, e.g. for patching a length field). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.fixed) {
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `write of ${n} bytes overflows a ${this.buf.length}-byte buffer`);
    }
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes one byte. */
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  /** Writes a big-endian 16-bit integer. */
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Writes a big-endian 32-bit unsigned integer. */
  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Writes a varint in its minimal encoding, or in exactly `size` bytes when given. */
  varint(v: number, size: number = varintSize(v)): this {
    this.ensure(size);
    this.pos = encodeVarintAt(this.buf, this.pos, v, size);
    return this;
  }

  /** Copies bytes in. */
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Writes a varint length followed by the bytes. */
  varintBytes(b: Uint8Array): this {
    return this.varint(b.length).bytes(b);
  }

  /** Writes `n` zero bytes (PADDING). */
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** A view of everything written since construction or the last {@link QuicWriter.reset}. */
  finish(): Uint8Array {
    return this.buf.subarray(this.start, this.pos);
  }

  /** Starts over at the beginning (keeps the buffer). */
  reset(): this {
    this.pos = this.start;
    return this;
  }
}
