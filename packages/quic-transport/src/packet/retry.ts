/**
 * Retry packets (RFC 9000 §17.2.5, RFC 9001 §5.8, RFC 9369 §3.3). The integrity tag is computed by quic-crypto's
 * retry-tag function, passed in as a {@link RetryTagFunction}; this file only lays out the bytes (including the
 * Retry pseudo-packet the tag is computed over). Parsing is done by `parsePacketHeader` (kind 'retry').
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { MAX_CONNECTION_ID_LENGTH } from '../frame/frameType.js';
import { QuicWriter } from '../frame/quicWriter.js';
import type { RetryHeader } from './packetHeader.js';
import { FIXED_BIT, HEADER_FORM_BIT } from './packetHeader.js';
import { longPacketTypeBits } from './version.js';

/** Length of the Retry Integrity Tag. */
export const RETRY_TAG_LENGTH = 16;

/**
 * Computes the 16-byte Retry Integrity Tag for `version` over the pseudo-packet made of `originalDcid` and the
 * Retry packet without its tag (see {@link retryPseudoPacket}).
 */
export type RetryTagFunction = (version: number, originalDcid: Uint8Array, retryWithoutTag: Uint8Array) => Uint8Array;

/** Fields of a Retry packet. */
export interface RetryFields {
  /** QUIC version (v1 or v2). */
  version: number;
  /** DCID: the client's SCID. */
  dcid: Uint8Array;
  /** SCID: the new connection ID chosen by the server. */
  scid: Uint8Array;
  /** Retry token (non-empty). */
  token: Uint8Array;
  /** DCID of the client's Initial (input to the integrity tag). */
  originalDcid: Uint8Array;
  /** The 4 unused bits of the first byte (should be random; default 0). */
  unusedBits?: number;
}

/** The Retry pseudo-packet (RFC 9001 §5.8): ODCID length, ODCID, then the Retry packet without its tag. */
export function retryPseudoPacket(originalDcid: Uint8Array, retryWithoutTag: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + originalDcid.length + retryWithoutTag.length);
  out[0] = originalDcid.length;
  out.set(originalDcid, 1);
  out.set(retryWithoutTag, 1 + originalDcid.length);
  return out;
}

/** Builds a Retry packet and appends the tag from `computeTag`. Bad fields are QuicError(INTERNAL_ERROR). */
export function buildRetryPacket(f: RetryFields, computeTag: RetryTagFunction): Uint8Array {
  if (f.token.length === 0 || f.dcid.length > MAX_CONNECTION_ID_LENGTH || f.scid.length > MAX_CONNECTION_ID_LENGTH) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'bad Retry fields');
  }
  const w = new QuicWriter(7 + f.dcid.length + f.scid.length + f.token.length + RETRY_TAG_LENGTH);
  w.u8(HEADER_FORM_BIT | FIXED_BIT | (longPacketTypeBits(f.version, 'retry') << 4) | ((f.unusedBits ?? 0) & 0x0f));
  w.u32(f.version).u8(f.dcid.length).bytes(f.dcid).u8(f.scid.length).bytes(f.scid).bytes(f.token);
  const tag = computeTag(f.version, f.originalDcid, w.finish());
  if (tag.length !== RETRY_TAG_LENGTH) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'Retry tag must be 16 bytes');
  w.bytes(tag);
  return w.finish();
}

/**
 * Verifies a parsed Retry packet's tag against `originalDcid` (constant-time comparison). A client discards a
 * Retry whose tag does not verify (RFC 9001 §5.8).
 */
export function verifyRetryPacket(
  datagram: Uint8Array,
  retry: RetryHeader,
  originalDcid: Uint8Array,
  computeTag: RetryTagFunction,
): boolean {
  const expected = computeTag(retry.version, originalDcid, datagram.subarray(retry.start, retry.end - RETRY_TAG_LENGTH));
  if (expected.length !== RETRY_TAG_LENGTH) return false;
  let diff = 0;
  for (let i = 0; i < RETRY_TAG_LENGTH; i++) diff |= expected[i] ^ retry.tag[i];
  return diff === 0;
}
