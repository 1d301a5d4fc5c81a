/**
 * Receive-side packet header parsing (RFC 8999 invariants, RFC 9000 §17, RFC 9369 §3.2). Parsing never throws on
 * peer input: a packet that cannot be parsed is silently dropped, reported as a {@link PacketDrop} with a reason.
 *
 * Only the header-protection-free parts are read: form, fixed bit, long packet type, version, connection IDs,
 * token and Length. The packet number length, key phase and reserved bits are protected; read them with
 * {@link packetNumberLengthOf} / {@link keyPhaseOf} / {@link checkReservedBits} after header protection is removed
 * (quic-crypto's PacketProtector), starting at `pnOffset`.
 *
 * Byte strings in the results are subarray views of the datagram. Varints above 2^53-1 make the packet a drop.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { MAX_CONNECTION_ID_LENGTH } from '../frame/frameType.js';
import { decodeVarintAt, varintLengthFromFirstByte } from '../frame/varint.js';
import { isKnownVersion, longPacketTypeFromBits, VERSION_NEGOTIATION } from './version.js';

/** Bit 0x80 of the first byte: long header. */
export const HEADER_FORM_BIT = 0x80;
/** Bit 0x40 of the first byte: the fixed ("QUIC") bit. */
export const FIXED_BIT = 0x40;
/** Bit 0x20 of a short header: the latency spin bit (not header-protected). */
export const SPIN_BIT = 0x20;
/** Bit 0x04 of a short header: key phase (header-protected). */
export const KEY_PHASE_BIT = 0x04;
/** Header protection samples 16 bytes starting 4 bytes after the packet number offset (RFC 9001 §5.4.2). */
export const MIN_BYTES_AFTER_PN_OFFSET = 4 + 16;

/** Why a packet was dropped. */
export type PacketDropReason =
  | 'truncated' // the datagram ends inside the header
  | 'fixed_bit' // fixed bit 0 and grease_quic_bit not negotiated
  | 'cid_too_long' // a v1/v2 connection ID longer than 20 bytes
  | 'bad_length' // Length field beyond the datagram or unrepresentable
  | 'too_short' // too few bytes for a header protection sample
  | 'malformed' // a Version Negotiation or Retry packet with an impossible layout
  | 'dcid_mismatch'; // a coalesced packet whose DCID differs from the first one

/** A dropped packet. */
export interface PacketDrop {
  /** Discriminant. */
  kind: 'drop';
  /** Why. */
  reason: PacketDropReason;
  /** Offset of the packet in the datagram. */
  start: number;
}

/** Initial, 0-RTT or Handshake packet header (v1 or v2). */
export interface LongHeader {
  /** Discriminant. */
  kind: 'long';
  /** QUIC version (v1 or v2). */
  version: number;
  /** Packet type, decoded with the version's type bits. */
  type: 'initial' | 'zeroRtt' | 'handshake';
  /** First byte as received (its low 4 bits are still header-protected). */
  firstByte: number;
  /** Destination connection ID. */
  dcid: Uint8Array;
  /** Source connection ID. */
  scid: Uint8Array;
  /** Initial token (empty for other types). */
  token: Uint8Array;
  /** Length field: bytes of packet number + protected payload. */
  length: number;
  /** Absolute offset of the packet number in the datagram. */
  pnOffset: number;
  /** Absolute offset of the packet's first byte. */
  start: number;
  /** Absolute offset just past the packet (= pnOffset + length). */
  end: number;
}

/** 1-RTT packet header. */
export interface ShortHeader {
  /** Discriminant. */
  kind: 'short';
  /** First byte as received (its low 5 bits are still header-protected). */
  firstByte: number;
  /** Latency spin bit. */
  spin: boolean;
  /** Destination connection ID (of the length we issue). */
  dcid: Uint8Array;
  /** Absolute offset of the packet number. */
  pnOffset: number;
  /** Absolute offset of the first byte. */
  start: number;
  /** End of the packet: a short header packet runs to the end of the datagram. */
  end: number;
}

