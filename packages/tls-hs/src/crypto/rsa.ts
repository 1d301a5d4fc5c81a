/**
 * RSA with JS bigints for the pure-JS provider (RFC 8017): RSASSA-PSS (EMSA-PSS with MGF1, §8.1 / §9.1) and
 * RSASSA-PKCS1-v1_5 (§8.2 / §9.2) sign and verify, CRT signing (§5.1.2 2.b) with a fault check, and key generation.
 * No `node:` import. Note: bigint arithmetic is not constant-time; prefer the node provider for long-term server keys.
 */
import { CryptoError } from './errors.js';
import { nobleDigest } from './nobleSymmetric.js';
import { hashLengthOf } from './params.js';
import type { HashAlgorithm } from './provider.js';

/** An RSA public key (n, e). */
export interface RsaPublicParts {
  /** Modulus. */
  readonly n: bigint;
  /** Public exponent. */
  readonly e: bigint;
}

/** An RSA private key with its CRT parameters (RFC 8017 §3.2, first representation + CRT). */
export interface RsaPrivateParts extends RsaPublicParts {
  /** Private exponent. */
  readonly d: bigint;
  /** First prime. */
  readonly p: bigint;
  /** Second prime. */
  readonly q: bigint;
  /** d mod (p − 1). */
  readonly dp: bigint;
  /** d mod (q − 1). */
  readonly dq: bigint;
  /** q⁻¹ mod p. */
  readonly qi: bigint;
}

/** OS2IP (RFC 8017 §4.2): big-endian bytes → non-negative integer. */
export function os2ip(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** I2OSP (RFC 8017 §4.1): integer → big-endian bytes of exactly `len`; throws BAD_INPUT if it does not fit. */
export function i2osp(x: bigint, len: number): Uint8Array {
  if (x < 0n || x >= 1n << BigInt(8 * len)) throw new CryptoError('BAD_INPUT', 'integer too large');
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0 && x > 0n; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** Bit length of a positive integer. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** x^e mod m by square-and-multiply. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    e >>= 1n;
    if (e > 0n) b = (b * b) % m;
  }
  return result;
}

/** a⁻¹ mod m (extended Euclid); throws BAD_KEY if not invertible. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new CryptoError('BAD_KEY', 'value not invertible');
  return ((oldS % m) + m) % m;
}

/** Modulus length in bytes (k of RFC 8017). */
export function modulusBytes(key: RsaPublicParts): number {
  return Math.ceil(bitLength(key.n) / 8);
}

/** RSASP1 with CRT (RFC 8017 §5.2.1 / §5.1.2), checked by re-encryption so a fault never leaks a bad signature. */
function rsasp1(key: RsaPrivateParts, m: bigint): bigint {
  if (m >= key.n) throw new CryptoError('BAD_INPUT', 'message representative out of range');
  const m1 = modPow(m % key.p, key.dp, key.p);
  const m2 = modPow(m % key.q, key.dq, key.q);
  const h = (((m1 - m2) % key.p) + key.p) % key.p * key.qi % key.p;
  const s = m2 + key.q * h;
  if (modPow(s, key.e, key.n) !== m) throw new CryptoError('BAD_KEY', 'RSA CRT self-check failed (inconsistent key)');
  return s;
}

