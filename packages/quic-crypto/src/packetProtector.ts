/**
 * Packet protection for one direction of one encryption level (RFC 9001 §5.3, §5.4): AEAD seal/open of the
 * payload with the header as AAD, then header protection. The AEAD and header-protection contexts are created once
 * in the constructor and reused for every packet.
 */
import { defaultProvider, type CryptoProvider, type HeaderProtection } from '@quichs/tls-hs';
import type { QuicCipherSuite } from './cipherSuite.js';
import { PacketProtectionError } from './errors.js';
import { applyHeaderProtection, isLongHeader, SAMPLE_LENGTH, SAMPLE_OFFSET, unmaskHeader } from './headerProtection.js';
import { PacketAead, type AuthFailureCounter } from './packetAead.js';
import { derivePacketKeys, type PacketKeys } from './packetKeys.js';
import { decodePacketNumber, readTruncatedPacketNumber } from './packet/packetNumber.js';
import { QuicVersion } from './version.js';

/** The key phase bit of a short header (RFC 9001 §6). */
export type KeyPhase = 0 | 1;

/** A packet with protection removed. */
export interface UnprotectedPacket {
  /** The plain header, first byte through the Packet Number field (a fresh copy). */
  readonly header: Uint8Array;
  /** The decrypted payload (frames). */
  readonly payload: Uint8Array;
  /** The full, decoded packet number. */
  readonly packetNumber: number;
  /** Length of the Packet Number field (1..4). */
  readonly pnLength: number;
  /** The Key Phase bit of a short header; `undefined` for long headers. */
  readonly keyPhase: KeyPhase | undefined;
}

/** Reserved bits of the first byte after header protection is removed (RFC 9000 §17.2, §17.3.1). */
function reservedBits(firstByte: number): number {
  return firstByte & (isLongHeader(firstByte) ? 0x0c : 0x18);
}

/**
 * Decrypts the payload of a packet whose header (first byte through the Packet Number field) has been unmasked,
 * then checks that the reserved bits are zero (RFC 9000 §17.2: only after both protections are removed).
 * Throws PacketProtectionError 'AUTH_FAILED' or 'RESERVED_BITS'. Shared by {@link PacketProtector} and the key-phase
 * manager, which build their own result objects around it.
 */
export function openPayload(aead: PacketAead, packet: Uint8Array, header: Uint8Array, packetNumber: number): Uint8Array {
  const payload = aead.open(packetNumber, header, packet.subarray(header.length));
  if (reservedBits(header[0]) !== 0) {
    throw new PacketProtectionError('RESERVED_BITS', 'reserved header bits are not zero after removing protection');
  }
  return payload;
}

/**
 * Decrypts a packet whose header has been unmasked (see {@link openPayload}) and builds the result.
 */
export function openUnmaskedPacket(
  aead: PacketAead,
  packet: Uint8Array,
  header: Uint8Array,
  pnOffset: number,
  packetNumber: number,
): UnprotectedPacket {
  const payload = openPayload(aead, packet, header, packetNumber);
  const first = header[0];
  return {
    header,
    payload,
    packetNumber,
    pnLength: header.length - pnOffset,
    keyPhase: isLongHeader(first) ? undefined : (((first >> 2) & 1) as KeyPhase),
  };
}

/** Removes header protection from a copy of the header and decodes the packet number against `largestPn`. */
export function readProtectedHeader(
  hp: HeaderProtection,
  packet: Uint8Array,
  pnOffset: number,
  largestPn: number | undefined,
): { readonly header: Uint8Array; readonly packetNumber: number } {
  const header = unmaskHeader(hp, packet, pnOffset);
  const pnLength = header.length - pnOffset;
  const truncated = readTruncatedPacketNumber(header, pnOffset, pnLength);
  return { header, packetNumber: decodePacketNumber(largestPn, truncated, pnLength * 8) };
}

