/**
 * DER key formats shared by both providers: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), PKCS#8 PrivateKeyInfo
 * (RFC 5208), SEC1 ECPrivateKey (RFC 5915), PKCS#1 RSAPublicKey / RSAPrivateKey (RFC 8017 Appendix A.1), Ed25519
 * (RFC 8410) and id-RSASSA-PSS keys (RFC 4055). Parses into raw material and re-encodes to PKCS#8 / SPKI.
 * Uses @peculiar/asn1-* for the ASN.1 and @noble/curves to validate points and derive public keys. No `node:` import.
 * Every malformed input → CryptoError('BAD_KEY'); a well-formed key of an algorithm we do not offer → 'UNSUPPORTED'.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { PrivateKeyInfo, PrivateKey as Pkcs8PrivateKey } from '@peculiar/asn1-pkcs8';
import { ECParameters, ECPrivateKey, id_ecPublicKey, id_secp256r1, id_secp384r1 } from '@peculiar/asn1-ecc';
import {
  RSAPrivateKey,
  RSAPublicKey,
  RsaSaPssParams,
  id_RSASSA_PSS,
  id_rsaEncryption,
  id_sha256,
  id_sha384,
  id_sha512,
} from '@peculiar/asn1-rsa';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { CryptoError } from './errors.js';
import { CURVE_BYTES, CURVE_ORDERS, type NistCurve } from './ecdsaSignature.js';
import { bitLength, i2osp, modInverse, os2ip, type RsaPrivateParts, type RsaPublicParts } from './rsa.js';
import type { HashAlgorithm, KeyType } from './provider.js';

/** OID of Ed25519 (RFC 8410). */
export const ID_ED25519 = '1.3.101.112';

/** Smallest RSA modulus we accept, in bits. */
export const MIN_RSA_BITS = 1024;

/** Public key material parsed from an SPKI. */
export type PublicKeyMaterial =
  | { readonly kind: 'ec'; readonly type: 'ec-p256' | 'ec-p384'; readonly curve: NistCurve; readonly point: Uint8Array }
  | { readonly kind: 'ed25519'; readonly type: 'ed25519'; readonly raw: Uint8Array }
  | { readonly kind: 'rsa'; readonly type: 'rsa' | 'rsa-pss'; readonly rsa: RsaPublicParts; readonly pssHash?: HashAlgorithm };

/** Private key material parsed from PKCS#8, SEC1 or PKCS#1. */
export type PrivateKeyMaterial =
  | { readonly kind: 'ec'; readonly type: 'ec-p256' | 'ec-p384'; readonly curve: NistCurve; readonly scalar: Uint8Array; readonly point: Uint8Array }
  | { readonly kind: 'ed25519'; readonly type: 'ed25519'; readonly seed: Uint8Array; readonly raw: Uint8Array }
  | { readonly kind: 'rsa'; readonly type: 'rsa' | 'rsa-pss'; readonly rsa: RsaPrivateParts; readonly pssHash?: HashAlgorithm };

/** A parsed public key: its material plus the PublicKey fields. */
export interface ParsedPublicKey {
  /** Key type. */
  readonly type: KeyType;
  /** Size in bits (modulus, curve, or 256 for Ed25519). */
  readonly bits: number;
  /** The DER SPKI. */
  readonly spki: Uint8Array;
  /** Raw material. */
  readonly material: PublicKeyMaterial;
}

/** A parsed private key: its material, its public half, and its PKCS#8 encoding. */
export interface ParsedPrivateKey {
  /** Key type. */
  readonly type: KeyType;
  /** Raw material. */
  readonly material: PrivateKeyMaterial;
  /** The matching public key. */
  readonly publicKey: ParsedPublicKey;
  /** DER PKCS#8. */
  readonly pkcs8: Uint8Array;
}

function badKey(reason: string): never {
  throw new CryptoError('BAD_KEY', reason);
}

function u8(b: ArrayBuffer | ArrayBufferView): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function parseAsn<T>(der: Uint8Array, target: new () => T, what: string): T {
  if (!(der instanceof Uint8Array) || der.length === 0) badKey(`${what}: empty or not bytes`);
  let parsed: T;
  try {
    parsed = AsnConvert.parse(der, target);
  } catch {
    badKey(`${what}: malformed DER`);
  }
  // Reject trailing garbage: the outer TLV must span the input exactly.
  if (outerLength(der) !== der.length) badKey(`${what}: trailing data`);
  return parsed;
}

