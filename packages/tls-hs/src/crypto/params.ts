/**
 * Algorithm parameters shared by both crypto providers (lengths, argument checks). Pure, no `node:` import.
 */
import { CryptoError } from './errors.js';
import type { AeadAlgorithm, HashAlgorithm, HeaderProtectionAlgorithm, KeyType, SignatureParams } from './provider.js';

/** Output length in bytes of each hash algorithm. */
export const HASH_LENGTHS: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** Key length in bytes of each AEAD algorithm. */
export const AEAD_KEY_LENGTHS: Readonly<Record<AeadAlgorithm, number>> = {
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};

/** Key length in bytes of each header-protection algorithm. */
export const HP_KEY_LENGTHS: Readonly<Record<HeaderProtectionAlgorithm, number>> = {
  'aes-128-ecb': 16,
  'aes-256-ecb': 32,
  chacha20: 32,
};

/** AEAD nonce length (all TLS 1.3 AEADs). */
export const AEAD_NONCE_LENGTH = 12;
/** AEAD tag length (all TLS 1.3 AEADs). */
export const AEAD_TAG_LENGTH = 16;
/** QUIC header-protection sample length (RFC 9001 §5.4.2). */
export const HP_SAMPLE_LENGTH = 16;

/** Returns the hash length, or throws CryptoError('UNSUPPORTED') for an unknown hash name. */
export function hashLengthOf(hash: HashAlgorithm): number {
  const n = HASH_LENGTHS[hash];
  if (n === undefined) throw new CryptoError('UNSUPPORTED', `unknown hash algorithm ${String(hash)}`);
  return n;
}

/** Throws CryptoError('BAD_INPUT') unless `v` is a Uint8Array. */
export function assertBytes(v: unknown, what: string): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new CryptoError('BAD_INPUT', `${what} must be a Uint8Array`);
}

/** Checks an AEAD key and returns its expected length; throws UNSUPPORTED / BAD_KEY. */
export function checkAeadKey(algorithm: AeadAlgorithm, key: Uint8Array): number {
  const n = AEAD_KEY_LENGTHS[algorithm];
  if (n === undefined) throw new CryptoError('UNSUPPORTED', `unknown AEAD ${String(algorithm)}`);
  if (!(key instanceof Uint8Array) || key.length !== n) {
    throw new CryptoError('BAD_KEY', `${algorithm} key must be ${n} bytes`);
  }
  return n;
}

/** Checks a header-protection key; throws UNSUPPORTED / BAD_KEY. */
export function checkHpKey(algorithm: HeaderProtectionAlgorithm, key: Uint8Array): void {
  const n = HP_KEY_LENGTHS[algorithm];
  if (n === undefined) throw new CryptoError('UNSUPPORTED', `unknown header protection ${String(algorithm)}`);
  if (!(key instanceof Uint8Array) || key.length !== n) {
    throw new CryptoError('BAD_KEY', `${algorithm} key must be ${n} bytes`);
  }
}

/** Checks the per-call AEAD arguments (nonce length, byte arrays). */
export function checkAeadArgs(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): void {
  if (!(nonce instanceof Uint8Array) || nonce.length !== AEAD_NONCE_LENGTH) {
    throw new CryptoError('BAD_NONCE', `nonce must be ${AEAD_NONCE_LENGTH} bytes`);
  }
  if (!(aad instanceof Uint8Array)) throw new CryptoError('BAD_INPUT', 'aad must be a Uint8Array');
  if (!(data instanceof Uint8Array)) throw new CryptoError('BAD_INPUT', 'data must be a Uint8Array');
}

/** Checks that `length` bytes fit in `out` at `offset` (an AEAD's sealInto); throws CryptoError('BAD_INPUT'). */
export function checkOutput(out: Uint8Array, offset: number, length: number): void {
  if (!(out instanceof Uint8Array) || !Number.isInteger(offset) || offset < 0 || offset + length > out.length) {
    throw new CryptoError('BAD_INPUT', `output buffer has no room for ${length} bytes at ${offset}`);
  }
}

/** Checks a header-protection sample (at least 16 bytes; only the first 16 are used). */
export function checkSample(sample: Uint8Array): void {
  if (!(sample instanceof Uint8Array) || sample.length < HP_SAMPLE_LENGTH) {
    throw new CryptoError('BAD_INPUT', `header protection sample must be ${HP_SAMPLE_LENGTH} bytes`);
  }
}

/** Checks an HKDF-Expand output length (0 < length ≤ 255·HashLen). */
export function checkExpandLength(hash: HashAlgorithm, length: number): void {
  const max = 255 * hashLengthOf(hash);
  if (!Number.isSafeInteger(length) || length < 0 || length > max) {
    throw new CryptoError('BAD_INPUT', `HKDF-Expand length must be 0..${max}`);
  }
}

/** Checks a random-bytes length. */
export function checkRandomLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > 65536) {
    throw new CryptoError('BAD_INPUT', 'randomBytes length must be an integer in 0..65536');
  }
}

/** Constant-time comparison shared by both providers (false for different lengths). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Checks that a key type can be used with signature params (ECDSA ↔ EC keys, Ed25519 ↔ Ed25519, RSA-PSS ↔ RSA or
 * RSASSA-PSS keys, PKCS#1 v1.5 ↔ rsaEncryption keys only) and that an RSASSA-PSS key's hash restriction, if any,
 * is honoured. Throws CryptoError('BAD_KEY') on a mismatch and 'UNSUPPORTED' for unknown params.
 */
export function checkSignatureFit(type: KeyType, params: SignatureParams, pssHash?: HashAlgorithm): void {
  if (!params || typeof params !== 'object') throw new CryptoError('BAD_INPUT', 'signature params missing');
  if (params.kind !== 'ed25519') hashLengthOf(params.hash);
  let ok: boolean;
  switch (params.kind) {
    case 'ecdsa':
      ok = type === 'ec-p256' || type === 'ec-p384';
      break;
    case 'ed25519':
      ok = type === 'ed25519';
      break;
    case 'rsa-pss':
      ok = type === 'rsa' || type === 'rsa-pss';
      if (ok && pssHash !== undefined && pssHash !== params.hash) {
        throw new CryptoError('BAD_KEY', `RSASSA-PSS key is restricted to ${pssHash}`);
      }
      break;
    case 'rsa-pkcs1':
      ok = type === 'rsa';
      break;
    default:
      throw new CryptoError('UNSUPPORTED', `unknown signature kind ${String((params as { kind: unknown }).kind)}`);
  }
  if (!ok) throw new CryptoError('BAD_KEY', `a ${type} key cannot be used for ${params.kind} signatures`);
}
