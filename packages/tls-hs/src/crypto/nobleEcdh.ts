/**
 * ECDH for the noble provider: X25519 (@noble/curves ed25519.js) and P-256 / P-384 (@noble/curves nist.js). Key
 * pairs are fresh, or built from a caller-chosen private key (known-answer tests, static keys). No `node:` import.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { CryptoError } from './errors.js';
import { checkEcdhPrivate, checkEcdhPublic, checkNonZeroSecret, type EcdhGroupName, type EcdhKeyPair } from './keyShare.js';

/**
 * A key pair of a classic group with noble: fresh, or from `privateKey` (the 32-byte X25519 scalar, or the
 * big-endian P-256 / P-384 scalar; CryptoError('BAD_KEY') if it is malformed or out of range).
 */
export function nobleEcdh(group: EcdhGroupName, privateKey?: Uint8Array): EcdhKeyPair {
  if (privateKey !== undefined) checkEcdhPrivate(group, privateKey);
  if (group === 'x25519') {
    const secret = privateKey === undefined ? x25519.utils.randomSecretKey() : Uint8Array.from(privateKey);
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
  const secret = privateKey === undefined ? curve.utils.randomSecretKey() : Uint8Array.from(privateKey);
  let publicKey: Uint8Array;
  try {
    publicKey = curve.getPublicKey(secret, false);
  } catch {
    throw new CryptoError('BAD_KEY', `${group} private key is out of range`);
  }
  return {
    publicKey,
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
