/**
 * ECDH for the node provider: X25519 via KeyObjects and P-256 / P-384 via node:crypto ECDH objects. Key pairs are
 * fresh, or built from a caller-chosen private key (known-answer tests such as RFC 7748 and RFC 8448, static keys).
 */
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { base64UrlDecode } from '../x509/base64.js';
import { CryptoError } from './errors.js';
import { checkEcdhPrivate, checkEcdhPublic, checkNonZeroSecret, type EcdhGroupName, type EcdhKeyPair } from './keyShare.js';

/** PKCS#8 prefix of an X25519 private key (RFC 8410): the 32-byte scalar follows. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The raw 32-byte public key of an X25519 JWK. */
function jwkX25519Public(jwk: JsonWebKey): Uint8Array {
  const raw = typeof jwk.x === 'string' ? base64UrlDecode(jwk.x) : undefined;
  if (raw === undefined || raw.length !== 32) throw new CryptoError('BAD_KEY', 'node:crypto returned a malformed X25519 public key');
  return raw;
}

/** An X25519 key pair from its KeyObject and the JWK of its public half. */
function x25519KeyPair(privateKey: KeyObject, publicJwk: JsonWebKey): EcdhKeyPair {
  return {
    publicKey: jwkX25519Public(publicJwk),
    derive(peer: Uint8Array): Uint8Array {
      checkEcdhPublic('x25519', peer);
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

/**
 * A fresh X25519 key pair. The public key is encoded by the generation job itself: exporting it afterwards from the
 * new KeyObject (createPublicKey(privateKey).export) can deadlock Node 20 for good, because the export allocates
 * while holding the key's mutex and a garbage collection there destroys the finished job, which takes the same lock.
 */
function freshX25519(): EcdhKeyPair {
  // @types/node has no overload for a JWK-encoded half; node 20 returns it as a JsonWebKey object
  const pair = generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' } } as object) as unknown as {
    privateKey: KeyObject;
    publicKey: JsonWebKey;
  };
  return x25519KeyPair(pair.privateKey, pair.publicKey);
}

/** An X25519 key pair from a chosen 32-byte scalar (its KeyObject comes from no generation job: exporting is safe). */
function chosenX25519(scalar: Uint8Array): EcdhKeyPair {
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, scalar]), format: 'der', type: 'pkcs8' });
  return x25519KeyPair(key, createPublicKey(key).export({ format: 'jwk' }));
}

/**
 * A key pair of a classic group with node:crypto: fresh, or from `privateKey` (the 32-byte X25519 scalar, or the
 * big-endian P-256 / P-384 scalar; CryptoError('BAD_KEY') if it is malformed or out of range).
 */
export function nodeEcdh(group: EcdhGroupName, privateKey?: Uint8Array): EcdhKeyPair {
  if (privateKey !== undefined) checkEcdhPrivate(group, privateKey);
  if (group === 'x25519') return privateKey === undefined ? freshX25519() : chosenX25519(privateKey);
  const ecdh = createECDH(group === 'secp256r1' ? 'prime256v1' : 'secp384r1');
  let publicKey: Uint8Array;
  if (privateKey === undefined) {
    publicKey = ecdh.generateKeys();
  } else {
    try {
      ecdh.setPrivateKey(privateKey);
    } catch {
      throw new CryptoError('BAD_KEY', `${group} private key is out of range`);
    }
    publicKey = ecdh.getPublicKey();
  }
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
