/**
 * A bounded cache of parsed certificates and of their imported public keys, so that a peer presenting the same chain
 * on every connection (the common case: one server, many clients) is parsed once and its keys are imported once per
 * provider. Parsing is a pure function of the DER bytes and the cached objects are read-only, so sharing them between
 * connections is safe; validation (time, anchors, purpose, host name, signatures) is still done on every use.
 *
 * Lookups hash the DER (FNV-1a, 32 bit) and compare the bytes exactly; a parse error is not cached.
 */
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import { parseX509Certificate, type X509Certificate } from './certificate.js';

/** Most certificates kept; when full, the least recently inserted hash bucket is dropped. */
export const CERTIFICATE_CACHE_SIZE = 256;

const buckets = new Map<number, X509Certificate[]>();
let cached = 0;
const publicKeys = new WeakMap<X509Certificate, WeakMap<CryptoProvider, PublicKey>>();

function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * {@link parseX509Certificate} with a cache: the same DER bytes give the same (shared, read-only) object.
 * Throws exactly what the parser throws (TlsAlert bad_certificate).
 */
export function parseX509CertificateCached(der: Uint8Array): X509Certificate {
  const h = fnv1a(der);
  const bucket = buckets.get(h);
  if (bucket !== undefined) {
    for (const c of bucket) if (sameBytes(c.der, der)) return c;
  }
  const cert = parseX509Certificate(der);
  if (cached >= CERTIFICATE_CACHE_SIZE) {
    const oldest = buckets.keys().next().value as number;
    cached -= buckets.get(oldest)!.length;
    buckets.delete(oldest);
  }
  if (bucket !== undefined && buckets.has(h)) bucket.push(cert);
  else buckets.set(h, [cert]);
  cached++;
  return cert;
}

/** The certificate's subject public key imported by `provider`, once per (certificate, provider); errors are not cached. */
export function certificatePublicKey(cert: X509Certificate, provider: CryptoProvider): PublicKey {
  let perProvider = publicKeys.get(cert);
  if (perProvider === undefined) {
    perProvider = new WeakMap();
    publicKeys.set(cert, perProvider);
  }
  let key = perProvider.get(provider);
  if (key === undefined) {
    key = provider.importPublicKey(cert.spki);
    perProvider.set(provider, key);
  }
  return key;
}

/** Empties the cache (tests). */
export function clearCertificateCache(): void {
  buckets.clear();
  cached = 0;
}
