/**
 * The crypto provider interface: everything in quichs that touches keys goes through one of these.
 * Implementations: `createNobleProvider()` (pure JS, no `node:` import) and `createNodeProvider()`
 * (node:crypto where Node has the primitive, noble for the rest). No module outside `crypto/` may import
 * node:crypto or @noble directly.
 *
 * Conventions: all byte strings are `Uint8Array` (a Node `Buffer` is accepted as input; outputs are plain
 * `Uint8Array` views or Buffers — callers must not rely on either). Every bad input throws {@link CryptoError};
 * no method returns a "failed" sentinel.
 */

/** Hash functions used by TLS 1.3 suites, HKDF and signatures. */
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** AEAD algorithms of the TLS 1.3 cipher suites. All have a 12-byte nonce and a 16-byte tag. */
export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** QUIC header-protection mask algorithms (RFC 9001 §5.4.3, §5.4.4). */
export type HeaderProtectionAlgorithm = 'aes-128-ecb' | 'aes-256-ecb' | 'chacha20';

/** Key-exchange groups (TLS NamedGroup names; X25519MLKEM768 is codepoint 0x11EC). */
export type KeyExchangeGroup = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768';

/** Asymmetric key types the providers can sign or verify with. */
export type KeyType = 'ec-p256' | 'ec-p384' | 'ed25519' | 'rsa' | 'rsa-pss';

/**
 * How to sign or verify. The curve (for ECDSA) and modulus (for RSA) come from the key.
 * - `ecdsa`: signature is DER `Ecdsa-Sig-Value` (as in TLS and X.509).
 * - `rsa-pss`: MGF1 with the same hash, salt length = hash length (RFC 8446 §4.2.3).
 * - `rsa-pkcs1`: RSASSA-PKCS1-v1_5 (certificate signatures only in TLS 1.3).
 */
export type SignatureParams =
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'rsa-pss'; readonly hash: HashAlgorithm }
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm };

/** A public key imported from a DER SubjectPublicKeyInfo. Opaque beyond these fields. */
export interface PublicKey {
  /** Key type, from the SPKI algorithm identifier. */
  readonly type: KeyType;
  /** The DER SubjectPublicKeyInfo this key was imported from. */
  readonly spki: Uint8Array;
  /** Modulus size for RSA keys, curve size for EC keys, 256 for Ed25519. */
  readonly bits: number;
}

/** A private key imported from DER (PKCS#8, or SEC1 / PKCS#1). Opaque beyond these fields. */
export interface PrivateKey {
  /** Key type. */
  readonly type: KeyType;
  /** The matching public key. */
  readonly publicKey: PublicKey;
  /** The key re-encoded as DER PKCS#8 (for export / PEM output). */
  readonly pkcs8: Uint8Array;
}

/** An incremental hash that can be cloned (a TLS transcript hash needs intermediate values). */
export interface Hasher {
  /** Absorbs more data; returns this hasher. */
  update(data: Uint8Array): Hasher;
  /** Returns the digest and finalises this hasher (use {@link Hasher.clone} first to keep going). */
  digest(): Uint8Array;
  /** An independent copy with the same state. */
  clone(): Hasher;
}

/**
 * An AEAD bound to one key. Created once per key and reused for every record / packet.
 * `seal` returns ciphertext‖tag; `open` takes ciphertext‖tag and throws `CryptoError('AUTH_FAILED')` on any
 * mismatch (tampered data, wrong AAD, wrong nonce, input shorter than the tag).
 */
