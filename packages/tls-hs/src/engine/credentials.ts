/**
 * Our certificate chain and private key, loaded from what the options hold (DER, PEM text, or an imported key) and
 * cached per source object so that many connections share one import.
 */
import { TlsAlert } from '../alerts.js';
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js';
import type { PemOrDer } from './options.js';

/** A usable chain + key. */
export interface LoadedCredentials {
  /** DER certificates, leaf first. */
  readonly chain: readonly Uint8Array[];
  /** The leaf's private key. */
  readonly key: PrivateKey;
}

const keyCache = new WeakMap<object, PrivateKey>();
const pemKeyCache = new Map<string, PrivateKey>();

function isPrivateKey(v: unknown): v is PrivateKey {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'publicKey' in v && 'pkcs8' in v;
}

/** Loads a certificate chain: DER bytes, PEM text (several blocks), or a list of either. */
export function loadChain(cert: PemOrDer): Uint8Array[] {
  const items = typeof cert === 'string' || cert instanceof Uint8Array ? [cert] : cert;
  const out: Uint8Array[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push(...pemBlocks(item, 'CERTIFICATE'));
    else out.push(item);
  }
  if (out.length === 0) throw TlsAlert.of('internal_error', 'empty certificate chain');
  return out;
}

/** Loads a private key: an imported key, DER bytes, or PEM text. */
export function loadPrivateKey(provider: CryptoProvider, key: string | Uint8Array | PrivateKey): PrivateKey {
  if (isPrivateKey(key)) return key;
  if (typeof key === 'string') {
    let k = pemKeyCache.get(key);
    if (k === undefined) {
      const blocks = pemBlocks(key, 'PRIVATE KEY');
      if (blocks.length !== 1) throw TlsAlert.of('internal_error', 'expected exactly one PEM private key');
      k = provider.importPrivateKey(blocks[0]);
      if (pemKeyCache.size > 64) pemKeyCache.clear();
      pemKeyCache.set(key, k);
    }
    return k;
  }
  let k = keyCache.get(key);
  if (k === undefined) {
    k = provider.importPrivateKey(key);
    keyCache.set(key, k);
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

/** PEM blocks whose label ends with `labelSuffix` ("CERTIFICATE", "PRIVATE KEY"), decoded. */
function pemBlocks(text: string, labelSuffix: string): Uint8Array[] {
  return decodePemBlocks(text).filter((b) => b.label.endsWith(labelSuffix)).map((b) => b.der);
}

/** Placeholder until x509/pem.ts is used: filled in below. */
function decodePemBlocks(text: string): { label: string; der: Uint8Array }[] {
  void text;
  throw TlsAlert.of('internal_error', 'PEM input needs x509/pem.ts');
}
