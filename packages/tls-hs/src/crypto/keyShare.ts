/**
 * TLS 1.3 key shares (RFC 8446 §4.2.8) built on a provider's ECDH primitives, and the X25519MLKEM768 hybrid
 * (draft-ietf-tls-ecdhe-mlkem §3.1: client share = ML-KEM-768 encapsulation key ‖ X25519 public key, server share =
 * ML-KEM ciphertext ‖ X25519 public key, shared secret = ML-KEM shared secret ‖ X25519 shared secret).
 * ML-KEM-768 is @noble/post-quantum in both providers. No `node:` import.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { CryptoError } from './errors.js';
import type { KeyExchangeGroup, KeyShare, KeyShareResponse } from './provider.js';

/** The classic (EC)DH groups. */
export type EcdhGroupName = 'x25519' | 'secp256r1' | 'secp384r1';

/** An ephemeral ECDH key pair of one group. */
export interface EcdhKeyPair {
  /** Our public value in TLS encoding (32-byte u-coordinate, or uncompressed 0x04‖X‖Y). */
  readonly publicKey: Uint8Array;
  /** Computes the shared secret from a peer public value; throws CryptoError('BAD_POINT') if it is invalid. */
  derive(peer: Uint8Array): Uint8Array;
}

/** A provider's ECDH implementation: a fresh key pair of a group, or one from a caller-chosen private key. */
export type EcdhImplementation = (group: EcdhGroupName, privateKey?: Uint8Array) => EcdhKeyPair;

/** Size of a private key per classic group (X25519 scalar; big-endian NIST scalars). */
export const ECDH_PRIVATE_LENGTHS: Readonly<Record<EcdhGroupName, number>> = { x25519: 32, secp256r1: 32, secp384r1: 48 };

/** Size of a public value per classic group (x25519 u-coordinate; uncompressed NIST points). */
export const ECDH_PUBLIC_LENGTHS: Readonly<Record<EcdhGroupName, number>> = { x25519: 32, secp256r1: 65, secp384r1: 97 };

/** X25519MLKEM768 sizes (draft-ietf-tls-ecdhe-mlkem §3.1). */
export const X25519MLKEM768_SIZES = {
  encapsulationKey: 1184,
  ciphertext: 1088,
  x25519: 32,
  clientShare: 1216,
  serverShare: 1120,
  sharedSecret: 64,
} as const;

/**
 * Checks a peer's classic public value before it reaches the primitive: length, and for NIST curves the
 * uncompressed-point form that TLS 1.3 requires (RFC 8446 §4.2.8.2). On-curve validation is the primitive's job.
 */
export function checkEcdhPublic(group: EcdhGroupName, peer: Uint8Array): void {
  if (!(peer instanceof Uint8Array)) throw new CryptoError('BAD_POINT', 'key share must be a Uint8Array');
  const n = ECDH_PUBLIC_LENGTHS[group];
  if (peer.length !== n) throw new CryptoError('BAD_POINT', `${group} key share must be ${n} bytes, got ${peer.length}`);
  if (group !== 'x25519' && peer[0] !== 0x04) throw new CryptoError('BAD_POINT', `${group} key share must be an uncompressed point`);
}

/** Checks a caller-chosen private key's type and length (range is the primitive's check); CryptoError('BAD_KEY'). */
export function checkEcdhPrivate(group: EcdhGroupName, privateKey: Uint8Array): void {
  const n = ECDH_PRIVATE_LENGTHS[group];
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== n) {
    throw new CryptoError('BAD_KEY', `${group} private key must be ${n} bytes`);
  }
}

/** Throws CryptoError('BAD_POINT') if an X25519 shared secret is all zeros (RFC 7748 §6.1, RFC 8446 §7.4.2). */
export function checkNonZeroSecret(secret: Uint8Array): void {
  let acc = 0;
  for (let i = 0; i < secret.length; i++) acc |= secret[i];
  if (acc === 0) throw new CryptoError('BAD_POINT', 'all-zero (EC)DH shared secret');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function isClassic(group: KeyExchangeGroup): group is EcdhGroupName {
  return group === 'x25519' || group === 'secp256r1' || group === 'secp384r1';
}

/** The only other group is X25519MLKEM768, and its shares always draw fresh keys. */
function checkHybrid(group: KeyExchangeGroup, privateKey: Uint8Array | undefined): void {
  if (group !== 'X25519MLKEM768') throw new CryptoError('UNSUPPORTED', `unknown key exchange group ${String(group)}`);
  if (privateKey !== undefined) throw new CryptoError('UNSUPPORTED', 'X25519MLKEM768 key shares cannot take a chosen private key');
}

/**
 * Generates a client key share for any group, using `ecdh` for the classic part; `privateKey` (classic groups
 * only) replaces the fresh private key.
 */
export function generateKeyShareWith(ecdh: EcdhImplementation, group: KeyExchangeGroup, privateKey?: Uint8Array): KeyShare {
  if (isClassic(group)) {
    const kp = ecdh(group, privateKey);
    return { group, publicKey: kp.publicKey, complete: (serverShare) => kp.derive(serverShare) };
  }
  checkHybrid(group, privateKey);
  const kem = ml_kem768.keygen();
  const x = ecdh('x25519');
  const S = X25519MLKEM768_SIZES;
  return {
    group,
    publicKey: concat(kem.publicKey, x.publicKey),
    complete(serverShare: Uint8Array): Uint8Array {
      if (!(serverShare instanceof Uint8Array) || serverShare.length !== S.serverShare) {
        throw new CryptoError('BAD_POINT', `X25519MLKEM768 server share must be ${S.serverShare} bytes`);
      }
      const xSecret = x.derive(serverShare.subarray(S.ciphertext));
      let kemSecret: Uint8Array;
      try {
        kemSecret = ml_kem768.decapsulate(serverShare.subarray(0, S.ciphertext), kem.secretKey);
      } catch {
        throw new CryptoError('BAD_POINT', 'ML-KEM-768 decapsulation failed');
      }
      return concat(kemSecret, xSecret);
    },
  };
}

/**
 * Answers a client key share for any group (server side), using `ecdh` for the classic part; `privateKey` (classic
 * groups only) replaces the fresh private key.
 */
export function respondKeyShareWith(
  ecdh: EcdhImplementation,
  group: KeyExchangeGroup,
  clientShare: Uint8Array,
  privateKey?: Uint8Array,
): KeyShareResponse {
  if (isClassic(group)) {
    checkEcdhPublic(group, clientShare);
    const kp = ecdh(group, privateKey);
    const sharedSecret = kp.derive(clientShare);
    return { publicKey: kp.publicKey, sharedSecret };
  }
  checkHybrid(group, privateKey);
  const S = X25519MLKEM768_SIZES;
  if (!(clientShare instanceof Uint8Array) || clientShare.length !== S.clientShare) {
    throw new CryptoError('BAD_POINT', `X25519MLKEM768 client share must be ${S.clientShare} bytes`);
  }
  const x = ecdh('x25519');
  const xSecret = x.derive(clientShare.subarray(S.encapsulationKey));
  let enc: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    // Includes the FIPS 203 §7.2 encapsulation key (modulus) check.
    enc = ml_kem768.encapsulate(clientShare.slice(0, S.encapsulationKey));
  } catch {
    throw new CryptoError('BAD_POINT', 'invalid ML-KEM-768 encapsulation key');
  }
  return { publicKey: concat(enc.cipherText, x.publicKey), sharedSecret: concat(enc.sharedSecret, xSecret) };
}