export interface Aead {
  /** Algorithm. */
  readonly algorithm: AeadAlgorithm;
  /** Key length in bytes (16 or 32). */
  readonly keyLength: number;
  /** Nonce length in bytes (always 12). */
  readonly nonceLength: number;
  /** Tag length in bytes (always 16). */
  readonly tagLength: number;
  /** Encrypts and authenticates; returns ciphertext‖tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * Like {@link Aead.seal} but writes ciphertext‖tag into `out` at `offset` and returns its length
   * (`plaintext.length + tagLength`), so a packet or record is built in its final buffer without another copy.
   * All inputs are read before `out` is written, so `plaintext` may be the very bytes of `out` it is sealed over
   * (in-place sealing) and `aad` may lie in `out` too. Throws CryptoError('BAD_INPUT') if it does not fit.
   */
  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number;
  /** Verifies and decrypts ciphertext‖tag; throws CryptoError('AUTH_FAILED') on failure. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array;
}

/** A QUIC header-protection key context, created once per hp key (RFC 9001 §5.4). */
export interface HeaderProtection {
  /** Algorithm. */
  readonly algorithm: HeaderProtectionAlgorithm;
  /** Sample length in bytes (16). */
  readonly sampleLength: number;
  /** Returns the 5-byte mask for a 16-byte sample (a longer array may be returned; use its first 5 bytes). */
  mask(sample: Uint8Array): Uint8Array;
}

/** The client side of a key exchange: our share, to be completed with the server's. */
export interface KeyShare {
  /** Group of this share. */
  readonly group: KeyExchangeGroup;
  /** The key_exchange bytes to send (for X25519MLKEM768: ML-KEM-768 encapsulation key ‖ x25519 public key). */
  readonly publicKey: Uint8Array;
  /** Computes the shared secret from the server's share; throws CryptoError('BAD_POINT') on an invalid share. */
  complete(serverShare: Uint8Array): Uint8Array;
}

/** The server's answer to a client key share. */
export interface KeyShareResponse {
  /** The key_exchange bytes for the ServerHello (for X25519MLKEM768: ciphertext ‖ x25519 public key). */
  readonly publicKey: Uint8Array;
  /** The shared secret (for X25519MLKEM768: ML-KEM shared secret ‖ x25519 shared secret). */
  readonly sharedSecret: Uint8Array;
}

/** Everything cryptographic quichs needs, behind one interface. */
export interface CryptoProvider {
  /** Provider name, e.g. "node" or "noble". */
  readonly name: string;

  /** Output length of a hash in bytes. */
  hashLength(hash: HashAlgorithm): number;
  /** One-shot hash. */
  hash(hash: HashAlgorithm, data: Uint8Array): Uint8Array;
  /** Incremental, clonable hash. */
  createHash(hash: HashAlgorithm): Hasher;
  /** HMAC. */
  hmac(hash: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-Extract (RFC 5869 §2.2); an empty salt means HashLen zero bytes. */
  hkdfExtract(hash: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** HKDF-Expand (RFC 5869 §2.3); throws CryptoError('BAD_INPUT') if length > 255·HashLen. */
  hkdfExpand(hash: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;

  /** An AEAD context for one key; throws CryptoError('BAD_KEY') for a key of the wrong length. */
  createAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead;
  /** A header-protection context for one hp key; throws CryptoError('BAD_KEY') for a wrong length. */
  createHeaderProtection(algorithm: HeaderProtectionAlgorithm, key: Uint8Array): HeaderProtection;

  /**
   * Generates a client key share for a group. `privateKey` (optional, classic groups only) uses a caller-chosen
   * private key instead of a fresh one — for known-answer tests (RFC 7748, RFC 8448) and static keys: the 32-byte
   * X25519 scalar, or the big-endian P-256 / P-384 scalar (32 / 48 bytes). CryptoError('BAD_KEY') for a malformed
   * or out-of-range key, ('UNSUPPORTED') for an unknown group or a private key with X25519MLKEM768.
   */
  generateKeyShare(group: KeyExchangeGroup, privateKey?: Uint8Array): KeyShare;
  /**
   * Server side: answers a client share; throws CryptoError('BAD_POINT') on an invalid share. `privateKey` as in
   * {@link CryptoProvider.generateKeyShare}.
   */
  respondKeyShare(group: KeyExchangeGroup, clientShare: Uint8Array, privateKey?: Uint8Array): KeyShareResponse;

  /** Imports a DER SubjectPublicKeyInfo; throws CryptoError('BAD_KEY') / ('UNSUPPORTED'). */
  importPublicKey(spki: Uint8Array): PublicKey;
  /** Imports a DER private key (PKCS#8, SEC1 EC, or PKCS#1 RSA); throws CryptoError('BAD_KEY') / ('UNSUPPORTED'). */
  importPrivateKey(der: Uint8Array): PrivateKey;
  /** Generates a key pair (RSA: `bits`, default 2048). */
  generateKeyPair(type: KeyType, options?: { readonly bits?: number }): PrivateKey;
  /** Signs; throws CryptoError('BAD_KEY') if the key type does not fit the params. */
  sign(key: PrivateKey, params: SignatureParams, data: Uint8Array): Uint8Array;
  /** Verifies; returns nothing and throws CryptoError('BAD_SIGNATURE') if the signature is malformed or wrong. */
  verify(key: PublicKey, params: SignatureParams, data: Uint8Array, signature: Uint8Array): void;

  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
  /** Constant-time equality (false for different lengths, without early exit on content). */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}