/** Checks the arguments of a seal and returns the packet number length. */
function checkSealArgs(aead: PacketAead, header: Uint8Array, payload: Uint8Array, pnOffset: number, packetNumber: number): number {
  if (!(header instanceof Uint8Array) || !(payload instanceof Uint8Array)) {
    throw new PacketProtectionError('BAD_ARGUMENT', 'header and payload must be Uint8Arrays');
  }
  if (!Number.isSafeInteger(packetNumber) || packetNumber < 0) {
    throw new PacketProtectionError('BAD_ARGUMENT', `packet number must be a non-negative safe integer, got ${packetNumber}`);
  }
  if (!Number.isInteger(pnOffset) || pnOffset < 1) {
    throw new PacketProtectionError('BAD_ARGUMENT', `packet number offset must be a positive integer, got ${pnOffset}`);
  }
  const pnLength = (header[0] & 0x03) + 1;
  if (header.length !== pnOffset + pnLength) {
    throw new PacketProtectionError('BAD_ARGUMENT', `header must end with its ${pnLength}-byte packet number at ${pnOffset}`);
  }
  const truncated = readTruncatedPacketNumber(header, pnOffset, pnLength);
  if (truncated !== packetNumber % 2 ** (8 * pnLength)) {
    throw new PacketProtectionError('BAD_ARGUMENT', `header packet number field does not encode packet ${packetNumber}`);
  }
  const tag = aead.suite.tagLength;
  if (pnLength + payload.length + tag < SAMPLE_OFFSET + SAMPLE_LENGTH) {
    throw new PacketProtectionError(
      'TOO_SHORT',
      `payload must be at least ${SAMPLE_OFFSET + SAMPLE_LENGTH - tag - pnLength} bytes for a header-protection sample`,
    );
  }
  return pnLength;
}

/**
 * Seals a packet into `out` at `offset`: `header` (first byte through the Packet Number field, unprotected),
 * then the AEAD of `payload`, then header protection. Returns the packet length (header + payload + tag).
 * Lets the transport coalesce packets into one datagram buffer without extra copies. `payload` may already sit in
 * `out` right after where the header goes (`out.subarray(offset + header.length, …)`): it is sealed in place.
 * Shared by {@link PacketProtector} and the key-phase manager.
 */
export function sealPacketInto(
  aead: PacketAead,
  hp: HeaderProtection,
  header: Uint8Array,
  payload: Uint8Array,
  pnOffset: number,
  packetNumber: number,
  out: Uint8Array,
  offset: number,
): number {
  checkSealArgs(aead, header, payload, pnOffset, packetNumber);
  const length = header.length + payload.length + aead.suite.tagLength;
  if (!(out instanceof Uint8Array) || !Number.isInteger(offset) || offset < 0 || offset + length > out.length) {
    throw new PacketProtectionError('BAD_ARGUMENT', `output buffer has no room for a ${length}-byte packet at ${offset}`);
  }
  aead.sealInto(packetNumber, header, payload, out, offset + header.length);
  out.set(header, offset);
  applyHeaderProtection(hp, out, pnOffset, offset);
  return length;
}

/**
 * Seals a packet into a new array (see {@link sealPacketInto}). Shared by {@link PacketProtector} and the
 * key-phase manager.
 */
export function sealPacket(
  aead: PacketAead,
  hp: HeaderProtection,
  header: Uint8Array,
  payload: Uint8Array,
  pnOffset: number,
  packetNumber: number,
): Uint8Array {
  checkSealArgs(aead, header, payload, pnOffset, packetNumber);
  const out = new Uint8Array(header.length + payload.length + aead.suite.tagLength);
  aead.sealInto(packetNumber, header, payload, out, header.length);
  out.set(header, 0);
  applyHeaderProtection(hp, out, pnOffset);
  return out;
}

/** Options for building a {@link PacketProtector}. */
export interface PacketProtectorOptions {
  /** Crypto provider; default `defaultProvider()`. */
  readonly provider?: CryptoProvider;
  /** Connection-wide counter of failed opens (RFC 9001 §6.6 integrity limit across all keys). */
  readonly authFailures?: AuthFailureCounter;
}

