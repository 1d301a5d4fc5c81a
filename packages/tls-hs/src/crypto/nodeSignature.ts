/**
 * Key import / generation and signatures for the node provider, all on node:crypto KeyObjects (created once per key).
 * DER parsing and validation is shared with the noble provider (keys.ts); ECDSA signatures are checked for strict DER
 * before OpenSSL sees them, so both providers accept and reject exactly the same encodings.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type ED25519KeyPairOptions,
  type KeyObject,
} from 'node:crypto';
import { CryptoError } from './errors.js';
import { checkEcdsaSignature } from './ecdsaSignature.js';
import { parsePrivateKeyDer, parseSpki } from './keys.js';
import { KeyStore } from './keyStore.js';
import { assertBytes, checkSignatureFit, hashLengthOf } from './params.js';
import type { CryptoProvider, KeyType, PrivateKey, PublicKey, SignatureParams } from './provider.js';

type SignatureMethods = Pick<CryptoProvider, 'importPublicKey' | 'importPrivateKey' | 'generateKeyPair' | 'sign' | 'verify'>;

type Material = ReturnType<typeof parseSpki>['material'];

function pssHashOf(m: Material | ReturnType<typeof parsePrivateKeyDer>['material']): 'sha256' | 'sha384' | 'sha512' | undefined {
  return m.kind === 'rsa' ? m.pssHash : undefined;
}

function options(params: SignatureParams): { algorithm: string | null; padding?: number; saltLength?: number; dsaEncoding?: 'der' } {
  switch (params.kind) {
    case 'ed25519':
      return { algorithm: null };
    case 'ecdsa':
      return { algorithm: params.hash, dsaEncoding: 'der' };
    case 'rsa-pss':
      return { algorithm: params.hash, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hashLengthOf(params.hash) };
    default:
      return { algorithm: params.hash, padding: constants.RSA_PKCS1_PADDING };
  }
}

/** Generated keys come back DER-encoded from the generation job itself (see generateKeyPair). */
const DER_ENCODING: ED25519KeyPairOptions<'der', 'der'> = {
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'der' },
};

/** Creates the node key and signature methods (with their own KeyObject cache). */
export function createNodeSignatureMethods(): SignatureMethods {
  const store = new KeyStore<KeyObject, KeyObject>({
    publicFrom: (p) => createPublicKey({ key: Buffer.from(p.spki), format: 'der', type: 'spki' }),
    privateFrom: (p) => createPrivateKey({ key: Buffer.from(p.pkcs8), format: 'der', type: 'pkcs8' }),
  });

  function sign(key: PrivateKey, params: SignatureParams, data: Uint8Array): Uint8Array {
    assertBytes(data, 'data');
    const { parsed, inner } = store.privateOf(key);
    checkSignatureFit(parsed.type, params, pssHashOf(parsed.material));
    const { algorithm, ...opts } = options(params);
    try {
      return nodeSign(algorithm, data, { key: inner, ...opts });
    } catch (e) {
      throw new CryptoError('BAD_KEY', `signing failed: ${(e as Error).message}`);
    }
  }

  function verify(key: PublicKey, params: SignatureParams, data: Uint8Array, signature: Uint8Array): void {
    assertBytes(data, 'data');
    if (!(signature instanceof Uint8Array)) throw new CryptoError('BAD_SIGNATURE', 'signature must be a Uint8Array');
    const { parsed, inner } = store.publicOf(key);
    const m = parsed.material;
    checkSignatureFit(parsed.type, params, pssHashOf(m));
    if (m.kind === 'ec') checkEcdsaSignature(signature, m.curve);
    else if (m.kind === 'ed25519' && signature.length !== 64) throw new CryptoError('BAD_SIGNATURE', 'Ed25519 signature must be 64 bytes');
    else if (m.kind === 'rsa' && signature.length !== Math.ceil(parsed.bits / 8)) {
      throw new CryptoError('BAD_SIGNATURE', 'RSA signature has the wrong length');
    }
    const { algorithm, ...opts } = options(params);
    let ok: boolean;
    try {
      ok = nodeVerify(algorithm, data, { key: inner, ...opts }, signature);
    } catch {
      ok = false;
    }
    if (!ok) throw new CryptoError('BAD_SIGNATURE', `${params.kind} signature did not verify`);
  }

  function generateKeyPair(type: KeyType, opts?: { readonly bits?: number }): PrivateKey {
    // The job encodes the key itself: exporting it later from the job's KeyObject can deadlock Node 20 (see nodeEcdh).
    let der: Uint8Array;
    switch (type) {
      case 'ec-p256':
      case 'ec-p384':
        der = generateKeyPairSync('ec', { namedCurve: type === 'ec-p256' ? 'P-256' : 'P-384', ...DER_ENCODING }).privateKey;
        break;
      case 'ed25519':
        der = generateKeyPairSync('ed25519', DER_ENCODING).privateKey;
        break;
      case 'rsa':
      case 'rsa-pss': {
        const bits = opts?.bits ?? 2048;
        if (!Number.isSafeInteger(bits) || bits < 1024 || bits > 8192 || bits % 2 !== 0) {
          throw new CryptoError('BAD_INPUT', 'RSA modulus size must be an even number of bits in 1024..8192');
        }
        const options = { modulusLength: bits, publicExponent: 65537, ...DER_ENCODING };
        der = type === 'rsa' ? generateKeyPairSync('rsa', options).privateKey : generateKeyPairSync('rsa-pss', options).privateKey;
        break;
      }
      default:
        throw new CryptoError('UNSUPPORTED', `unknown key type ${String(type)}`);
    }
    return store.wrapPrivate(parsePrivateKeyDer(new Uint8Array(der.buffer, der.byteOffset, der.byteLength)));
  }

  return {
    importPublicKey: (spki: Uint8Array) => store.wrapPublic(parseSpki(spki)),
    importPrivateKey: (der: Uint8Array) => store.wrapPrivate(parsePrivateKeyDer(der)),
    generateKeyPair,
    sign,
    verify,
  };
}