/** Retry packet (v1 or v2). */
export interface RetryHeader {
  /** Discriminant. */
  kind: 'retry';
  /** QUIC version. */
  version: number;
  /** First byte (the low 4 bits are unused). */
  firstByte: number;
  /** Destination connection ID (the client's SCID). */
  dcid: Uint8Array;
  /** Source connection ID chosen by the server. */
  scid: Uint8Array;
  /** Retry token (non-empty). */
  token: Uint8Array;
  /** The 16-byte Retry Integrity Tag. */
  tag: Uint8Array;
  /** Absolute offset of the first byte. */
  start: number;
  /** Retry packets take the rest of the datagram. */
  end: number;
}

/** Version Negotiation packet (RFC 8999 §6). */
export interface VersionNegotiationHeader {
  /** Discriminant. */
  kind: 'versionNegotiation';
  /** Destination connection ID (echoes the client's SCID). */
  dcid: Uint8Array;
  /** Source connection ID (echoes the client's DCID). */
  scid: Uint8Array;
  /** Supported versions listed by the server. */
  versions: number[];
  /** Absolute offset of the first byte. */
  start: number;
  /** End of the datagram. */
  end: number;
}

/** A long header packet of a version we do not know: enough (RFC 8999) to answer with Version Negotiation. */
export interface UnknownVersionHeader {
  /** Discriminant. */
  kind: 'unknownVersion';
  /** The version. */
  version: number;
  /** Destination connection ID (0..255 bytes). */
  dcid: Uint8Array;
  /** Source connection ID (0..255 bytes). */
  scid: Uint8Array;
  /** Absolute offset of the first byte. */
  start: number;
  /** End of the datagram (the packet's length is unknown). */
  end: number;
}

/** Any parsed header. */
export type PacketHeader = LongHeader | ShortHeader | RetryHeader | VersionNegotiationHeader | UnknownVersionHeader;

/** Options of {@link parsePacketHeader}. */
export interface ParseHeaderOptions {
  /** Length of the connection IDs we issue (needed to find the end of a short header's DCID). */
  shortDcidLength: number;
  /** True once the peer's grease_quic_bit was received: a 0 fixed bit is then accepted (RFC 9287). */
  greaseQuicBit?: boolean;
}

function drop(reason: PacketDropReason, start: number): PacketDrop {
  return { kind: 'drop', reason, start };
}

/** Big-endian 32-bit read; the caller has checked the bounds. */
function readU32(buf: Uint8Array, p: number): number {
  return buf[p] * 0x1000000 + ((buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]);
}

/**
 * Parses the header of the packet starting at `offset` of `datagram`. Never throws for any input; returns a
 * {@link PacketDrop} instead.
 */