/** Length of the first DER TLV in `b` (header + content), or -1 if the header is malformed. */
function outerLength(b: Uint8Array): number {
  if (b.length < 2) return -1;
  const first = b[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || b.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
  return 2 + n + len;
}

function asnInteger(raw: ArrayBuffer, what: string): bigint {
  const b = new Uint8Array(raw);
  if (b.length === 0 || b[0] & 0x80) badKey(`${what}: not a positive INTEGER`);
  return os2ip(b);
}

function curveOfOid(oid: string | undefined): NistCurve {
  if (oid === id_secp256r1) return 'P-256';
  if (oid === id_secp384r1) return 'P-384';
  throw new CryptoError('UNSUPPORTED', `unsupported EC curve ${String(oid)}`);
}

function curveImpl(curve: NistCurve): typeof p256 {
  return curve === 'P-256' ? p256 : p384;
}

function ecType(curve: NistCurve): 'ec-p256' | 'ec-p384' {
  return curve === 'P-256' ? 'ec-p256' : 'ec-p384';
}

function curveOid(curve: NistCurve): string {
  return curve === 'P-256' ? id_secp256r1 : id_secp384r1;
}

function parseEcParams(params: ArrayBuffer | null | undefined): NistCurve {
  if (!params) badKey('EC key without curve parameters');
  let ecp: ECParameters;
  try {
    ecp = AsnConvert.parse(params, ECParameters);
  } catch {
    badKey('malformed EC parameters');
  }
  if (!ecp.namedCurve) throw new CryptoError('UNSUPPORTED', 'only named EC curves are supported');
  return curveOfOid(ecp.namedCurve);
}

/** Validates an uncompressed (or compressed) EC point and returns it uncompressed; throws BAD_KEY if not on the curve. */
export function validateEcPoint(curve: NistCurve, point: Uint8Array): Uint8Array {
  const n = CURVE_BYTES[curve];
  if (point.length !== 2 * n + 1 && point.length !== n + 1) badKey(`${curve} point has the wrong length`);
  try {
    return curveImpl(curve).Point.fromBytes(point).toBytes(false);
  } catch {
    badKey(`${curve} public key is not a valid curve point`);
  }
}

const HASH_OIDS: Readonly<Record<string, HashAlgorithm>> = { [id_sha256]: 'sha256', [id_sha384]: 'sha384', [id_sha512]: 'sha512' };

function parsePssParams(params: ArrayBuffer | null | undefined): HashAlgorithm | undefined {
  if (!params) return undefined; // absent parameters: no restriction (RFC 4055 §3.1)
  let p: RsaSaPssParams;
  try {
    p = AsnConvert.parse(params, RsaSaPssParams);
  } catch {
    badKey('malformed RSASSA-PSS parameters');
  }
  const hash = HASH_OIDS[p.hashAlgorithm.algorithm];
  if (!hash) throw new CryptoError('UNSUPPORTED', `RSASSA-PSS key restricted to unsupported hash ${p.hashAlgorithm.algorithm}`);
  return hash;
}

function checkRsaPublic(rsa: RsaPublicParts): number {
  const bits = bitLength(rsa.n);
  if (bits < MIN_RSA_BITS) badKey(`RSA modulus of ${bits} bits is below ${MIN_RSA_BITS}`);
  if (bits > 16384) badKey('RSA modulus too large');
  if ((rsa.n & 1n) === 0n) badKey('RSA modulus is even');
  if (rsa.e < 3n || (rsa.e & 1n) === 0n || rsa.e >= rsa.n) badKey('bad RSA public exponent');
  return bits;
}

function parseRsaPublic(der: Uint8Array): RsaPublicParts {
  const k = parseAsn(der, RSAPublicKey, 'RSAPublicKey');
  return { n: asnInteger(k.modulus, 'modulus'), e: asnInteger(k.publicExponent, 'publicExponent') };
}

/** Parses a DER SubjectPublicKeyInfo. */
export function parseSpki(spki: Uint8Array): ParsedPublicKey {
  const info = parseAsn(spki, SubjectPublicKeyInfo, 'SubjectPublicKeyInfo');
  const alg = info.algorithm.algorithm;
  const key = new Uint8Array(info.subjectPublicKey);
  const copy = Uint8Array.from(spki);
  if (alg === id_ecPublicKey) {
    const curve = parseEcParams(info.algorithm.parameters);
    const point = validateEcPoint(curve, key);
    return { type: ecType(curve), bits: CURVE_BYTES[curve] * 8, spki: copy, material: { kind: 'ec', type: ecType(curve), curve, point } };
  }
  if (alg === ID_ED25519) {
    if (info.algorithm.parameters !== undefined && info.algorithm.parameters !== null) badKey('Ed25519 parameters must be absent');
    if (key.length !== 32) badKey('Ed25519 public key must be 32 bytes');
    try {
      ed25519.Point.fromBytes(key);
    } catch {
      badKey('Ed25519 public key is not a valid point');
    }
    return { type: 'ed25519', bits: 256, spki: copy, material: { kind: 'ed25519', type: 'ed25519', raw: key } };
  }
  if (alg === id_rsaEncryption || alg === id_RSASSA_PSS) {
    const type = alg === id_rsaEncryption ? 'rsa' : 'rsa-pss';
    const pssHash = type === 'rsa-pss' ? parsePssParams(info.algorithm.parameters) : undefined;
    const rsa = parseRsaPublic(key);
    const bits = checkRsaPublic(rsa);
    return { type, bits, spki: copy, material: pssHash ? { kind: 'rsa', type, rsa, pssHash } : { kind: 'rsa', type, rsa } };
  }
  throw new CryptoError('UNSUPPORTED', `unsupported public key algorithm ${alg}`);
}

function ecFromScalar(curve: NistCurve, scalar: Uint8Array, embeddedPoint?: Uint8Array): PrivateKeyMaterial {
  const n = CURVE_BYTES[curve];
  if (scalar.length > n) badKey(`${curve} private key too long`);
  const s = new Uint8Array(n);
  s.set(scalar, n - scalar.length);
  const d = os2ip(s);
  if (d < 1n || d >= CURVE_ORDERS[curve]) badKey(`${curve} private scalar out of range`);
  const point = curveImpl(curve).getPublicKey(s, false);
  if (embeddedPoint && embeddedPoint.length > 0) {
    const given = validateEcPoint(curve, embeddedPoint);
    if (given.length !== point.length || given.some((v, i) => v !== point[i])) badKey('EC public key does not match the private key');
  }
  return { kind: 'ec', type: ecType(curve), curve, scalar: s, point };
}

function parseSec1(der: Uint8Array, outerCurve?: NistCurve): PrivateKeyMaterial {
  const k = parseAsn(der, ECPrivateKey, 'ECPrivateKey');
  if (k.version !== 1) badKey('ECPrivateKey version must be 1');
  let curve = outerCurve;
  if (k.parameters) {
    if (!k.parameters.namedCurve) throw new CryptoError('UNSUPPORTED', 'only named EC curves are supported');
    const inner = curveOfOid(k.parameters.namedCurve);
    if (curve && inner !== curve) badKey('EC curve mismatch between PKCS#8 and SEC1');
    curve = inner;
  }
  if (!curve) badKey('EC private key without a curve');
  return ecFromScalar(curve, u8(k.privateKey), k.publicKey ? new Uint8Array(k.publicKey) : undefined);
}

function parsePkcs1Private(der: Uint8Array, type: 'rsa' | 'rsa-pss', pssHash?: HashAlgorithm): PrivateKeyMaterial {
  const k = parseAsn(der, RSAPrivateKey, 'RSAPrivateKey');
  if (k.version !== 0) throw new CryptoError('UNSUPPORTED', 'multi-prime RSA keys are not supported');
  const rsa: RsaPrivateParts = {
    n: asnInteger(k.modulus, 'modulus'),
    e: asnInteger(k.publicExponent, 'publicExponent'),
    d: asnInteger(k.privateExponent, 'privateExponent'),
    p: asnInteger(k.prime1, 'prime1'),
    q: asnInteger(k.prime2, 'prime2'),
    dp: asnInteger(k.exponent1, 'exponent1'),
    dq: asnInteger(k.exponent2, 'exponent2'),
    qi: asnInteger(k.coefficient, 'coefficient'),
  };
  checkRsaPublic(rsa);
  if (rsa.p * rsa.q !== rsa.n) badKey('RSA primes do not multiply to the modulus');
  if (rsa.dp !== rsa.d % (rsa.p - 1n) || rsa.dq !== rsa.d % (rsa.q - 1n) || (rsa.qi * rsa.q) % rsa.p !== 1n) {
    badKey('inconsistent RSA CRT parameters');
  }
  return pssHash ? { kind: 'rsa', type, rsa, pssHash } : { kind: 'rsa', type, rsa };
}

function ed25519FromSeed(seed: Uint8Array): PrivateKeyMaterial {
  if (seed.length !== 32) badKey('Ed25519 private key must be 32 bytes');
  return { kind: 'ed25519', type: 'ed25519', seed: Uint8Array.from(seed), raw: ed25519.getPublicKey(seed) };
}

function parsePkcs8(der: Uint8Array): PrivateKeyMaterial {
  const info = parseAsn(der, PrivateKeyInfo, 'PrivateKeyInfo');
  if (info.version !== 0 && info.version !== 1) badKey('unknown PKCS#8 version');
  const alg = info.privateKeyAlgorithm.algorithm;
  const inner = u8(info.privateKey);
  if (alg === id_ecPublicKey) return parseSec1(inner, parseEcParams(info.privateKeyAlgorithm.parameters));
  if (alg === id_rsaEncryption) return parsePkcs1Private(inner, 'rsa');
  if (alg === id_RSASSA_PSS) return parsePkcs1Private(inner, 'rsa-pss', parsePssParams(info.privateKeyAlgorithm.parameters));
  if (alg === ID_ED25519) {
    // CurvePrivateKey ::= OCTET STRING (RFC 8410 §7), wrapped in the PKCS#8 privateKey OCTET STRING.
    let seed: OctetString;
    try {
      seed = AsnConvert.parse(inner, OctetString);
    } catch {
      badKey('malformed Ed25519 private key');
    }
    if (outerLength(inner) !== inner.length) badKey('Ed25519 private key: trailing data');
    return ed25519FromSeed(u8(seed));
  }
  throw new CryptoError('UNSUPPORTED', `unsupported private key algorithm ${alg}`);
}

function derTag(b: Uint8Array, pos: number): number {
  return pos < b.length ? b[pos] : -1;
}

/**
 * Parses a DER private key in PKCS#8, SEC1 ECPrivateKey or PKCS#1 RSAPrivateKey form (told apart by their first
 * fields: PKCS#8 has INTEGER 0 then a SEQUENCE, SEC1 has INTEGER 1 then an OCTET STRING, PKCS#1 INTEGER 0 then INTEGER).
 */
export function parsePrivateKeyDer(der: Uint8Array): ParsedPrivateKey {
  if (!(der instanceof Uint8Array) || der.length < 8 || der[0] !== 0x30) badKey('private key is not a DER SEQUENCE');
  // Skip the outer SEQUENCE header to look at the first two fields.
  const lenByte = der[1];
  const hdr = lenByte < 0x80 ? 2 : 2 + (lenByte & 0x7f);
  if (derTag(der, hdr) !== 0x02 || derTag(der, hdr + 1) !== 0x01) badKey('private key does not start with a version');
  const version = derTag(der, hdr + 2);
  const next = derTag(der, hdr + 3);
  let material: PrivateKeyMaterial;
  if ((version === 0 || version === 1) && next === 0x30) material = parsePkcs8(der);
  else if (version === 1 && next === 0x04) material = parseSec1(der);
  else if (version === 0 && next === 0x02) material = parsePkcs1Private(der, 'rsa');
  else badKey('unrecognised private key format');
  return fromPrivateMaterial(material);
}

function der(obj: unknown): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(obj));
}

