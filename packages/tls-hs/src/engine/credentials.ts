/**
 * Our certificate chain and private key, loaded from what the options hold (DER, PEM text, or an imported key) and
 * cached per source object so that many connections share one import.
 */
import { TlsAlert } from '../alerts.js';
import type { CryptoProvider, PrivateKey, SignatureParams } from '../crypto/provider.js';
import { parseX509Certificate } from '../x509/certificate.js';
import type { PemOrDer } from './options.js';
import { loadCertificates, loadPrivateKeyDer } from '../x509/pem.js';

/** A usable chain + key. */
export interface LoadedCredentials {
  /** DER certificates, leaf first. */
  readonly chain: readonly Uint8Array[];
  /** The leaf's private key. */
  readonly key: PrivateKey;
}

const caches = new WeakMap<CryptoProvider, { der: WeakMap<object, PrivateKey>; pem: Map<string, PrivateKey> }>();

function cacheOf(provider: CryptoProvider): { der: WeakMap<object, PrivateKey>; pem: Map<string, PrivateKey> } {
  let c = caches.get(provider);
  if (c === undefined) {
    c = { der: new WeakMap(), pem: new Map() };
    caches.set(provider, c);
  }
  return c;
}

function isPrivateKey(v: unknown): v is PrivateKey {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'publicKey' in v && 'pkcs8' in v;
}

/** Loads a certificate chain: DER bytes, PEM text (several blocks), or a list of either. */
export function loadChain(cert: PemOrDer): Uint8Array[] {
  const out = loadCertificates(cert);
  if (out.length === 0) throw TlsAlert.of('internal_error', 'empty certificate chain');
  return out;
}

/** Loads a private key: an imported key, DER bytes (PKCS#8, SEC1, PKCS#1) or PEM text; cached per input. */
export function loadPrivateKey(provider: CryptoProvider, key: string | Uint8Array | PrivateKey): PrivateKey {
  if (isPrivateKey(key)) return key;
  const { der: keyCache, pem: pemKeyCache } = cacheOf(provider);
  let k = typeof key === 'string' ? pemKeyCache.get(key) : keyCache.get(key);
  if (k === undefined) {
    k = provider.importPrivateKey(loadPrivateKeyDer(key).der);
    if (typeof key === 'string') {
      if (pemKeyCache.size >= 64) pemKeyCache.clear();
      pemKeyCache.set(key, k);
    } else {
      keyCache.set(key, k);
    }
  }
  return k;
}

const chainCacheByObject = new WeakMap<object, Uint8Array[]>();
const chainCacheByText = new Map<string, Uint8Array[]>();

/** Loads chain and key together (chains cached per source value, keys per provider and source). */
export function loadCredentials(
  provider: CryptoProvider,
  cert: PemOrDer,
  key: string | Uint8Array | PrivateKey,
): LoadedCredentials {
  let chain = typeof cert === 'string' ? chainCacheByText.get(cert) : chainCacheByObject.get(cert);
  if (chain === undefined) {
    chain = loadChain(cert);
    if (typeof cert === 'string') {
      if (chainCacheByText.size >= 64) chainCacheByText.clear();
      chainCacheByText.set(cert, chain);
    } else {
      chainCacheByObject.set(cert, chain);
    }
  }
  return { chain, key: loadPrivateKey(provider, key) };
}


const chainSchemeCache = new WeakMap<readonly Uint8Array[], (readonly number[])[]>();

/** TLS SignatureScheme codepoints that express a certificate signature made with `params`. */
export function schemesFor(params: SignatureParams): readonly number[] {
  switch (params.kind) {
    case 'ed25519':
      return [0x0807];
    case 'ecdsa':
      return [{ sha256: 0x0403, sha384: 0x0503, sha512: 0x0603 }[params.hash]];
    case 'rsa-pkcs1':
      return [{ sha256: 0x0401, sha384: 0x0501, sha512: 0x0601 }[params.hash]];
    case 'rsa-pss': {
      const i = { sha256: 0, sha384: 1, sha512: 2 }[params.hash];
      return [0x0804 + i, 0x0809 + i];
    }
  }
}

/**
 * For each certificate of the chain that a peer has to check (all but a self-issued last one), the SignatureScheme
 * codepoints its signature corresponds to (empty when not expressible). Cached per chain.
 */
export function chainSignatureSchemes(chain: readonly Uint8Array[]): (readonly number[])[] {
  let out = chainSchemeCache.get(chain);
  if (out !== undefined) return out;
  out = [];
  for (let i = 0; i < chain.length; i++) {
    let cert;
    try {
      cert = parseX509Certificate(chain[i]);
    } catch {
      out.push([]); // not X.509 (e.g. a raw public key): nothing to match
      continue;
    }
    if (i === chain.length - 1 && i > 0 && cert.selfIssued) break;
    out.push(cert.signatureAlgorithm.supported ? schemesFor(cert.signatureAlgorithm.params) : []);
  }
  chainSchemeCache.set(chain, out);
  return out;
}

/** True when every certificate signature of the chain is one of `accepted` (RFC 8446 §4.4.2.2). */
export function chainSignedWithin(chain: readonly Uint8Array[], accepted: readonly number[]): boolean {
  return chainSignatureSchemes(chain).every((codes) => codes.some((c) => accepted.includes(c)));
}
