/**
 * Prefixed integers (RFC 7541 §5.1, used by QPACK per RFC 9204 §4.1.1): an N-bit prefix in the low bits of the first
 * byte holds the value if it is below 2^N-1; otherwise the prefix is all ones and the rest follows as little-endian
 * 7-bit groups with a continuation bit.
 */
import type { ByteWriter } from '../byteWriter.js';

/** Read position over a byte range; decoders advance `pos` past what they consumed. */
export interface ByteCursor {
  /** Source bytes. */
  readonly buf: Uint8Array;
  /** Next byte to read. */
  pos: number;
  /** One past the last readable byte. */
  readonly end: number;
}

/** Returned by {@link readPrefixedInt} when the input ends inside the integer (the cursor is not moved). */
export const PREFIXED_INT_TRUNCATED = -1;

/** Returned by {@link readPrefixedInt} when the value exceeds 2^53-1 (the cursor is not moved). */
export const PREFIXED_INT_OVERFLOW = -2;

/**
 * Reads a prefixed integer whose prefix is the low `prefixBits` (1..8) bits of the byte at `cur.pos` (the high bits
 * are flags the caller has already looked at). Returns the value and advances the cursor, or one of the negative
 * sentinels. Non-minimal continuations (trailing 0x80 groups) are accepted as long as the value stays exact.
 */
export function readPrefixedInt(cur: ByteCursor, prefixBits: number): number {
  const { buf, end } = cur;
  let p = cur.pos;
  if (p >= end) return PREFIXED_INT_TRUNCATED;
  const max = (1 << prefixBits) - 1;
  let value = buf[p++] & max;
  if (value < max) {
    cur.pos = p;
    return value;
  }
  let scale = 1;
  for (;;) {
    if (p >= end) return PREFIXED_INT_TRUNCATED;
    const b = buf[p++];
    value += (b & 0x7f) * scale;
    if (value > Number.MAX_SAFE_INTEGER) return PREFIXED_INT_OVERFLOW;
    if ((b & 0x80) === 0) break;
    scale *= 128;
    // 2^53 needs at most 8 groups; more continuation bytes can only be zero padding or overflow.
    if (scale > 2 ** 63) return PREFIXED_INT_OVERFLOW;
  }
  cur.pos = p;
  return value;
}

/**
 * Appends a prefixed integer: `flags` holds the bits above the prefix in the first byte (already shifted into
 * place), `prefixBits` (1..8) the prefix width. `value` must be a non-negative safe integer.
 */
export function writePrefixedInt(w: ByteWriter, flags: number, prefixBits: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a prefixed integer`);
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    w.byte(flags | value);
    return;
  }
  w.byte(flags | max);
  let rest = value - max;
  while (rest >= 128) {
    w.byte((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  w.byte(rest);
}
