/**
 * Our certificate chain and private key, loaded from what the options hold (DER, PEM text, or an imported key) and
 * cached per source object so that many connections share one import.
 */
import { TlsAlert } from '../alerts.js';
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js';
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

/** Loads chain and key together. */
export function loadCredentials(
  provider: CryptoProvider,
  cert: PemOrDer,
  key: string | Uint8Array | PrivateKey,
): LoadedCredentials {
  return { chain: loadChain(cert), key: loadPrivateKey(provider, key) };
}