/** MGF1 (RFC 8017 Appendix B.2.1). */
export function mgf1(hash: HashAlgorithm, seed: Uint8Array, length: number): Uint8Array {
  const hLen = hashLengthOf(hash);
  const out = new Uint8Array(length);
  const buf = new Uint8Array(seed.length + 4);
  buf.set(seed);
  for (let counter = 0, off = 0; off < length; counter++, off += hLen) {
    buf[seed.length] = counter >>> 24;
    buf[seed.length + 1] = (counter >>> 16) & 0xff;
    buf[seed.length + 2] = (counter >>> 8) & 0xff;
    buf[seed.length + 3] = counter & 0xff;
    const t = nobleDigest(hash, buf);
    out.set(t.subarray(0, Math.min(hLen, length - off)), off);
  }
  return out;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with a caller-supplied salt. */
function emsaPssEncode(hash: HashAlgorithm, mHash: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) throw new CryptoError('BAD_KEY', 'RSA key too small for PSS with this hash');
  const mPrime = new Uint8Array(8 + hLen + salt.length);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + hLen);
  const h = nobleDigest(hash, mPrime);
  const dbLen = emLen - hLen - 1;
  const db = new Uint8Array(dbLen);
  db[dbLen - salt.length - 1] = 0x01;
  db.set(salt, dbLen - salt.length);
  const mask = mgf1(hash, h, dbLen);
  for (let i = 0; i < dbLen; i++) db[i] ^= mask[i];
  db[0] &= 0xff >>> (8 * emLen - emBits);
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(h, dbLen);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen; returns whether it is consistent. */
function emsaPssVerify(hash: HashAlgorithm, mHash: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const dbLen = emLen - hLen - 1;
  const maskedDb = em.subarray(0, dbLen);
  const h = em.subarray(dbLen, dbLen + hLen);
  const topMask = (0xff00 >>> (8 * emLen - emBits)) & 0xff;
  if (maskedDb[0] & topMask) return false;
  const mask = mgf1(hash, h, dbLen);
  const db = new Uint8Array(dbLen);
  for (let i = 0; i < dbLen; i++) db[i] = maskedDb[i] ^ mask[i];
  db[0] &= 0xff >>> (8 * emLen - emBits);
  const psLen = emLen - hLen - sLen - 2;
  let bad = 0;
  for (let i = 0; i < psLen; i++) bad |= db[i];
  if (bad !== 0 || db[psLen] !== 0x01) return false;
  const mPrime = new Uint8Array(8 + hLen + sLen);
  mPrime.set(mHash, 8);
  mPrime.set(db.subarray(dbLen - sLen), 8 + hLen);
  const h2 = nobleDigest(hash, mPrime);
  let diff = 0;
  for (let i = 0; i < hLen; i++) diff |= h[i] ^ h2[i];
  return diff === 0;
}