function rsaPublicDer(rsa: RsaPublicParts): Uint8Array {
  return der(new RSAPublicKey({ modulus: intBuf(rsa.n), publicExponent: intBuf(rsa.e) }));
}

/** Minimal positive INTEGER content bytes for asn1-schema. */
function intBuf(v: bigint): ArrayBuffer {
  const len = Math.floor(bitLength(v) / 8) + 1; // one extra byte when the top bit is set keeps it positive
  const b = i2osp(v, len);
  let start = 0;
  while (start < b.length - 1 && b[start] === 0 && !(b[start + 1] & 0x80)) start++;
  return b.slice(start).buffer;
}

function algId(type: KeyType, curve?: NistCurve): AlgorithmIdentifier {
  switch (type) {
    case 'ec-p256':
    case 'ec-p384':
      return new AlgorithmIdentifier({
        algorithm: id_ecPublicKey,
        parameters: der(new ECParameters({ namedCurve: curveOid(curve ?? (type === 'ec-p256' ? 'P-256' : 'P-384')) })).buffer as ArrayBuffer,
      });
    case 'ed25519':
      return new AlgorithmIdentifier({ algorithm: ID_ED25519 });
    case 'rsa':
      return new AlgorithmIdentifier({ algorithm: id_rsaEncryption, parameters: null });
    default:
      // id-RSASSA-PSS with absent parameters (RFC 4055 §3.1: no restriction).
      return new AlgorithmIdentifier({ algorithm: id_RSASSA_PSS });
  }
}

