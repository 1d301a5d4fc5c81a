/**
 * node:crypto symmetric primitives of the node provider: hashes, HMAC, HKDF, AEADs and QUIC header protection.
 * Key objects and the AES-ECB cipher for header protection are created once per key and reused per packet.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type Cipher,
  type CipherGCMTypes,
  type KeyObject,
} from 'node:crypto';
import { NodeHasher, nodeHashOnce } from './nodeHasher.js';
import { hmacOf } from './nodeHmac.js';
import { nobleCreateHeaderProtection } from './nobleSymmetric.js';
import { CryptoError } from './errors.js';
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

/** Returns the node digest name after checking it is one we support. */
function digestName(hash: HashAlgorithm): HashAlgorithm {
  hashLengthOf(hash);
  return hash;
}

/** One-shot hash. */
export function nodeDigest(hash: HashAlgorithm, data: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  return nodeHashOnce(digestName(hash), data);
}

/** Incremental, clonable hash. */
export function nodeCreateHash(hash: HashAlgorithm): Hasher {
  return new NodeHasher(digestName(hash));
}

/** HMAC. */
export function nodeHmac(hash: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, 'key');
  assertBytes(data, 'data');
  return hmacOf(digestName(hash), key, data);
}

/** HKDF-Extract (RFC 5869 §2.2); an empty salt is HashLen zero bytes. */
export function nodeHkdfExtract(hash: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  assertBytes(salt, 'salt');
  assertBytes(ikm, 'ikm');
  const key = salt.length === 0 ? new Uint8Array(hashLengthOf(hash)) : salt;
  return hmacOf(digestName(hash), key, ikm);
}

/**
 * HKDF-Expand (RFC 5869 §2.3). node:crypto's hkdfSync always runs Extract first, so Expand is the HMAC chain.
 * TLS and QUIC outputs are at most one or two blocks, so this is a couple of HMACs.
 */
export function nodeHkdfExpand(hash: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  assertBytes(prk, 'prk');
  assertBytes(info, 'info');
  checkExpandLength(hash, length);
  const hl = hashLengthOf(hash);
  if (length <= hl) {
    const t = hmacOf(hash, prk, info, ONE);
    return length === hl ? t : t.subarray(0, length);
  }
  const out = new Uint8Array(length);
  const counter = new Uint8Array(1);
  let t: Uint8Array = new Uint8Array(0);
  for (let off = 0, i = 1; off < length; off += hl, i++) {
    counter[0] = i;
    t = hmacOf(hash, prk, t, info, counter);
    out.set(t.subarray(0, Math.min(hl, length - off)), off);
  }
  return out;
}
const ONE = new Uint8Array([1]);

const NODE_AEAD_NAME: Readonly<Record<AeadAlgorithm, CipherGCMTypes | 'chacha20-poly1305'>> = {
  'aes-128-gcm': 'aes-128-gcm',
  'aes-256-gcm': 'aes-256-gcm',
  'chacha20-poly1305': 'chacha20-poly1305',
};

const EMPTY = new Uint8Array(0);

class NodeAead implements Aead {
  readonly nonceLength = AEAD_NONCE_LENGTH;
  readonly tagLength = AEAD_TAG_LENGTH;
  readonly keyLength: number;
  private readonly key: KeyObject;
  private readonly name: string;
  private readonly opts = { authTagLength: AEAD_TAG_LENGTH } as const;
  constructor(readonly algorithm: AeadAlgorithm, key: Uint8Array) {
    this.keyLength = checkAeadKey(algorithm, key);
    this.key = createSecretKey(key);
    this.name = NODE_AEAD_NAME[algorithm];
  }
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkAeadArgs(nonce, aad, plaintext); // before plaintext.length is trusted
    const out = Buffer.allocUnsafe(plaintext.length + AEAD_TAG_LENGTH);
    this.sealInto(nonce, aad, plaintext, out, 0);
    return out;
  }
  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    checkAeadArgs(nonce, aad, plaintext);
    const n = plaintext.length;
    checkOutput(out, offset, n + AEAD_TAG_LENGTH);
    // The cast picks the AEAD overload of createCipheriv; the name is one of the three AEADs.
    const c = createCipheriv(this.name as 'aes-128-gcm', this.key, nonce, this.opts);
    if (aad.length > 0) c.setAAD(aad);
    const body = c.update(plaintext);
    c.final();
    out.set(body, offset);
    out.set(c.getAuthTag(), offset + n);
    return n + AEAD_TAG_LENGTH;
  }
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array {
    checkAeadArgs(nonce, aad, ciphertextAndTag);
    const n = ciphertextAndTag.length - AEAD_TAG_LENGTH;
    if (n < 0) throw new CryptoError('AUTH_FAILED', 'input shorter than the tag');
    const d = createDecipheriv(this.name as 'aes-128-gcm', this.key, nonce, this.opts);
    d.setAuthTag(ciphertextAndTag.subarray(n));
    if (aad.length > 0) d.setAAD(aad);
    const body = d.update(n === 0 ? EMPTY : ciphertextAndTag.subarray(0, n));
    try {
      d.final();
    } catch {
      throw new CryptoError('AUTH_FAILED', `${this.algorithm} authentication failed`);
    }
    return body;
  }
}

/** An AEAD context for one key (the KeyObject is created once here). */
export function nodeCreateAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  return new NodeAead(algorithm, key);
}

class NodeAesHp implements HeaderProtection {
  readonly sampleLength = HP_SAMPLE_LENGTH;
  private readonly ecb: Cipher;
  constructor(readonly algorithm: HeaderProtectionAlgorithm, key: Uint8Array) {
    // ECB is stateless per block: one cipher object, update() per sample, never final().
    this.ecb = createCipheriv(algorithm, createSecretKey(key), null);
    this.ecb.setAutoPadding(false);
  }
  mask(sample: Uint8Array): Uint8Array {
    checkSample(sample);
    return this.ecb.update(sample.length === HP_SAMPLE_LENGTH ? sample : sample.subarray(0, HP_SAMPLE_LENGTH));
  }
}


/**
 * A header-protection context for one hp key. ChaCha20 masks use our pure-JS block function: node:crypto would need a
 * new cipher object per 5-byte mask, which measured ~10x slower (294k/s vs 2.8M/s here).
 */
export function nodeCreateHeaderProtection(algorithm: HeaderProtectionAlgorithm, key: Uint8Array): HeaderProtection {
  checkHpKey(algorithm, key);
  return algorithm === 'chacha20' ? nobleCreateHeaderProtection(algorithm, key) : new NodeAesHp(algorithm, key);
}
