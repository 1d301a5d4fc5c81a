/**
 * Header protection (RFC 9001 §5.4): a 5-byte mask from a 16-byte sample of the ciphertext taken 4 bytes after
 * the start of the Packet Number field. mask[0] hides the low 4 bits of a long header's first byte (reserved bits
 * and packet number length) or the low 5 bits of a short header's (reserved bits, key phase, packet number
 * length); mask[1..4] hide the packet number bytes.
 */
import type { HeaderProtection } from '@quichs/tls-hs';
import { PacketProtectionError } from './errors.js';

/** Bytes between the start of the Packet Number field and the sample (RFC 9001 §5.4.2). */
export const SAMPLE_OFFSET = 4;
/** Length of the header-protection sample. */
export const SAMPLE_LENGTH = 16;

/** True if the first byte is a long header's (Header Form bit set). */
export function isLongHeader(firstByte: number): boolean {
  return (firstByte & 0x80) !== 0;
}

/** The first-byte bits header protection covers: 0x0f for long headers, 0x1f for short headers. */
export function firstByteMask(firstByte: number): number {
  return (firstByte & 0x80) !== 0 ? 0x0f : 0x1f;
}

/**
 * Computes the header-protection mask for a protected packet whose Packet Number field starts at `pnOffset`
 * (counted from `base`, where the packet starts in `packet`; default 0).
 * Throws PacketProtectionError('TOO_SHORT') if the packet has no full sample, ('BAD_ARGUMENT') for a bad offset.
 * The returned array may be longer than 5 bytes and may be reused by the provider: read it at once.
 */
export function headerProtectionMask(hp: HeaderProtection, packet: Uint8Array, pnOffset: number, base = 0): Uint8Array {
  if (!Number.isInteger(pnOffset) || pnOffset < 1) {
    throw new PacketProtectionError('BAD_ARGUMENT', `packet number offset must be a positive integer, got ${pnOffset}`);
  }
  const start = base + pnOffset + SAMPLE_OFFSET;
  if (packet.length < start + SAMPLE_LENGTH) {
    throw new PacketProtectionError('TOO_SHORT', `packet of ${packet.length - base} bytes has no header-protection sample at ${start - base}`);
  }
  return hp.mask(packet.subarray(start, start + SAMPLE_LENGTH));
}

/**
 * Applies header protection in place to a packet whose payload is already sealed; the packet starts at `base` in
 * `packet` (default 0) and `pnOffset` counts from there. The Packet Number Length is read from the unprotected
 * first byte. Returns the packet number length (1..4).
 */
export function applyHeaderProtection(hp: HeaderProtection, packet: Uint8Array, pnOffset: number, base = 0): number {
  const mask = headerProtectionMask(hp, packet, pnOffset, base);
  const first = packet[base];
  const pnLength = (first & 0x03) + 1;
  packet[base] = first ^ (mask[0] & firstByteMask(first));
  const pn = base + pnOffset;
  for (let i = 0; i < pnLength; i++) packet[pn + i] ^= mask[1 + i];
  return pnLength;
}

/**
 * Removes header protection in place (the packet starts at `base` in `packet`, default 0; `pnOffset` counts from
 * there). Returns the packet number length (1..4) read from the unmasked first byte. After this the first byte
 * and the Packet Number field are plain; the payload is still sealed.
 */
export function removeHeaderProtection(hp: HeaderProtection, packet: Uint8Array, pnOffset: number, base = 0): number {
  const mask = headerProtectionMask(hp, packet, pnOffset, base);
  const first = packet[base] ^ (mask[0] & firstByteMask(packet[base]));
  packet[base] = first;
  const pnLength = (first & 0x03) + 1;
  const pn = base + pnOffset;
  for (let i = 0; i < pnLength; i++) packet[pn + i] ^= mask[1 + i];
  return pnLength;
}

/**
 * Returns a fresh copy of the packet's header (first byte through the Packet Number field) with header protection
 * removed, leaving `packet` untouched. The packet number length is `result.length - pnOffset`.
 */
export function unmaskHeader(hp: HeaderProtection, packet: Uint8Array, pnOffset: number): Uint8Array {
  const mask = headerProtectionMask(hp, packet, pnOffset);
  const first = packet[0] ^ (mask[0] & firstByteMask(packet[0]));
  const pnLength = (first & 0x03) + 1;
  const header = packet.slice(0, pnOffset + pnLength);
  header[0] = first;
  for (let i = 0; i < pnLength; i++) header[pnOffset + i] ^= mask[1 + i];
  return header;
}