/** Encodes public key material as a DER SubjectPublicKeyInfo. */
export function encodeSpki(m: PublicKeyMaterial): Uint8Array {
  let bits: Uint8Array;
  if (m.kind === 'ed25519') bits = m.raw;
  else if (m.kind === 'rsa') bits = rsaPublicDer(m.rsa);
  else bits = m.point;
  const alg = m.kind === 'ec' ? algId(m.type, m.curve) : algId(m.type);
  return der(new SubjectPublicKeyInfo({ algorithm: alg, subjectPublicKey: bits.slice().buffer as ArrayBuffer }));
}

/** Encodes private key material as DER PKCS#8 (SEC1 with curve and public key inside for EC keys). */
export function encodePkcs8(m: PrivateKeyMaterial): Uint8Array {
  let inner: Uint8Array;
  if (m.kind === 'ed25519') {
    inner = der(new OctetString(m.seed));
  } else if (m.kind === 'rsa') {
    const r = m.rsa;
    inner = der(
      new RSAPrivateKey({
        version: 0,
        modulus: intBuf(r.n),
        publicExponent: intBuf(r.e),
        privateExponent: intBuf(r.d),
        prime1: intBuf(r.p),
        prime2: intBuf(r.q),
        exponent1: intBuf(r.dp),
        exponent2: intBuf(r.dq),
        coefficient: intBuf(r.qi),
      }),
    );
  } else {
    inner = der(
      new ECPrivateKey({
        version: 1,
        privateKey: new OctetString(m.scalar),
        publicKey: m.point.slice().buffer as ArrayBuffer,
      }),
    );
  }
  const alg = m.kind === 'ec' ? algId(m.type, m.curve) : algId(m.type);
  return der(new PrivateKeyInfo({ version: 0, privateKeyAlgorithm: alg, privateKey: new Pkcs8PrivateKey(inner) }));
}

