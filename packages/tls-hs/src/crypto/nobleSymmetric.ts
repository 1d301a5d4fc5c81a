/**
 * Pure-JS symmetric primitives of the noble provider: hashes, HMAC, HKDF, AEADs and QUIC header protection.
 * No `node:` import.
 */
import { GuardedHasher } from './guardedHasher.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { gcm, unsafe as aesUnsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { CryptoError } from './errors.js';
import { ChaCha20Block } from './chacha20Block.js';
import {
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  HP_SAMPLE_LENGTH,
  assertBytes,
  checkAeadArgs,
  checkAeadKey,
  checkExpandLength,
  checkHpKey,
  checkOutput,
  checkSample,
  hashLengthOf,
} from './params.js';
import type {
  Aead,
  AeadAlgorithm,
  HashAlgorithm,
  Hasher,
  HeaderProtection,
  HeaderProtectionAlgorithm,
} from './provider.js';

/** The noble hash constructor for a hash name. */
export function nobleHash(hash: HashAlgorithm): typeof sha256 | typeof sha384 | typeof sha512 {
  switch (hash) {
    case 'sha256':
      return sha256;
    case 'sha384':
      return sha384;
    case 'sha512':
      return sha512;
    default:
      throw new CryptoError('UNSUPPORTED', `unknown hash algorithm ${String(hash)}`);
  }
}

interface NobleHashState {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
  clone(): NobleHashState;
}


/** One-shot hash. */
export function nobleDigest(hash: HashAlgorithm, data: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  return nobleHash(hash)(data);
}

/** Incremental, clonable hash. */
export function nobleCreateHash(hash: HashAlgorithm): Hasher {
  return new GuardedHasher(nobleHash(hash).create() as unknown as NobleHashState, (h) => h.clone());
}

/** HMAC. */
export function nobleHmac(hash: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, 'key');
  assertBytes(data, 'data');
  return hmac(nobleHash(hash), key, data);
}

/** HKDF-Extract (RFC 5869 §2.2). An empty salt is HashLen zero bytes (same HMAC result as the empty key). */
export function nobleHkdfExtract(hash: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  assertBytes(salt, 'salt');
  assertBytes(ikm, 'ikm');
  const key = salt.length === 0 ? new Uint8Array(hashLengthOf(hash)) : salt;
  return hmac(nobleHash(hash), key, ikm);
}

/** HKDF-Expand (RFC 5869 §2.3). */
export function nobleHkdfExpand(hash: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  assertBytes(prk, 'prk');
  assertBytes(info, 'info');
  checkExpandLength(hash, length);
  const h = nobleHash(hash);
  const hl = hashLengthOf(hash);
  const out = new Uint8Array(length);
  const base = hmac.create(h, prk);
  const counter = new Uint8Array(1);
  let t: Uint8Array = new Uint8Array(0);
  for (let off = 0, i = 1; off < length; off += hl, i++) {
    counter[0] = i;
    const m = base.clone();
    m.update(t).update(info).update(counter);
    t = m.digest();
    out.set(t.subarray(0, Math.min(hl, length - off)), off);
  }
  base.destroy();
  return out;
}

class NobleAead implements Aead {
  readonly nonceLength = AEAD_NONCE_LENGTH;
  readonly tagLength = AEAD_TAG_LENGTH;
  readonly keyLength: number;
  private readonly key: Uint8Array;
  constructor(readonly algorithm: AeadAlgorithm, key: Uint8Array) {
    this.keyLength = checkAeadKey(algorithm, key);
    this.key = Uint8Array.from(key);
  }
  private cipher(nonce: Uint8Array, aad: Uint8Array): { encrypt(d: Uint8Array): Uint8Array; decrypt(d: Uint8Array): Uint8Array } {
    return this.algorithm === 'chacha20-poly1305'
      ? chacha20poly1305(this.key, nonce, aad)
      : gcm(this.key, nonce, aad);
  }
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkAeadArgs(nonce, aad, plaintext);
    return this.cipher(nonce, aad).encrypt(plaintext);
  }
  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    checkAeadArgs(nonce, aad, plaintext);
    checkOutput(out, offset, plaintext.length + AEAD_TAG_LENGTH);
    // noble writes into a caller buffer only when it is 4-byte aligned and does not overlap the input; a copy of
    // the sealed bytes is small next to noble's own cost, so always seal into a fresh array and copy.
    const sealed = this.cipher(nonce, aad).encrypt(plaintext);
    out.set(sealed, offset);
    return sealed.length;
  }
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array {
    checkAeadArgs(nonce, aad, ciphertextAndTag);
    if (ciphertextAndTag.length < AEAD_TAG_LENGTH) throw new CryptoError('AUTH_FAILED', 'input shorter than the tag');
    try {
      return this.cipher(nonce, aad).decrypt(ciphertextAndTag);
    } catch {
      throw new CryptoError('AUTH_FAILED', `${this.algorithm} authentication failed`);
    }
  }
}

/** An AEAD context for one key. */
export function nobleCreateAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  return new NobleAead(algorithm, key);
}

class NobleAesHp implements HeaderProtection {
  readonly sampleLength = HP_SAMPLE_LENGTH;
  private readonly xk: Uint32Array;
  constructor(readonly algorithm: HeaderProtectionAlgorithm, key: Uint8Array) {
    this.xk = aesUnsafe.expandKeyLE(Uint8Array.from(key));
  }
  mask(sample: Uint8Array): Uint8Array {
    checkSample(sample);
    const block = sample.slice(0, HP_SAMPLE_LENGTH);
    return aesUnsafe.encryptBlock(this.xk, block);
  }
}

class NobleChaChaHp implements HeaderProtection {
  readonly algorithm = 'chacha20' as const;
  readonly sampleLength = HP_SAMPLE_LENGTH;
  private readonly core: ChaCha20Block;
  constructor(key: Uint8Array) {
    this.core = new ChaCha20Block(key);
  }
  mask(sample: Uint8Array): Uint8Array {
    checkSample(sample);
    const counter = (sample[0] | (sample[1] << 8) | (sample[2] << 16) | (sample[3] << 24)) >>> 0;
    return this.core.block(counter, sample, 4, new Uint8Array(5));
  }
}

/** A header-protection context for one hp key. */
export function nobleCreateHeaderProtection(algorithm: HeaderProtectionAlgorithm, key: Uint8Array): HeaderProtection {
  checkHpKey(algorithm, key);
  return algorithm === 'chacha20' ? new NobleChaChaHp(key) : new NobleAesHp(algorithm, key);
}
