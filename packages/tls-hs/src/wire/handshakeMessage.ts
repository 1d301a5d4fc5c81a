/**
 * The handshake message framing of RFC 8446 §4: `msg_type(1) length(3) body`, and a reassembler that turns any split
 * of the handshake byte stream into whole messages.
 */
import { TlsAlert } from '../alerts.js';
import { handshakeTypeName } from './constants.js';

/** Size of the handshake header: msg_type(1) + uint24 length. */
export const HANDSHAKE_HEADER_LENGTH = 4;

/** Default largest handshake body accepted by {@link HandshakeReassembler}: 64 KiB. */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 64 * 1024;

/** One complete handshake message. */
export interface HandshakeMessage {
  /** HandshakeType. */
  readonly type: number;
  /** The message body (a view into `raw`). */
  readonly body: Uint8Array;
  /** Header and body: the bytes that enter the transcript hash. */
  readonly raw: Uint8Array;
}

/** Frames a body as a handshake message: `type || uint24(body.length) || body`. */
export function encodeHandshake(type: number, body: Uint8Array): Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > 0xff || body.length > 0xffffff) {
    throw TlsAlert.of('internal_error', `cannot frame handshake type ${type} with ${body.length}-byte body`);
  }
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + body.length);
  out[0] = type;
  out[1] = body.length >>> 16;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, HANDSHAKE_HEADER_LENGTH);
  return out;
}

/** Parses exactly one complete handshake message (header + body, nothing after it); `raw` is not copied. */
export function decodeHandshake(raw: Uint8Array): HandshakeMessage {
  if (raw.length < HANDSHAKE_HEADER_LENGTH) {
    throw TlsAlert.of('decode_error', `handshake message: truncated header (${raw.length} bytes)`);
  }
  const len = (raw[1] << 16) | (raw[2] << 8) | raw[3];
  if (raw.length !== HANDSHAKE_HEADER_LENGTH + len) {
    throw TlsAlert.of(
      'decode_error',
      `${handshakeTypeName(raw[0])}: length field ${len} but ${raw.length - HANDSHAKE_HEADER_LENGTH} body bytes`,
    );
  }
  return { type: raw[0], body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
}

const EMPTY_BUFFER = new Uint8Array(0);

/** Options for {@link HandshakeReassembler}. */
export interface HandshakeReassemblerOptions {
  /** Largest accepted body length in bytes (default {@link DEFAULT_MAX_HANDSHAKE_MESSAGE}). */
  maxMessageSize?: number;
}

/**
 * Collects handshake bytes delivered in arbitrary pieces and returns complete messages. Each returned message owns
 * its own `raw` buffer. A header announcing a body larger than the limit raises `decode_error` as soon as the header
 * is seen; leftover bytes at a key change raise `unexpected_message` through {@link HandshakeReassembler.assertEmpty}.
 */
export class HandshakeReassembler {
  /** Largest accepted body length. */
  readonly maxMessageSize: number;
  private buf: Uint8Array = EMPTY_BUFFER;
  private len = 0;

  /** Creates an empty reassembler. */
  constructor(options: HandshakeReassemblerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE;
    if (!Number.isInteger(max) || max < 0 || max > 0xffffff) {
      throw TlsAlert.of('internal_error', `maxMessageSize ${max} out of range`);
    }
    this.maxMessageSize = max;
  }

  /** Number of bytes held that do not yet form a complete message. */
  get bufferedBytes(): number {
    return this.len;
  }

  /** True when part of a message is buffered (a key change now would make it straddle the change). */
  get hasPending(): boolean {
    return this.len > 0;
  }

  /**
   * Throws `unexpected_message` if bytes are buffered. Call at every key change: RFC 8446 §5.1 forbids a handshake
   * message from spanning a key change.
   */
  assertEmpty(where = 'key change'): void {
    if (this.len > 0) {
      throw TlsAlert.of('unexpected_message', `handshake message not complete at ${where} (${this.len} bytes buffered)`);
    }
  }

  /**
   * Adds bytes and returns every message now complete, in order (possibly none). A header whose length exceeds
   * `maxMessageSize` raises `decode_error` and empties the buffer.
   */
  push(bytes: Uint8Array): HandshakeMessage[] {
    const out: HandshakeMessage[] = [];
    let input = bytes;
    // Fast path: nothing buffered, take the whole messages straight from the input (one copy for all of them).
    if (this.len === 0) {
      const end = this.completeEnd(input, input.length);
      if (end > 0) this.emitAll(input.slice(0, end), out);
      if (end === input.length) return out;
      input = input.subarray(end);
      if (input.length >= HANDSHAKE_HEADER_LENGTH) this.bodyLength(input, 0);
    }
    this.append(input);
    // Slow path: drain complete messages from the buffer.
    const end = this.completeEnd(this.buf, this.len);
    if (end > 0) {
      this.emitAll(this.buf.slice(0, end), out);
      this.buf.copyWithin(0, end, this.len);
      this.len -= end;
    }
    return out;
  }

  /** Drops any buffered bytes. */
  reset(): void {
    this.len = 0;
  }

  /** Gives the buffer back when nothing is buffered (an idle connection keeps no reassembly room). */
  compact(): void {
    if (this.len === 0) this.buf = EMPTY_BUFFER;
  }

  private bodyLength(b: Uint8Array, p: number): number {
    const len = (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    if (len > this.maxMessageSize) {
      this.len = 0;
      throw TlsAlert.of(
        'decode_error',
        `${handshakeTypeName(b[p])}: length ${len} exceeds the limit of ${this.maxMessageSize} bytes`,
      );
    }
    return len;
  }

  private append(bytes: Uint8Array): void {
    if (this.len + bytes.length > this.buf.length) {
      let size = Math.max(256, this.buf.length * 2);
      while (size < this.len + bytes.length) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** End of the last complete message in `b[0..length)` (0 if none); checks every header it reads. */
  private completeEnd(b: Uint8Array, length: number): number {
    let p = 0;
    while (length - p >= HANDSHAKE_HEADER_LENGTH) {
      const total = HANDSHAKE_HEADER_LENGTH + this.bodyLength(b, p);
      if (length - p < total) break;
      p += total;
    }
    return p;
  }

  /** Emits the whole messages `owned` consists of, as views into it. */
  private emitAll(owned: Uint8Array, out: HandshakeMessage[]): void {
    for (let p = 0; p < owned.length; ) {
      const total = HANDSHAKE_HEADER_LENGTH + ((owned[p + 1] << 16) | (owned[p + 2] << 8) | owned[p + 3]);
      const raw = owned.subarray(p, p + total);
      out.push({ type: raw[0], body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw });
      p += total;
    }
  }
}
