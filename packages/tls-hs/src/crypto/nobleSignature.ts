/**
 * Key import / generation and signatures for the noble provider: ECDSA P-256/P-384 and Ed25519 with @noble/curves,
 * RSASSA-PSS and PKCS#1 v1.5 with our bigint RSA. No `node:` import.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { CryptoError } from './errors.js';
import { ecdsaCompact, encodeEcdsaSignature, parseEcdsaSignature, type NistCurve } from './ecdsaSignature.js';
import {
  ecPrivateFromScalar,
  ed25519PrivateFromSeed,
  fromPrivateMaterial,
  parsePrivateKeyDer,
  parseSpki,
  rsaPrivateFromParts,
  type ParsedPrivateKey,
  type ParsedPublicKey,
} from './keys.js';
import { KeyStore } from './keyStore.js';
import { nobleDigest } from './nobleSymmetric.js';
import { assertBytes, checkSignatureFit, hashLengthOf } from './params.js';
import { generateRsaKey, os2ip, rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js';
import type { CryptoProvider, KeyType, PrivateKey, PublicKey, SignatureParams } from './provider.js';

type SignatureMethods = Pick<CryptoProvider, 'importPublicKey' | 'importPrivateKey' | 'generateKeyPair' | 'sign' | 'verify'>;

function curveImpl(curve: NistCurve): typeof p256 {
  return curve === 'P-256' ? p256 : p384;
}

/** Creates the noble key and signature methods (with their own key cache). */
export function createNobleSignatureMethods(): SignatureMethods {
  const store = new KeyStore<ParsedPublicKey, ParsedPrivateKey>({ publicFrom: (p) => p, privateFrom: (p) => p });

  function sign(key: PrivateKey, params: SignatureParams, data: Uint8Array): Uint8Array {
    assertBytes(data, 'data');
    const { parsed } = store.privateOf(key);
    const m = parsed.material;
    checkSignatureFit(m.type, params, m.kind === 'rsa' ? m.pssHash : undefined);
    if (m.kind === 'ed25519') return ed25519.sign(data, m.seed);
    if (m.kind === 'ec') {
      const hash = (params as { hash: 'sha256' }).hash;
      const compact = curveImpl(m.curve).sign(nobleDigest(hash, data), m.scalar, { prehash: false, format: 'compact' });
      const n = compact.length / 2;
      return encodeEcdsaSignature(os2ip(compact.subarray(0, n)), os2ip(compact.subarray(n)));
    }
    if (params.kind === 'rsa-pss') return rsaPssSign(m.rsa, params.hash, data, randomBytes(hashLengthOf(params.hash)));
    return rsaPkcs1Sign(m.rsa, (params as { hash: 'sha256' }).hash, data);
  }

  function verify(key: PublicKey, params: SignatureParams, data: Uint8Array, signature: Uint8Array): void {
    assertBytes(data, 'data');
    if (!(signature instanceof Uint8Array)) throw new CryptoError('BAD_SIGNATURE', 'signature must be a Uint8Array');
    const { parsed } = store.publicOf(key);
    const m = parsed.material;
    checkSignatureFit(m.type, params, m.kind === 'rsa' ? m.pssHash : undefined);
    let ok: boolean;
    if (m.kind === 'ed25519') {
      if (signature.length !== 64) throw new CryptoError('BAD_SIGNATURE', 'Ed25519 signature must be 64 bytes');
      try {
        ok = ed25519.verify(signature, data, m.raw, { zip215: false });
      } catch {
        ok = false;
      }
    } else if (m.kind === 'ec') {
      const { r, s } = parseEcdsaSignature(signature, m.curve);
      const hash = (params as { hash: 'sha256' }).hash;
      try {
        ok = curveImpl(m.curve).verify(ecdsaCompact(r, s, m.curve), nobleDigest(hash, data), m.point, {
          prehash: false,
          lowS: false,
          format: 'compact',
        });
      } catch {
        ok = false;
      }
    } else {
      const hash = (params as { hash: 'sha256' }).hash;
      if (params.kind === 'rsa-pss') rsaPssVerify(m.rsa, hash, data, signature);
      else rsaPkcs1Verify(m.rsa, hash, data, signature);
      ok = true;
    }
    if (!ok) throw new CryptoError('BAD_SIGNATURE', `${params.kind} signature did not verify`);
  }

  function generateKeyPair(type: KeyType, options?: { readonly bits?: number }): PrivateKey {
    switch (type) {
      case 'ec-p256':
      case 'ec-p384': {
        const curve: NistCurve = type === 'ec-p256' ? 'P-256' : 'P-384';
        return store.wrapPrivate(fromPrivateMaterial(ecPrivateFromScalar(curve, curveImpl(curve).utils.randomSecretKey())));
      }
      case 'ed25519':
        return store.wrapPrivate(fromPrivateMaterial(ed25519PrivateFromSeed(randomBytes(32))));
      case 'rsa':
      case 'rsa-pss':
        return store.wrapPrivate(fromPrivateMaterial(rsaPrivateFromParts(type, generateRsaKey(options?.bits ?? 2048, randomBytes))));
      default:
        throw new CryptoError('UNSUPPORTED', `unknown key type ${String(type)}`);
    }
  }

  return {
    importPublicKey: (spki: Uint8Array) => store.wrapPublic(parseSpki(spki)),
    importPrivateKey: (der: Uint8Array) => store.wrapPrivate(parsePrivateKeyDer(der)),
    generateKeyPair,
    sign,
    verify,
  };
}
