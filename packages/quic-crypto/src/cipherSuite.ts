/**
 * QUIC's view of a TLS 1.3 cipher suite (RFC 9001 §5.3, §5.4.3, §5.4.4): the hash of its key schedule, its AEAD,
 * the header-protection algorithm it implies, key lengths and AEAD limits.
 */
import type { AeadAlgorithm, HashAlgorithm, HeaderProtectionAlgorithm } from '@quichs/tls-hs';
import { aeadLimits, type AeadLimits } from './aeadLimits.js';
import { PacketProtectionError } from './errors.js';

/** TLS 1.3 cipher-suite code points usable with QUIC here. */
export const TlsCipherSuite = {
  /** TLS_AES_128_GCM_SHA256. */
  AES_128_GCM_SHA256: 0x1301,
  /** TLS_AES_256_GCM_SHA384. */
  AES_256_GCM_SHA384: 0x1302,
  /** TLS_CHACHA20_POLY1305_SHA256. */
  CHACHA20_POLY1305_SHA256: 0x1303,
} as const;

/** One of the {@link TlsCipherSuite} code points. */
export type TlsCipherSuiteCode = (typeof TlsCipherSuite)[keyof typeof TlsCipherSuite];

/** Everything packet protection needs to know about a TLS 1.3 cipher suite. */
export interface QuicCipherSuite {
  /** TLS code point (0x1301, 0x1302, 0x1303). */
  readonly code: TlsCipherSuiteCode;
  /** IANA name, e.g. "TLS_AES_128_GCM_SHA256". */
  readonly name: string;
  /** Hash of the TLS key schedule; HKDF-Expand-Label for quic key/iv/hp/ku uses it. */
  readonly hash: HashAlgorithm;
  /** Length of a traffic secret (the hash length). */
  readonly secretLength: number;
  /** Packet-protection AEAD. */
  readonly aead: AeadAlgorithm;
  /** AEAD key length in bytes. */
  readonly keyLength: number;
  /** AEAD IV (nonce) length in bytes: 12. */
  readonly ivLength: number;
  /** AEAD tag length in bytes: 16. */
  readonly tagLength: number;
  /** Header-protection algorithm (AES-ECB with the AEAD's key size, or ChaCha20). */
  readonly headerProtection: HeaderProtectionAlgorithm;
  /** Header-protection key length in bytes. */
  readonly hpKeyLength: number;
  /** AEAD limits of RFC 9001 §6.6. */
  readonly limits: AeadLimits;
}

const SUITES: ReadonlyMap<number, QuicCipherSuite> = new Map<number, QuicCipherSuite>([
  [
    0x1301,
    Object.freeze({
      code: 0x1301,
      name: 'TLS_AES_128_GCM_SHA256',
      hash: 'sha256',
      secretLength: 32,
      aead: 'aes-128-gcm',
      keyLength: 16,
      ivLength: 12,
      tagLength: 16,
      headerProtection: 'aes-128-ecb',
      hpKeyLength: 16,
      limits: aeadLimits('aes-128-gcm'),
    }),
  ],
  [
    0x1302,
    Object.freeze({
      code: 0x1302,
      name: 'TLS_AES_256_GCM_SHA384',
      hash: 'sha384',
      secretLength: 48,
      aead: 'aes-256-gcm',
      keyLength: 32,
      ivLength: 12,
      tagLength: 16,
      headerProtection: 'aes-256-ecb',
      hpKeyLength: 32,
      limits: aeadLimits('aes-256-gcm'),
    }),
  ],
  [
    0x1303,
    Object.freeze({
      code: 0x1303,
      name: 'TLS_CHACHA20_POLY1305_SHA256',
      hash: 'sha256',
      secretLength: 32,
      aead: 'chacha20-poly1305',
      keyLength: 32,
      ivLength: 12,
      tagLength: 16,
      headerProtection: 'chacha20',
      hpKeyLength: 32,
      limits: aeadLimits('chacha20-poly1305'),
    }),
  ],
]);

/**
 * The descriptor of a TLS cipher suite by code point; PacketProtectionError('UNSUPPORTED_SUITE') for any suite
 * QUIC cannot use here (e.g. TLS_AES_128_CCM_8_SHA256, forbidden by RFC 9001 §5.3).
 */
export function quicCipherSuite(code: number): QuicCipherSuite {
  const s = SUITES.get(code);
  if (s === undefined) {
    throw new PacketProtectionError('UNSUPPORTED_SUITE', `cipher suite 0x${code.toString(16).padStart(4, '0')} is not supported for QUIC`);
  }
  return s;
}

/** The Initial packets' suite: AEAD_AES_128_GCM with SHA-256 (RFC 9001 §5.2). */
export const INITIAL_CIPHER_SUITE: QuicCipherSuite = quicCipherSuite(0x1301);