/** RSASSA-PSS-SIGN (RFC 8017 §8.1.1), salt length = hash length (RFC 8446 §4.2.3). */
export function rsaPssSign(key: RsaPrivateParts, hash: HashAlgorithm, message: Uint8Array, salt: Uint8Array): Uint8Array {
  const modBits = bitLength(key.n);
  const em = emsaPssEncode(hash, nobleDigest(hash, message), modBits - 1, salt);
  return i2osp(rsasp1(key, os2ip(em)), modulusBytes(key));
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2), salt length = hash length; throws CryptoError('BAD_SIGNATURE'). */
export function rsaPssVerify(key: RsaPublicParts, hash: HashAlgorithm, message: Uint8Array, signature: Uint8Array): void {
  const k = modulusBytes(key);
  if (signature.length !== k) throw new CryptoError('BAD_SIGNATURE', `RSA signature must be ${k} bytes`);
  const s = os2ip(signature);
  if (s >= key.n) throw new CryptoError('BAD_SIGNATURE', 'RSA signature representative out of range');
  const modBits = bitLength(key.n);
  const emLen = Math.ceil((modBits - 1) / 8);
  const m = modPow(s, key.e, key.n);
  if (m >= 1n << BigInt(8 * emLen)) throw new CryptoError('BAD_SIGNATURE', 'RSA-PSS verification failed');
  const em = i2osp(m, emLen);
  if (!emsaPssVerify(hash, nobleDigest(hash, message), em, modBits - 1, hashLengthOf(hash))) {
    throw new CryptoError('BAD_SIGNATURE', 'RSA-PSS verification failed');
  }
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Readonly<Record<HashAlgorithm, string>> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/** EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2). */
function emsaPkcs1Encode(hash: HashAlgorithm, message: Uint8Array, emLen: number): Uint8Array {
  const prefixHex = DIGEST_INFO_PREFIX[hash];
  const h = nobleDigest(hash, message);
  const tLen = prefixHex.length / 2 + h.length;
  if (emLen < tLen + 11) throw new CryptoError('BAD_KEY', 'RSA key too small for PKCS#1 v1.5 with this hash');
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  const tStart = emLen - tLen;
  em[tStart - 1] = 0x00;
  for (let i = 0; i < prefixHex.length / 2; i++) em[tStart + i] = parseInt(prefixHex.slice(2 * i, 2 * i + 2), 16);
  em.set(h, emLen - h.length);
  return em;
}

/** RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1). */
export function rsaPkcs1Sign(key: RsaPrivateParts, hash: HashAlgorithm, message: Uint8Array): Uint8Array {
  const k = modulusBytes(key);
  return i2osp(rsasp1(key, os2ip(emsaPkcs1Encode(hash, message, k))), k);
}

/** RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2, encode-and-compare); throws CryptoError('BAD_SIGNATURE'). */
export function rsaPkcs1Verify(key: RsaPublicParts, hash: HashAlgorithm, message: Uint8Array, signature: Uint8Array): void {
  const k = modulusBytes(key);
  if (signature.length !== k) throw new CryptoError('BAD_SIGNATURE', `RSA signature must be ${k} bytes`);
  const s = os2ip(signature);
  if (s >= key.n) throw new CryptoError('BAD_SIGNATURE', 'RSA signature representative out of range');
  const em = i2osp(modPow(s, key.e, key.n), k);
  const expected = emsaPkcs1Encode(hash, message, k);
  let diff = 0;
  for (let i = 0; i < k; i++) diff |= em[i] ^ expected[i];
  if (diff !== 0) throw new CryptoError('BAD_SIGNATURE', 'RSA PKCS#1 v1.5 verification failed');
}

const SMALL_PRIMES: readonly number[] = (() => {
  const out: number[] = [];
  for (let n = 3; out.length < 300; n += 2) if (out.every((p) => n % p !== 0)) out.push(n);
  return out;
})();

/** Miller–Rabin with `rounds` random bases from `random`. */
export function isProbablePrime(n: bigint, rounds: number, random: (len: number) => Uint8Array): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    const bp = BigInt(p);
    if (n === bp) return true;
    if (n % bp === 0n) return false;
  }
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  const len = Math.ceil(bitLength(n) / 8);
  for (let i = 0; i < rounds; i++) {
    const a = 2n + (os2ip(random(len)) % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let j = 1; j < r; j++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

function randomPrime(bits: number, e: bigint, random: (len: number) => Uint8Array): bigint {
  const len = Math.ceil(bits / 8);
  const excess = BigInt(8 * len - bits);
  for (;;) {
    let c = os2ip(random(len)) >> excess;
    c |= (1n << BigInt(bits - 1)) | (1n << BigInt(bits - 2)) | 1n; // top two bits set: n has exactly 2·bits bits
    // Walk odd candidates from a random start; the gap to the next prime is small.
    for (let step = 0; step < 2000; step++, c += 2n) {
      if ((c - 1n) % e === 0n) continue;
      if (isProbablePrime(c, bits >= 1024 ? 4 : 8, random)) return c;
    }
  }
}

/** Generates an RSA key (e = 65537) of `bits` bits (≥ 1024, even) from a CSPRNG `random`. */
export function generateRsaKey(bits: number, random: (len: number) => Uint8Array): RsaPrivateParts {
  if (!Number.isSafeInteger(bits) || bits < 1024 || bits > 8192 || bits % 2 !== 0) {
    throw new CryptoError('BAD_INPUT', 'RSA modulus size must be an even number of bits in 1024..8192');
  }
  const e = 65537n;
  for (;;) {
    const p = randomPrime(bits / 2, e, random);
    const q = randomPrime(bits / 2, e, random);
    if (p === q) continue;
    const [P, Q] = p > q ? [p, q] : [q, p];
    const n = P * Q;
    if (bitLength(n) !== bits) continue;
    const lambda = ((P - 1n) * (Q - 1n)) / gcd(P - 1n, Q - 1n);
    const d = modInverse(e, lambda);
    return { n, e, d, p: P, q: Q, dp: d % (P - 1n), dq: d % (Q - 1n), qi: modInverse(Q, P) };
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
