/**
 * AEAD usage limits of RFC 9001 §6.6. The confidentiality limit counts packets sealed with one key; the integrity
 * limit counts packets that failed authentication across all keys of a connection.
 */
import type { AeadAlgorithm } from '@quichs/tls-hs';

/** The two limits of one AEAD, in packets. */
export interface AeadLimits {
  /** Packets that may be sealed with one key (RFC 9001 §6.6). `Infinity` when it can be disregarded. */
  readonly confidentialityLimit: number;
  /** Packets that may fail authentication within a connection before AEAD_LIMIT_REACHED. */
  readonly integrityLimit: number;
}

const LIMITS: Readonly<Record<AeadAlgorithm, AeadLimits>> = {
  // AEAD_AES_128_GCM / AEAD_AES_256_GCM: 2^23 sealed packets, 2^52 forgery attempts.
  'aes-128-gcm': Object.freeze({ confidentialityLimit: 2 ** 23, integrityLimit: 2 ** 52 }),
  'aes-256-gcm': Object.freeze({ confidentialityLimit: 2 ** 23, integrityLimit: 2 ** 52 }),
  // AEAD_CHACHA20_POLY1305: the confidentiality limit exceeds 2^62 possible packets and is disregarded; 2^36 forgeries.
  'chacha20-poly1305': Object.freeze({ confidentialityLimit: Infinity, integrityLimit: 2 ** 36 }),
};

/** The RFC 9001 §6.6 limits of an AEAD. */
export function aeadLimits(aead: AeadAlgorithm): AeadLimits {
  return LIMITS[aead];
}

/**
 * How many packets before the confidentiality limit a key update should be started, so that it completes (one
 * round trip) before the limit: the larger of 1/16 of the limit and 1000 packets.
 */
export function keyUpdateMargin(limits: AeadLimits): number {
  if (!Number.isFinite(limits.confidentialityLimit)) return 0;
  return Math.max(1000, Math.floor(limits.confidentialityLimit / 16));
}
