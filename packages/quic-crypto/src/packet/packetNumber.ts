/**
 * Packet number encoding and decoding (RFC 9000 §17.1, Appendix A.2 and A.3).
 * Packet numbers are JavaScript numbers: exact up to 2^53, far beyond what a connection can send.
 */
import { PacketProtectionError } from '../errors.js';

/** Largest packet number QUIC allows (2^62 − 1); values above 2^53 are not exact as numbers. */
export const MAX_PACKET_NUMBER = 2 ** 62 - 1;

function checkPn(pn: number, what: string): void {
  if (!Number.isSafeInteger(pn) || pn < 0) {
    throw new PacketProtectionError('BAD_ARGUMENT', `${what} must be a non-negative safe integer, got ${pn}`);
  }
}

/**
 * The number of bytes (1..4) to encode packet number `pn` with, given the largest packet number the peer has
 * acknowledged in this space (`undefined` or a negative value if none): enough bits for twice the number of
 * unacknowledged packets (RFC 9000 §17.1, A.2). PacketProtectionError('BAD_ARGUMENT') if `pn` ≤ `largestAcked`
 * or if even 4 bytes cannot represent the range.
 */
export function packetNumberLength(pn: number, largestAcked?: number): 1 | 2 | 3 | 4 {
  checkPn(pn, 'packet number');
  let numUnacked: number;
  if (largestAcked === undefined || largestAcked < 0) {
    numUnacked = pn + 1;
  } else {
    checkPn(largestAcked, 'largest acknowledged packet number');
    if (largestAcked >= pn) throw new PacketProtectionError('BAD_ARGUMENT', 'packet number must exceed the largest acknowledged');
    numUnacked = pn - largestAcked;
  }
  // min_bits = log2(num_unacked) + 1, i.e. the range 2·num_unacked must fit in num_bytes·8 bits.
  const range = numUnacked * 2;
  if (range <= 0x100) return 1;
  if (range <= 0x10000) return 2;
  if (range <= 0x1000000) return 3;
  if (range <= 0x100000000) return 4;
  throw new PacketProtectionError('BAD_ARGUMENT', `${numUnacked} unacknowledged packets cannot be encoded in 4 bytes`);
}

/** Writes the `length` least significant bytes of `pn` big-endian at `out[offset]` (RFC 9000 §17.1). */
export function writeTruncatedPacketNumber(pn: number, length: number, out: Uint8Array, offset: number): void {
  checkPn(pn, 'packet number');
  if (length < 1 || length > 4 || !Number.isInteger(length)) {
    throw new PacketProtectionError('BAD_ARGUMENT', `packet number length must be 1..4, got ${length}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + length > out.length) {
    throw new PacketProtectionError('BAD_ARGUMENT', 'packet number does not fit in the buffer');
  }
  let v = pn % 0x100000000;
  for (let i = length - 1; i >= 0; i--) {
    out[offset + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

/** Reads a `length`-byte (1..4) truncated packet number at `buf[offset]`. */
export function readTruncatedPacketNumber(buf: Uint8Array, offset: number, length: number): number {
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + buf[offset + i];
  return v;
}

/**
 * Recovers a full packet number from its truncated encoding (RFC 9000 A.3): the value closest to
 * `largestPn + 1` whose low `pnNbits` bits equal `truncatedPn`. `largestPn` is the largest packet number
 * successfully processed in this space, or −1 (or `undefined`) if none.
 */
export function decodePacketNumber(largestPn: number | undefined, truncatedPn: number, pnNbits: number): number {
  if (pnNbits !== 8 && pnNbits !== 16 && pnNbits !== 24 && pnNbits !== 32) {
    throw new PacketProtectionError('BAD_ARGUMENT', `packet number field must be 8, 16, 24 or 32 bits, got ${pnNbits}`);
  }
  const win = 2 ** pnNbits;
  if (!Number.isInteger(truncatedPn) || truncatedPn < 0 || truncatedPn >= win) {
    throw new PacketProtectionError('BAD_ARGUMENT', `truncated packet number ${truncatedPn} does not fit ${pnNbits} bits`);
  }
  const largest = largestPn === undefined || largestPn < 0 ? -1 : largestPn;
  if (largest >= 0) checkPn(largest, 'largest packet number');
  const expected = largest + 1;
  const hwin = win / 2;
  // (expected & ~mask) | truncated, without 32-bit bitwise operators.
  const candidate = expected - (expected % win) + truncatedPn;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}
