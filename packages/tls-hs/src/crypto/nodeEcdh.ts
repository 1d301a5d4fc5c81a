/**
 * Ephemeral ECDH for the node provider: X25519 via KeyObjects and P-256 / P-384 via node:crypto ECDH objects.
 */
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { CryptoError } from './errors.js';
import { checkEcdhPublic, checkNonZeroSecret, type EcdhGroupName, type EcdhKeyPair } from './keyShare.js';

/** Generates an ephemeral key pair of a classic group with node:crypto. */
export function nodeEcdh(group: EcdhGroupName): EcdhKeyPair {
  if (group === 'x25519') {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const jwk = publicKey.export({ format: 'jwk' });
    return {
      publicKey: Buffer.from(jwk.x as string, 'base64url'),
      derive(peer: Uint8Array): Uint8Array {
        checkEcdhPublic(group, peer);
        let shared: Uint8Array;
        try {
          const pub = createPublicKey({
            key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer.buffer, peer.byteOffset, peer.byteLength).toString('base64url') },
            format: 'jwk',
          });
          shared = diffieHellman({ privateKey, publicKey: pub });
        } catch {
          // OpenSSL refuses to derive an all-zero X25519 secret.
          throw new CryptoError('BAD_POINT', 'invalid X25519 key share (all-zero shared secret)');
        }
        checkNonZeroSecret(shared);
        return shared;
      },
    };
  }
  const ecdh = createECDH(group === 'secp256r1' ? 'prime256v1' : 'secp384r1');
  const publicKey = ecdh.generateKeys();
  return {
    publicKey,
    derive(peer: Uint8Array): Uint8Array {
      checkEcdhPublic(group, peer);
      try {
        return ecdh.computeSecret(peer);
      } catch {
        throw new CryptoError('BAD_POINT', `${group} key share is not a point on the curve`);
      }
    },
  };
}

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * X25519(scalar, u) of RFC 7748 §5 with a caller-chosen scalar (for known-answer tests and static keys).
 * Throws CryptoError('BAD_KEY') for a scalar that is not 32 bytes and CryptoError('BAD_POINT') for a bad u / zero result.
 */
export function nodeX25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  if (!(scalar instanceof Uint8Array) || scalar.length !== 32) throw new CryptoError('BAD_KEY', 'X25519 scalar must be 32 bytes');
  checkEcdhPublic('x25519', u);
  let shared: Uint8Array;
  try {
    const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, scalar]), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(u).toString('base64url') }, format: 'jwk' });
    shared = diffieHellman({ privateKey, publicKey });
  } catch {
    throw new CryptoError('BAD_POINT', 'invalid X25519 input (all-zero shared secret)');
  }
  checkNonZeroSecret(shared);
  return shared;
}