/** The public half of private key material. */
export function publicMaterialOf(m: PrivateKeyMaterial): PublicKeyMaterial {
  if (m.kind === 'ed25519') return { kind: 'ed25519', type: 'ed25519', raw: m.raw };
  if (m.kind === 'rsa') {
    const rsa = { n: m.rsa.n, e: m.rsa.e };
    return m.pssHash ? { kind: 'rsa', type: m.type, rsa, pssHash: m.pssHash } : { kind: 'rsa', type: m.type, rsa };
  }
  return { kind: 'ec', type: m.type, curve: m.curve, point: m.point };
}

/** Builds the parsed key (public half, SPKI, PKCS#8) from private material. */
export function fromPrivateMaterial(material: PrivateKeyMaterial): ParsedPrivateKey {
  const pub = publicMaterialOf(material);
  const spki = encodeSpki(pub);
  const bits = pub.kind === 'ed25519' ? 256 : pub.kind === 'rsa' ? bitLength(pub.rsa.n) : CURVE_BYTES[pub.curve] * 8;
  return {
    type: material.type,
    material,
    publicKey: { type: material.type, bits, spki, material: pub },
    pkcs8: encodePkcs8(material),
  };
}

/** Private material from raw parts (used after key generation). */
export function ecPrivateFromScalar(curve: NistCurve, scalar: Uint8Array): PrivateKeyMaterial {
  return ecFromScalar(curve, scalar);
}

/** Ed25519 private material from a 32-byte seed. */
export function ed25519PrivateFromSeed(seed: Uint8Array): PrivateKeyMaterial {
  return ed25519FromSeed(seed);
}

/** RSA private material from generated parts (recomputes qi defensively). */
export function rsaPrivateFromParts(type: 'rsa' | 'rsa-pss', rsa: RsaPrivateParts): PrivateKeyMaterial {
  return { kind: 'rsa', type, rsa: { ...rsa, qi: modInverse(rsa.q, rsa.p) } };
}