/** Protects or unprotects packets with one set of keys (one direction of one encryption level). */
export class PacketProtector {
  /** The cipher suite. */
  readonly suite: QuicCipherSuite;
  /** The keys this protector was built from. */
  readonly keys: PacketKeys;
  /** The header-protection context (shared with later key phases). */
  readonly hp: HeaderProtection;
  /** The AEAD context with its usage counters. */
  readonly aead: PacketAead;

  /** Builds the AEAD and header-protection contexts once for `keys`. */
  constructor(suite: QuicCipherSuite, keys: PacketKeys, options: PacketProtectorOptions = {}) {
    const provider = options.provider ?? defaultProvider();
    if (!(keys.hp instanceof Uint8Array) || keys.hp.length !== suite.hpKeyLength) {
      throw new PacketProtectionError('BAD_ARGUMENT', `${suite.headerProtection} key must be ${suite.hpKeyLength} bytes`);
    }
    this.suite = suite;
    this.keys = keys;
    this.aead = new PacketAead(suite, keys.key, keys.iv, provider, options.authFailures);
    this.hp = provider.createHeaderProtection(suite.headerProtection, keys.hp);
  }

  /** Derives keys from a TLS traffic secret (with the version's labels) and builds a protector. */
  static fromSecret(
    suite: QuicCipherSuite,
    secret: Uint8Array,
    version: number = QuicVersion.V1,
    options: PacketProtectorOptions = {},
  ): PacketProtector {
    return new PacketProtector(suite, derivePacketKeys(suite, secret, version, options.provider ?? defaultProvider()), options);
  }

  /** Packets sealed with these keys. */
  get sealedCount(): number {
    return this.aead.sealedCount;
  }

  /** Packets that failed authentication with these keys. */
  get failedOpenCount(): number {
    return this.aead.failedOpenCount;
  }

  /**
   * Returns the protected packet: `header` (unprotected, ending with the truncated packet number at `pnOffset`;
   * its Packet Number Length bits say how long) + sealed `payload`, with header protection applied.
   * Throws PacketProtectionError: 'BAD_ARGUMENT' (header does not end at the packet number or does not encode
   * `packetNumber`), 'TOO_SHORT' (payload too short for a sample — pad it), 'CONFIDENTIALITY_LIMIT'.
   */
  protect(header: Uint8Array, payload: Uint8Array, pnOffset: number, packetNumber: number): Uint8Array {
    return sealPacket(this.aead, this.hp, header, payload, pnOffset, packetNumber);
  }

  /**
   * Like {@link PacketProtector.protect} but writes the packet into `out` at `offset` (e.g. a datagram buffer
   * holding coalesced packets) and returns its length. 'BAD_ARGUMENT' if it does not fit.
   */
  protectInto(header: Uint8Array, payload: Uint8Array, pnOffset: number, packetNumber: number, out: Uint8Array, offset = 0): number {
    return sealPacketInto(this.aead, this.hp, header, payload, pnOffset, packetNumber, out, offset);
  }

  /**
   * Removes protection from one packet (exactly one: split coalesced packets first using the Length field).
   * `pnOffset` is where the Packet Number field starts; `largestReceivedPn` is the largest packet number
   * successfully processed in this space (−1 or undefined if none). The input is not modified.
   * Throws PacketProtectionError: 'TOO_SHORT', 'AUTH_FAILED' (drop the packet), 'RESERVED_BITS'.
   */
  unprotect(packet: Uint8Array, pnOffset: number, largestReceivedPn?: number): UnprotectedPacket {
    if (!(packet instanceof Uint8Array)) throw new PacketProtectionError('BAD_ARGUMENT', 'packet must be a Uint8Array');
    const { header, packetNumber } = readProtectedHeader(this.hp, packet, pnOffset, largestReceivedPn);
    return openUnmaskedPacket(this.aead, packet, header, pnOffset, packetNumber);
  }
}
