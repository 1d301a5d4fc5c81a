/**
 * Retry Integrity Tag (RFC 9001 §5.8, RFC 9369 §3.3.3): AEAD_AES_128_GCM with the version's fixed key and nonce,
 * empty plaintext, and as AAD the Retry pseudo-packet (ODCID length, ODCID, Retry packet without its tag).
 */
import { defaultProvider, type Aead, type CryptoProvider } from '@quichs/tls-hs';
import { PacketProtectionError } from './errors.js';
import { quicVersionParams } from './version.js';

/** Length of the Retry Integrity Tag. */
export const RETRY_INTEGRITY_TAG_LENGTH = 16;

const EMPTY = new Uint8Array(0);
const MAX_CID_LENGTH = 20;
const contexts = new WeakMap<CryptoProvider, Map<number, Aead>>();

function retryAead(provider: CryptoProvider, version: number): Aead {
  const p = quicVersionParams(version);
  let byVersion = contexts.get(provider);
  if (byVersion === undefined) {
    byVersion = new Map();
    contexts.set(provider, byVersion);
  }
  let aead = byVersion.get(version);
  if (aead === undefined) {
    aead = provider.createAead('aes-128-gcm', p.retryKey);
    byVersion.set(version, aead);
  }
  return aead;
}

/** The Retry pseudo-packet of RFC 9001 §5.8. */
export function retryPseudoPacket(originalDcid: Uint8Array, retryPacketWithoutTag: Uint8Array): Uint8Array {
  if (!(originalDcid instanceof Uint8Array) || originalDcid.length > MAX_CID_LENGTH) {
    throw new PacketProtectionError('BAD_ARGUMENT', `original DCID must be at most ${MAX_CID_LENGTH} bytes`);
  }
  if (!(retryPacketWithoutTag instanceof Uint8Array)) {
    throw new PacketProtectionError('BAD_ARGUMENT', 'Retry packet must be a Uint8Array');
  }
  const out = new Uint8Array(1 + originalDcid.length + retryPacketWithoutTag.length);
  out[0] = originalDcid.length;
  out.set(originalDcid, 1);
  out.set(retryPacketWithoutTag, 1 + originalDcid.length);
  return out;
}

/**
 * The 16-byte Retry Integrity Tag of a Retry packet (given without its tag) for the client's original DCID.
 * PacketProtectionError('UNSUPPORTED_VERSION') for versions other than v1/v2.
 */
export function retryIntegrityTag(
  version: number,
  originalDcid: Uint8Array,
  retryPacketWithoutTag: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): Uint8Array {
  const aead = retryAead(provider, version);
  const aad = retryPseudoPacket(originalDcid, retryPacketWithoutTag);
  return Uint8Array.from(aead.seal(quicVersionParams(version).retryNonce, aad, EMPTY));
}

/**
 * Verifies the tag of a complete Retry packet (tag included) in constant time. Returns false for a wrong tag or
 * a packet shorter than the tag; throws PacketProtectionError('UNSUPPORTED_VERSION') for an unknown version.
 */
export function verifyRetryIntegrity(
  version: number,
  originalDcid: Uint8Array,
  retryPacket: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): boolean {
  if (!(retryPacket instanceof Uint8Array)) throw new PacketProtectionError('BAD_ARGUMENT', 'Retry packet must be a Uint8Array');
  const n = retryPacket.length - RETRY_INTEGRITY_TAG_LENGTH;
  if (n < 0) {
    quicVersionParams(version);
    return false;
  }
  const expected = retryIntegrityTag(version, originalDcid, retryPacket.subarray(0, n), provider);
  return provider.timingSafeEqual(expected, retryPacket.subarray(n));
}
