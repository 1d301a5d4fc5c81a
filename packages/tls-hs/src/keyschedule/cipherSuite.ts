/**
 * The TLS 1.3 cipher suites (RFC 8446 §B.4) as key-schedule parameters: which hash drives HKDF and the transcript,
 * which AEAD protects records, and the traffic key length.
 */
import type { AeadAlgorithm, HashAlgorithm } from '../crypto/provider.js';

/** Key-schedule parameters of one TLS 1.3 cipher suite. */
export interface CipherSuiteParams {
  /** The CipherSuite codepoint (0x1301..0x1303). */
  readonly code: number;
  /** IANA name, e.g. "TLS_AES_128_GCM_SHA256". */
  readonly name: string;
  /** Hash of HKDF and the transcript. */
  readonly hash: HashAlgorithm;
  /** Output length of {@link CipherSuiteParams.hash} in bytes. */
  readonly hashLength: number;
  /** Record-protection AEAD. */
  readonly aead: AeadAlgorithm;
  /** Traffic key length in bytes ("key" label). */
  readonly keyLength: number;
  /** Traffic IV length in bytes ("iv" label); 12 for every TLS 1.3 AEAD. */
  readonly ivLength: number;
}

/** TLS_AES_128_GCM_SHA256 (0x1301). */
export const TLS_AES_128_GCM_SHA256: CipherSuiteParams = Object.freeze({
  code: 0x1301,
  name: 'TLS_AES_128_GCM_SHA256',
  hash: 'sha256',
  hashLength: 32,
  aead: 'aes-128-gcm',
  keyLength: 16,
  ivLength: 12,
});

/** TLS_AES_256_GCM_SHA384 (0x1302). */
export const TLS_AES_256_GCM_SHA384: CipherSuiteParams = Object.freeze({
  code: 0x1302,
  name: 'TLS_AES_256_GCM_SHA384',
  hash: 'sha384',
  hashLength: 48,
  aead: 'aes-256-gcm',
  keyLength: 32,
  ivLength: 12,
});

/** TLS_CHACHA20_POLY1305_SHA256 (0x1303). */
export const TLS_CHACHA20_POLY1305_SHA256: CipherSuiteParams = Object.freeze({
  code: 0x1303,
  name: 'TLS_CHACHA20_POLY1305_SHA256',
  hash: 'sha256',
  hashLength: 32,
  aead: 'chacha20-poly1305',
  keyLength: 32,
  ivLength: 12,
});

/** All supported suites, in the default preference order. */
export const CIPHER_SUITES: readonly CipherSuiteParams[] = Object.freeze([
  TLS_AES_128_GCM_SHA256,
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256,
]);

/** The suite with this codepoint, or undefined when it is not a TLS 1.3 suite we implement. */
export function cipherSuiteByCode(code: number): CipherSuiteParams | undefined {
  for (const s of CIPHER_SUITES) if (s.code === code) return s;
  return undefined;
}

/** The suite with this IANA name (case-insensitive), or undefined. */
export function cipherSuiteByName(name: string): CipherSuiteParams | undefined {
  const n = name.toUpperCase();
  for (const s of CIPHER_SUITES) if (s.name === n) return s;
  return undefined;
}
