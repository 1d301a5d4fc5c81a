/** QUIC versions and the version-specific long-header packet type bits (RFC 9000 §17.2, RFC 9369 §3.2). */
import { QuicError, TransportErrorCode } from '../errors.js';
import type { LongPacketType } from './packetType.js';

/** QUIC version 1 (RFC 9000). */
export const QUIC_VERSION_1 = 0x00000001;
/** QUIC version 2 (RFC 9369). */
export const QUIC_VERSION_2 = 0x6b3343cf;
/** The Version field value of a Version Negotiation packet. */
export const VERSION_NEGOTIATION = 0x00000000;

/** True for the versions whose long headers this package parses (v1, v2). */
export function isKnownVersion(version: number): boolean {
  return version === QUIC_VERSION_1 || version === QUIC_VERSION_2;
}

/** True for a reserved "greasing" version of the form 0x?a?a?a?a (RFC 9000 §15). */
export function isReservedVersion(version: number): boolean {
  return (version & 0x0f0f0f0f) === 0x0a0a0a0a;
}

const V1_TYPES: readonly LongPacketType[] = ['initial', 'zeroRtt', 'handshake', 'retry'];
const V2_TYPES: readonly LongPacketType[] = ['retry', 'initial', 'zeroRtt', 'handshake'];

/** Long packet type from the two type bits (`(firstByte >> 4) & 3`) of a v1 or v2 packet. */
export function longPacketTypeFromBits(version: number, bits: number): LongPacketType {
  return (version === QUIC_VERSION_2 ? V2_TYPES : V1_TYPES)[bits & 3];
}

/**
 * The two type bits of a long packet type for v1 or v2 — and for a reserved version, which a client sends only to
 * provoke Version Negotiation and types like v1; QuicError(INTERNAL_ERROR) for any other version.
 */
export function longPacketTypeBits(version: number, type: LongPacketType): number {
  if (isReservedVersion(version)) return V1_TYPES.indexOf(type);
  if (!isKnownVersion(version)) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `no long header encoding for version 0x${version.toString(16)}`);
  }
  return (version === QUIC_VERSION_2 ? V2_TYPES : V1_TYPES).indexOf(type);
}
