/**
 * Packet-protection keys from a TLS traffic secret (RFC 9001 §5.1): key, IV and header-protection key, each
 * HKDF-Expand-Label(secret, "quic key" | "quic iv" | "quic hp", "", length) — "quicv2 …" for QUIC v2 (RFC 9369 §3.3.2).
 */
import { defaultProvider, hkdfExpandLabel, type CryptoProvider } from '@quichs/tls-hs';
import type { QuicCipherSuite } from './cipherSuite.js';
import { PacketProtectionError } from './errors.js';
import { QuicVersion, quicVersionParams } from './version.js';

/** The keys of one direction of one encryption level. */
export interface PacketKeys {
  /** The traffic secret they come from (kept for key updates). */
  readonly secret: Uint8Array;
  /** AEAD key. */
  readonly key: Uint8Array;
  /** AEAD IV (12 bytes); the nonce is IV XOR packet number. */
  readonly iv: Uint8Array;
  /** Header-protection key. */
  readonly hp: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * Derives key, IV and hp key from a traffic secret for a suite and QUIC version.
 * Throws PacketProtectionError('BAD_ARGUMENT') if the secret length is not the suite's hash length,
 * ('UNSUPPORTED_VERSION') for an unknown version.
 */
export function derivePacketKeys(
  suite: QuicCipherSuite,
  secret: Uint8Array,
  version: number = QuicVersion.V1,
  provider: CryptoProvider = defaultProvider(),
): PacketKeys {
  const p = quicVersionParams(version);
  if (!(secret instanceof Uint8Array) || secret.length !== suite.secretLength) {
    throw new PacketProtectionError('BAD_ARGUMENT', `${suite.name} traffic secret must be ${suite.secretLength} bytes`);
  }
  return {
    secret,
    key: hkdfExpandLabel(provider, suite.hash, secret, p.keyLabel, EMPTY, suite.keyLength),
    iv: hkdfExpandLabel(provider, suite.hash, secret, p.ivLabel, EMPTY, suite.ivLength),
    hp: hkdfExpandLabel(provider, suite.hash, secret, p.hpLabel, EMPTY, suite.hpKeyLength),
  };
}
