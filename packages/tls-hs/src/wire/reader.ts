/**
 * Bounds-checked reader for TLS presentation-language structures (RFC 8446 §3). Every overrun or leftover byte
 * becomes a {@link TlsAlert} `decode_error`; nothing here throws anything else.
 */
import { TlsAlert } from '../alerts.js';

/**
 * Sequential reader over a byte slice. Vectors are returned as views into the input (no copy), so callers that keep
 * them past the lifetime of the input buffer must copy.
 */
export class TlsReader {
  /** The bytes being read. */
  readonly buf: Uint8Array;
  /** Label used in error reasons (e.g. "ClientHello"). */
  readonly what: string;
  private pos: number;
  private readonly end: number;

  /** Reads `buf[start, end)` (defaults: the whole buffer); `what` names the structure in error reasons. */
  constructor(buf: Uint8Array, what = 'message', start = 0, end = buf.length) {
    this.buf = buf;
    this.what = what;
    this.pos = start;
    this.end = end;
  }

  /** Current absolute offset into {@link buf}. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left before the end of this reader. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** True when every byte has been consumed. */
  get atEnd(): boolean {
    return this.pos === this.end;
  }

  private need(n: number, field: string): void {
    if (this.end - this.pos < n) {
      throw TlsAlert.of('decode_error', `${this.what}: truncated ${field} (need ${n} bytes, have ${this.end - this.pos})`);
    }
  }

  /** Reads one byte. */
  u8(field = 'uint8'): number {
    this.need(1, field);
    return this.buf[this.pos++];
  }

  /** Reads a big-endian uint16. */
  u16(field = 'uint16'): number {
    this.need(2, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  /** Reads a big-endian uint24. */
  u24(field = 'uint24'): number {
    this.need(3, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }

  /** Reads a big-endian uint32 (as a non-negative number). */
  u32(field = 'uint32'): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  /** Reads exactly `n` bytes (a view). */
  bytes(n: number, field = 'bytes'): Uint8Array {
    this.need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads all remaining bytes (a view). */
  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  private lengthChecked(len: number, min: number, max: number, field: string): number {
    if (len < min || len > max) {
      throw TlsAlert.of('decode_error', `${this.what}: ${field} length ${len} outside [${min}, ${max}]`);
    }
    this.need(len, field);
    return len;
  }

  /** Reads an opaque vector with a 1-byte length prefix, whose length must lie in [min, max]. */
  vec8(field = 'vector', min = 0, max = 0xff): Uint8Array {
    return this.bytes(this.lengthChecked(this.u8(`${field} length`), min, max, field), field);
  }

  /** Reads an opaque vector with a 2-byte length prefix, whose length must lie in [min, max]. */
  vec16(field = 'vector', min = 0, max = 0xffff): Uint8Array {
    return this.bytes(this.lengthChecked(this.u16(`${field} length`), min, max, field), field);
  }

  /** Reads an opaque vector with a 3-byte length prefix, whose length must lie in [min, max]. */
  vec24(field = 'vector', min = 0, max = 0xffffff): Uint8Array {
    return this.bytes(this.lengthChecked(this.u24(`${field} length`), min, max, field), field);
  }

  private sub(len: number, field: string): TlsReader {
    const r = new TlsReader(this.buf, `${this.what} ${field}`, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  /** A sub-reader over a 1-byte-length-prefixed block (the block is consumed from this reader). */
  block8(field = 'block', min = 0, max = 0xff): TlsReader {
    return this.sub(this.lengthChecked(this.u8(`${field} length`), min, max, field), field);
  }

  /** A sub-reader over a 2-byte-length-prefixed block. */
  block16(field = 'block', min = 0, max = 0xffff): TlsReader {
    return this.sub(this.lengthChecked(this.u16(`${field} length`), min, max, field), field);
  }

  /** A sub-reader over a 3-byte-length-prefixed block. */
  block24(field = 'block', min = 0, max = 0xffffff): TlsReader {
    return this.sub(this.lengthChecked(this.u24(`${field} length`), min, max, field), field);
  }

  /** Throws decode_error if any byte is left. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw TlsAlert.of('decode_error', `${this.what}: ${this.end - this.pos} trailing bytes`);
    }
  }
}
