/**
 * A bounds-checked cursor over a Uint8Array for QUIC wire formats. It never copies: {@link QuicReader.bytes}
 * returns subarray views. Running past the end (or decoding a varint above 2^53-1) throws a {@link QuicError}
 * whose code is chosen by the context: FRAME_ENCODING_ERROR for frames (default), TRANSPORT_PARAMETER_ERROR for
 * transport parameters, and so on.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { decodeVarintAt, VARINT_MAX, VARINT_TOO_LARGE, VARINT_TRUNCATED, varintLengthFromFirstByte } from './varint.js';

/** Bounds-checked reader for QUIC integers, varints and byte strings. Reusable via {@link QuicReader.reset}. */
export class QuicReader {
  /** The buffer being read. */
  buf: Uint8Array;
  /** Current read position. */
  pos: number;
  /** End of the readable region (exclusive). */
  end: number;
  /** Transport error code thrown on truncation or an out-of-range value. */
  errorCode: number;
  /** Frame type recorded in thrown errors (0 when not parsing a frame). */
  frameType = 0;

  /**
   * @param buf the bytes
   * @param offset first byte to read (default 0)
   * @param end end of the region (default `buf.length`)
   * @param errorCode error code for truncation (default FRAME_ENCODING_ERROR)
   */
  constructor(
    buf: Uint8Array,
    offset = 0,
    end: number = buf.length,
    errorCode: number = TransportErrorCode.FRAME_ENCODING_ERROR,
  ) {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
    this.errorCode = errorCode;
  }

  /** Points the reader at a new region without allocating a new reader. */
  reset(buf: Uint8Array, offset = 0, end: number = buf.length): this {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
    this.frameType = 0;
    return this;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws this reader's error with a reason. */
  fail(reason: string, code: number = this.errorCode): never {
    throw new QuicError(code, reason, { frameType: this.frameType });
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) this.fail(`truncated ${what}: need ${n} bytes, have ${this.end - this.pos}`);
  }

  /** Reads one byte. */
  u8(): number {
    this.need(1, 'uint8');
    return this.buf[this.pos++];
  }

  /** Reads a big-endian 16-bit integer. */
  u16(): number {
    this.need(2, 'uint16');
    const p = this.pos;
    this.pos = p + 2;
    return (this.buf[p] << 8) | this.buf[p + 1];
  }

  /** Reads a big-endian 32-bit unsigned integer. */
  u32(): number {
    this.need(4, 'uint32');
    const p = this.pos;
    this.pos = p + 4;
    return this.buf[p] * 0x1000000 + ((this.buf[p + 1] << 16) | (this.buf[p + 2] << 8) | this.buf[p + 3]);
  }

  /** Reads a varint (RFC 9000 §16); values above 2^53-1 are rejected with this reader's error code. */
  varint(what = 'varint'): number {
    const v = decodeVarintAt(this.buf, this.pos, this.end);
    if (v < 0) {
      this.fail(v === VARINT_TRUNCATED ? `truncated ${what}` : `${what} above 2^53-1 is not supported`);
    }
    this.pos += varintLengthFromFirstByte(this.buf[this.pos]);
    return v;
  }

  /**
   * Reads a varint, saturating values above 2^53-1 to 2^53-1 instead of failing. Only for limits/credits where
   * "larger than we can count" means "unlimited" (MAX_DATA, initial_max_data, ...): clamping them down is safe.
   */
  varintSaturating(what = 'varint'): number {
    const v = decodeVarintAt(this.buf, this.pos, this.end);
    if (v === VARINT_TRUNCATED) this.fail(`truncated ${what}`);
    this.pos += varintLengthFromFirstByte(this.buf[this.pos]);
    return v === VARINT_TOO_LARGE ? VARINT_MAX : v;
  }

  /** Returns a view of the next `n` bytes (no copy). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  /** Reads a varint length prefix followed by that many bytes (a view). */
  varintBytes(what = 'byte string'): Uint8Array {
    const n = this.varint(`${what} length`);
    return this.bytes(n, what);
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.need(n, 'bytes');
    this.pos += n;
  }
}