export function parsePacketHeader(
  datagram: Uint8Array,
  offset: number,
  options: ParseHeaderOptions,
): PacketHeader | PacketDrop {
  const end = datagram.length;
  if (offset >= end) return drop('truncated', offset);
  const first = datagram[offset];
  if ((first & HEADER_FORM_BIT) === 0) {
    if ((first & FIXED_BIT) === 0 && !options.greaseQuicBit) return drop('fixed_bit', offset);
    const pnOffset = offset + 1 + options.shortDcidLength;
    if (pnOffset > end) return drop('truncated', offset);
    if (pnOffset + MIN_BYTES_AFTER_PN_OFFSET > end) return drop('too_short', offset);
    return {
      kind: 'short',
      firstByte: first,
      spin: (first & SPIN_BIT) !== 0,
      dcid: datagram.subarray(offset + 1, pnOffset),
      pnOffset,
      start: offset,
      end,
    };
  }

  // Long header: version and the two connection IDs are version-independent (RFC 8999 §5.1).
  let p = offset + 1;
  if (p + 5 > end) return drop('truncated', offset);
  const version = readU32(datagram, p);
  p += 4;
  const dcidLen = datagram[p++];
  if (p + dcidLen + 1 > end) return drop('truncated', offset);
  const dcid = datagram.subarray(p, p + dcidLen);
  p += dcidLen;
  const scidLen = datagram[p++];
  if (p + scidLen > end) return drop('truncated', offset);
  const scid = datagram.subarray(p, p + scidLen);
  p += scidLen;

  if (version === VERSION_NEGOTIATION) {
    const rest = end - p;
    if (rest === 0 || rest % 4 !== 0) return drop('malformed', offset);
    const versions: number[] = [];
    for (; p < end; p += 4) versions.push(readU32(datagram, p));
    return { kind: 'versionNegotiation', dcid, scid, versions, start: offset, end };
  }
  if (!isKnownVersion(version)) return { kind: 'unknownVersion', version, dcid, scid, start: offset, end };

  if (dcidLen > MAX_CONNECTION_ID_LENGTH || scidLen > MAX_CONNECTION_ID_LENGTH) return drop('cid_too_long', offset);
  if ((first & FIXED_BIT) === 0 && !options.greaseQuicBit) return drop('fixed_bit', offset);
  const type = longPacketTypeFromBits(version, (first >> 4) & 3);

  if (type === 'retry') {
    const tagStart = end - 16;
    if (tagStart <= p) return drop('malformed', offset); // needs a non-empty token and the tag
    return {
      kind: 'retry',
      version,
      firstByte: first,
      dcid,
      scid,
      token: datagram.subarray(p, tagStart),
      tag: datagram.subarray(tagStart, end),
      start: offset,
      end,
    };
  }

  let token = datagram.subarray(p, p);
  if (type === 'initial') {
    const tokenLen = decodeVarintAt(datagram, p, end);
    if (tokenLen < 0) return drop(tokenLen === -1 ? 'truncated' : 'bad_length', offset);
    p += varintLengthFromFirstByte(datagram[p]);
    if (p + tokenLen > end) return drop('truncated', offset);
    token = datagram.subarray(p, p + tokenLen);
    p += tokenLen;
  }
  const length = decodeVarintAt(datagram, p, end);
  if (length < 0) return drop(length === -1 ? 'truncated' : 'bad_length', offset);
  p += varintLengthFromFirstByte(datagram[p]);
  if (p + length > end) return drop('bad_length', offset);
  if (length < MIN_BYTES_AFTER_PN_OFFSET) return drop('too_short', offset);
  return { kind: 'long', version, type, firstByte: first, dcid, scid, token, length, pnOffset: p, start: offset, end: p + length };
}

/** Packet number length (1..4) from an unprotected first byte (long or short header). */
export function packetNumberLengthOf(unprotectedFirstByte: number): number {
  return (unprotectedFirstByte & 0x03) + 1;
}

/** Key phase bit of an unprotected short header first byte. */
export function keyPhaseOf(unprotectedFirstByte: number): 0 | 1 {
  return unprotectedFirstByte & KEY_PHASE_BIT ? 1 : 0;
}

/**
 * Checks the reserved bits of an unprotected first byte (long: 0x0c, short: 0x18). RFC 9000 §17.2/§17.3.1:
 * non-zero after removing protection is PROTOCOL_VIOLATION — throws QuicError.
 */
export function checkReservedBits(unprotectedFirstByte: number): void {
  const mask = unprotectedFirstByte & HEADER_FORM_BIT ? 0x0c : 0x18;
  if ((unprotectedFirstByte & mask) !== 0) {
    throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'reserved header bits are not zero');
  }
}

/** Reads the (truncated) packet number of `pnLength` bytes at `pnOffset` of an unprotected packet. */
export function readTruncatedPacketNumber(packet: Uint8Array, pnOffset: number, pnLength: number): number {
  let pn = 0;
  for (let i = 0; i < pnLength; i++) pn = pn * 256 + packet[pnOffset + i];
  return pn;
}
