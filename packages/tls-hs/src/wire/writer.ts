/**
 * Growable writer for TLS presentation-language structures (RFC 8446 §3), with length-prefixed nested blocks whose
 * length is patched in when the block closes. Encoding a value that does not fit its field is a programming error
 * of the caller and raises {@link TlsAlert} `internal_error`.
 */
import { TlsAlert } from '../alerts.js';

const MAX_BY_PREFIX = [0, 0xff, 0xffff, 0xffffff] as const;

/**
 * Size of the scratch buffers lent to writers. Nearly every message is written, copied out by `finish()` and dropped
 * at once; a typed array over 64 bytes is a separate allocation (~1 µs, and work for the collector), so writers start
 * in a lent buffer and only `finish()` allocates.
 */
const SCRATCH_SIZE = 4096;
/** Lent buffers kept for reuse (writers nest: a message writer and the extension writers inside it). */
const MAX_SCRATCH = 4;
const scratch: Uint8Array[] = [];

/** Appends TLS wire data to an internal buffer that doubles as needed. */
export class TlsWriter {
  private buf: Uint8Array;
  private pos = 0;
  /** `buf` is a lent scratch buffer, to be wiped and returned. */
  private lent: boolean;

  /** Starts with at least `initialCapacity` bytes of room. */
  constructor(initialCapacity = 256) {
    if (initialCapacity <= SCRATCH_SIZE) {
      this.buf = scratch.pop() ?? new Uint8Array(SCRATCH_SIZE);
      this.lent = true;
    } else {
      this.buf = new Uint8Array(initialCapacity);
      this.lent = false;
    }
  }

  /** Wipes the written part of a lent buffer (it may have held key material) and returns it. */
  private giveBack(): void {
    if (!this.lent) return;
    this.lent = false;
    this.buf.fill(0, 0, this.pos);
    if (scratch.length < MAX_SCRATCH) scratch.push(this.buf);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(16, this.buf.length * 2);
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.giveBack();
    this.buf = next;
  }

  private static check(value: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw TlsAlert.of('internal_error', `cannot encode ${field} = ${value} (max ${max})`);
    }
  }

  /** Writes one byte. */
  u8(v: number, field = 'uint8'): this {
    TlsWriter.check(v, 0xff, field);
    this.room(1);
    this.buf[this.pos++] = v;
    return this;
  }

  /** Writes a big-endian uint16. */
  u16(v: number, field = 'uint16'): this {
    TlsWriter.check(v, 0xffff, field);
    this.room(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Writes a big-endian uint24. */
  u24(v: number, field = 'uint24'): this {
    TlsWriter.check(v, 0xffffff, field);
    this.room(3);
    this.buf[this.pos++] = v >>> 16;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Writes a big-endian uint32. */
  u32(v: number, field = 'uint32'): this {
    TlsWriter.check(v, 0xffffffff, field);
    this.room(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Writes raw bytes. */
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  private vec(prefix: 1 | 2 | 3, b: Uint8Array, min: number, max: number, field: string): this {
    if (b.length < min || b.length > Math.min(max, MAX_BY_PREFIX[prefix])) {
      throw TlsAlert.of('internal_error', `cannot encode ${field}: length ${b.length} outside [${min}, ${max}]`);
    }
    if (prefix === 1) this.u8(b.length);
    else if (prefix === 2) this.u16(b.length);
    else this.u24(b.length);
    return this.bytes(b);
  }

  /** Writes an opaque vector with a 1-byte length prefix; its length must lie in [min, max]. */
  vec8(b: Uint8Array, field = 'vector', min = 0, max = 0xff): this {
    return this.vec(1, b, min, max, field);
  }

  /** Writes an opaque vector with a 2-byte length prefix. */
  vec16(b: Uint8Array, field = 'vector', min = 0, max = 0xffff): this {
    return this.vec(2, b, min, max, field);
  }

  /** Writes an opaque vector with a 3-byte length prefix. */
  vec24(b: Uint8Array, field = 'vector', min = 0, max = 0xffffff): this {
    return this.vec(3, b, min, max, field);
  }

  private block(prefix: 1 | 2 | 3, body: (w: this) => void, min: number, max: number, field: string): this {
    this.room(prefix);
    const at = this.pos;
    this.pos += prefix;
    body(this);
    const len = this.pos - at - prefix;
    if (len < min || len > Math.min(max, MAX_BY_PREFIX[prefix])) {
      throw TlsAlert.of('internal_error', `cannot encode ${field}: length ${len} outside [${min}, ${max}]`);
    }
    for (let i = prefix - 1, v = len; i >= 0; i--, v >>>= 8) this.buf[at + i] = v & 0xff;
    return this;
  }

  /** Writes a block whose 1-byte length prefix is filled in after `body` has written its contents. */
  block8(body: (w: this) => void, field = 'block', min = 0, max = 0xff): this {
    return this.block(1, body, min, max, field);
  }

  /** Writes a block with a 2-byte length prefix. */
  block16(body: (w: this) => void, field = 'block', min = 0, max = 0xffff): this {
    return this.block(2, body, min, max, field);
  }

  /** Writes a block with a 3-byte length prefix. */
  block24(body: (w: this) => void, field = 'block', min = 0, max = 0xffffff): this {
    return this.block(3, body, min, max, field);
  }

  /**
   * A copy of the bytes written so far. The writer stays usable: it continues in that copy (which has no spare room,
   * so a later write moves to a new buffer and never changes what was returned).
   */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.giveBack();
    this.buf = out;
    return out;
  }
}
