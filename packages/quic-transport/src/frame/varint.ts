/**
 * QUIC variable-length integers (RFC 9000 §16): the two high bits of the first byte give the length (1, 2, 4 or
 * 8 bytes), the remaining bits hold the value in network byte order.
 *
 * Values are JavaScript numbers. The wire format allows up to 2^62-1; this implementation rejects decoded values
 * above 2^53-1 (`Number.MAX_SAFE_INTEGER`) because they cannot be represented exactly. Callers treat such values as
 * an encoding error (frames) or drop the packet (packet headers).
 */
import { QuicError, TransportErrorCode } from '../errors.js';

/** Largest value a QUIC varint can carry on the wire (2^62-1). */
export const VARINT_MAX_WIRE = 2 ** 62 - 1;

/** Largest varint value this implementation decodes or encodes (2^53-1). */
export const VARINT_MAX = Number.MAX_SAFE_INTEGER;

/** Returned by {@link decodeVarintAt} when the buffer ends inside the varint. */
export const VARINT_TRUNCATED = -1;

/** Returned by {@link decodeVarintAt} when the value exceeds {@link VARINT_MAX}. */
export const VARINT_TOO_LARGE = -2;

/** Number of bytes (1, 2, 4 or 8) of a varint, read from its first byte. */
export function varintLengthFromFirstByte(firstByte: number): number {
  return 1 << (firstByte >> 6);
}

/**
 * Minimal encoded size (1, 2, 4 or 8) of a value; throws QuicError(INTERNAL_ERROR) for a negative, fractional or too large value
 * (a programming error on the sending side, never peer input).
 */
export function varintSize(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > VARINT_MAX) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `cannot encode ${value} as a QUIC varint`);
  }
  return value < 0x40 ? 1 : value < 0x4000 ? 2 : value < 0x40000000 ? 4 : 8;
}

/**
 * Decodes a varint at `offset` without allocating. Returns the value (read its length with
 * {@link varintLengthFromFirstByte}), {@link VARINT_TRUNCATED} if `end` (default `buf.length`) comes first, or
 * {@link VARINT_TOO_LARGE} for a value above 2^53-1. Non-minimal encodings are accepted (RFC 9000 §16 allows them).
 */
export function decodeVarintAt(buf: Uint8Array, offset: number, end: number = buf.length): number {
  if (offset >= end) return VARINT_TRUNCATED;
  const b0 = buf[offset];
  switch (b0 >> 6) {
    case 0:
      return b0;
    case 1:
      if (offset + 2 > end) return VARINT_TRUNCATED;
      return ((b0 & 0x3f) << 8) | buf[offset + 1];
    case 2:
      if (offset + 4 > end) return VARINT_TRUNCATED;
      return (
        (b0 & 0x3f) * 0x1000000 + ((buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3])
      );
    default: {
      if (offset + 8 > end) return VARINT_TRUNCATED;
      const hi =
        (b0 & 0x3f) * 0x1000000 + ((buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]);
      if (hi > 0x1fffff) return VARINT_TOO_LARGE;
      const lo =
        buf[offset + 4] * 0x1000000 + ((buf[offset + 5] << 16) | (buf[offset + 6] << 8) | buf[offset + 7]);
      return hi * 0x100000000 + lo;
    }
  }
}

/**
 * Writes `value` at `offset` using exactly `size` bytes (1, 2, 4 or 8; must be large enough) and returns the
 * offset after it. The caller guarantees room in `buf`. Throws QuicError(INTERNAL_ERROR) if the value does not fit `size`.
 */
export function encodeVarintAt(buf: Uint8Array, offset: number, value: number, size: number = varintSize(value)): number {
  if (varintSize(value) > size) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `varint ${value} does not fit in ${size} bytes`);
  switch (size) {
    case 1:
      buf[offset] = value;
      return offset + 1;
    case 2:
      buf[offset] = 0x40 | (value >> 8);
      buf[offset + 1] = value & 0xff;
      return offset + 2;
    case 4:
      buf[offset] = 0x80 | (value >>> 24);
      buf[offset + 1] = (value >>> 16) & 0xff;
      buf[offset + 2] = (value >>> 8) & 0xff;
      buf[offset + 3] = value & 0xff;
      return offset + 4;
    case 8: {
      const hi = Math.floor(value / 0x100000000);
      const lo = value >>> 0;
      buf[offset] = 0xc0 | (hi >>> 24);
      buf[offset + 1] = (hi >>> 16) & 0xff;
      buf[offset + 2] = (hi >>> 8) & 0xff;
      buf[offset + 3] = hi & 0xff;
      buf[offset + 4] = lo >>> 24;
      buf[offset + 5] = (lo >>> 16) & 0xff;
      buf[offset + 6] = (lo >>> 8) & 0xff;
      buf[offset + 7] = lo & 0xff;
      return offset + 8;
    }
    default:
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `invalid varint size ${size}`);
  }
}
