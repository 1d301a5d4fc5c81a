/**
 * Ephemeral ECDH for the noble provider: X25519 (@noble/curves ed25519.js) and P-256 / P-384 (@noble/curves nist.js).
 * No `node:` import.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { CryptoError } from './errors.js';
import { checkEcdhPublic, checkNonZeroSecret, type EcdhGroupName, type EcdhKeyPair } from './keyShare.js';

/** Generates an ephemeral key pair of a classic group with noble. */
export function nobleEcdh(group: EcdhGroupName): EcdhKeyPair {
  if (group === 'x25519') {
    const secret = x25519.utils.randomSecretKey();
    return {
      publicKey: x25519.getPublicKey(secret),
      derive(peer: Uint8Array): Uint8Array {
        checkEcdhPublic(group, peer);
        let shared: Uint8Array;
        try {
          shared = x25519.getSharedSecret(secret, peer);
        } catch {
          // noble refuses an all-zero result (low-order peer point).
          throw new CryptoError('BAD_POINT', 'all-zero X25519 shared secret');
        }
        checkNonZeroSecret(shared);
        return shared;
      },
    };
  }
  const curve = group === 'secp256r1' ? p256 : p384;
  const secret = curve.utils.randomSecretKey();
  return {
    publicKey: curve.getPublicKey(secret, false),
    derive(peer: Uint8Array): Uint8Array {
      checkEcdhPublic(group, peer);
      let shared: Uint8Array;
      try {
        shared = curve.getSharedSecret(secret, peer, true);
      } catch {
        throw new CryptoError('BAD_POINT', `${group} key share is not a point on the curve`);
      }
      // RFC 8446 §7.4.2: the shared secret is the x-coordinate.
      return shared.subarray(1);
    },
  };
}

/**
 * X25519(scalar, u) of RFC 7748 §5 with a caller-chosen scalar (for known-answer tests and static keys).
 * Throws CryptoError('BAD_KEY') for a scalar that is not 32 bytes and CryptoError('BAD_POINT') for a bad u / zero result.
 */
export function nobleX25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  if (!(scalar instanceof Uint8Array) || scalar.length !== 32) throw new CryptoError('BAD_KEY', 'X25519 scalar must be 32 bytes');
  checkEcdhPublic('x25519', u);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(scalar, u);
  } catch {
    throw new CryptoError('BAD_POINT', 'all-zero X25519 shared secret');
  }
  checkNonZeroSecret(shared);
  return shared;
}
