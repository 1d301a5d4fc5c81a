/**
 * Certificate path building and validation (RFC 5280 §6, simplified for TLS; RFC 8446 §4.4.2.2 allows the peer's
 * intermediates in any order and extra certificates, which are ignored).
 *
 * Building: from the leaf, candidate issuers are the configured anchors first, then the presented certificates and the
 * extra `intermediates`, whose subject equals the child's issuer and whose subjectKeyIdentifier (when both sides have
 * one) equals the child's authorityKeyIdentifier. Every chain that ends at an anchor within the depth limit is a
 * candidate path; candidates are validated in order (shortest first) and the first valid one wins. A leaf that is
 * itself an anchor (same DER, or same subject and key) is a path of one.
 *
 * Validation of a candidate, and the alert for each failure (RFC 8446 §6.2 wording):
 * - a certificate outside its validity at `now` (expired or not yet valid) → certificate_expired
 * - an unknown critical extension, an unsupported signature algorithm (SHA-1, …) or public key → unsupported_certificate
 * - a signature that does not verify with the issuer's key → bad_certificate (RFC 8446: "contained signatures that did
 *   not verify correctly")
 * - an issuer that is not a CA (basicConstraints cA absent/false), lacks keyCertSign in a present keyUsage, or whose
 *   pathLenConstraint is exceeded → bad_certificate (the certificate below it cannot be validly issued)
 * - a leaf whose keyUsage lacks digitalSignature, or whose (or an intermediate's) extendedKeyUsage lacks the purpose and
 *   anyExtendedKeyUsage → unsupported_certificate (OpenSSL's choice for a wrong purpose, too)
 * - a hostname that the leaf does not name → bad_certificate (see hostname.ts)
 * - no candidate path at all → unknown_ca
 * The trust anchor's own signature is not checked (it is trusted as configured); its validity period and its CA flags
 * (when it has the extensions) are.
 */
import { TlsAlert } from '../alerts.js';
import { CryptoError } from '../crypto/errors.js';
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import { ExtKeyUsageOid, keyUsageAllows, type X509Certificate } from './certificate.js';
import { certificatePublicKey, parseX509CertificateCached } from './certificateCache.js';
import { namesEqual } from './distinguishedName.js';
import { checkHostname } from './hostname.js';

/** What the peer authenticates as. */
export type CertificatePurpose = 'serverAuth' | 'clientAuth';

/**
 * A hook called once with the outcome: `error` is null when validation succeeded. Return true to accept, false to
 * reject. Returning true for a non-null error overrides it (the result then has `overridden: true`); returning false
 * for a valid chain rejects it with bad_certificate.
 */
export type VerifyCallback = (error: TlsAlert | null, chain: readonly X509Certificate[]) => boolean;

/** Inputs of {@link verifyCertificateChain}. */
export interface VerifyChainOptions {
  /** The chain as sent by the peer, DER, leaf first. */
  readonly chain: readonly Uint8Array[];
  /** Trust anchors (parsed, or DER). */
  readonly anchors: readonly (X509Certificate | Uint8Array)[];
  /** Extra untrusted intermediates to build with (parsed, or DER). */
  readonly intermediates?: readonly (X509Certificate | Uint8Array)[];
  /** The time to validate at (from the injected clock). */
  readonly now: Date;
  /** Required purpose of the leaf. */
  readonly purpose: CertificatePurpose;
  /** Reference identity to check against the leaf (DNS name or IP literal). */
  readonly hostname?: string;
  /** Crypto provider for the signature checks. */
  readonly provider: CryptoProvider;
  /** Maximum number of certificates in a path, anchor included (default 10). */
  readonly maxDepth?: number;
  /** Accept/reject override hook. */
  readonly verify?: VerifyCallback;
}

/** The outcome of a successful (or overridden) validation. */
export interface VerifiedChain {
  /** The path from the leaf to the anchor (leaf first); when overridden, the best candidate or the chain as sent. */
  readonly path: readonly X509Certificate[];
  /** The leaf. */
  readonly leaf: X509Certificate;
  /** The anchor that ends the path (undefined when overridden without a path). */
  readonly anchor: X509Certificate | undefined;
  /** The leaf's public key, for CertificateVerify. */
  readonly publicKey: PublicKey;
  /** True when the verify callback accepted a chain that failed validation. */
  readonly overridden: boolean;
  /** The validation error the callback overrode. */
  readonly error?: TlsAlert;
}

/** Default maximum path length (certificates, anchor included). */
export const DEFAULT_MAX_CHAIN_DEPTH = 10;
/** Most candidate paths examined before giving up (bounds the work an adversarial chain can cause). */
const MAX_CANDIDATES = 16;

function asParsed(c: X509Certificate | Uint8Array): X509Certificate {
  return c instanceof Uint8Array ? parseX509CertificateCached(c) : c;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `issuer` could have issued `child` by name and key identifier. */
function couldIssue(issuer: X509Certificate, child: X509Certificate): boolean {
  if (!namesEqual(issuer.subject, child.issuer)) return false;
  const aki = child.extensions.authorityKeyIdentifier;
  const ski = issuer.extensions.subjectKeyIdentifier;
  return aki === undefined || ski === undefined || sameBytes(aki, ski);
}

function isSameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return sameBytes(a.der, b.der) || (namesEqual(a.subject, b.subject) && sameBytes(a.spki, b.spki));
}

/** Candidate paths leaf → anchor, shortest first, at most MAX_CANDIDATES. */
function buildPaths(leaf: X509Certificate, anchors: readonly X509Certificate[], pool: readonly X509Certificate[], maxDepth: number): X509Certificate[][] {
  const found: X509Certificate[][] = [];
  if (anchors.some((a) => isSameCertificate(a, leaf))) found.push([leaf]);
  // Breadth-first, so shorter paths come first.
  let frontier: X509Certificate[][] = [[leaf]];
  while (frontier.length > 0 && found.length < MAX_CANDIDATES) {
    const next: X509Certificate[][] = [];
    for (const path of frontier) {
      if (path.length >= maxDepth) continue;
      const tip = path[path.length - 1];
      for (const a of anchors) {
        if (couldIssue(a, tip) && !path.some((p) => isSameCertificate(p, a))) found.push([...path, a]);
      }
      for (const c of pool) {
        if (couldIssue(c, tip) && !path.some((p) => isSameCertificate(p, c)) && !anchors.some((a) => isSameCertificate(a, c))) {
          next.push([...path, c]);
        }
      }
      if (next.length > MAX_CANDIDATES * 4) break;
    }
    frontier = next;
  }
  return found.slice(0, MAX_CANDIDATES);
}

function alertFromCrypto(e: unknown, what: string): TlsAlert {
  if (e instanceof TlsAlert) return e;
  if (e instanceof CryptoError && e.code === 'UNSUPPORTED') return TlsAlert.of('unsupported_certificate', `${what}: ${e.message}`, e);
  return TlsAlert.of('bad_certificate', `${what}: ${e instanceof Error ? e.message : String(e)}`, e);
}

function describe(c: X509Certificate): string {
  return `"${c.subject.text}"`;
}

/** Per-call caches so that several candidate paths sharing links do not redo signature checks. */
interface Caches {
  readonly keys: Map<X509Certificate, PublicKey | TlsAlert>;
  readonly links: Map<string, TlsAlert | null>;
  readonly ids: Map<X509Certificate, number>;
}

function importKey(cert: X509Certificate, provider: CryptoProvider, caches: Caches): PublicKey {
  let k = caches.keys.get(cert);
  if (k === undefined) {
    try {
      k = certificatePublicKey(cert, provider);
    } catch (e) {
      k = alertFromCrypto(e, `public key of ${describe(cert)}`);
    }
    caches.keys.set(cert, k);
  }
  if (k instanceof TlsAlert) throw k;
  return k;
}

function idOf(cert: X509Certificate, caches: Caches): number {
  let id = caches.ids.get(cert);
  if (id === undefined) {
    id = caches.ids.size;
    caches.ids.set(cert, id);
  }
  return id;
}

function checkSignature(child: X509Certificate, issuer: X509Certificate, provider: CryptoProvider, caches: Caches): void {
  const key = `${idOf(child, caches)}/${idOf(issuer, caches)}`;
  let r = caches.links.get(key);
  if (r === undefined) {
    r = null;
    const alg = child.signatureAlgorithm;
    if (!alg.supported) {
      r = TlsAlert.of('unsupported_certificate', `${describe(child)}: ${alg.reason}`);
    } else {
      try {
        provider.verify(importKey(issuer, provider, caches), alg.params, child.tbs, child.signature);
      } catch (e) {
        r =
          e instanceof CryptoError && e.code === 'BAD_SIGNATURE'
            ? TlsAlert.of('bad_certificate', `signature of ${describe(child)} does not verify with the key of ${describe(issuer)}`, e)
            : alertFromCrypto(e, `signature of ${describe(child)}`);
      }
    }
    caches.links.set(key, r);
  }
  if (r !== null) throw r;
}

function checkValidity(c: X509Certificate, now: Date): void {
  const t = now.getTime();
  if (t < c.notBefore.getTime()) {
    throw TlsAlert.of('certificate_expired', `${describe(c)} is not valid before ${c.notBefore.toISOString()}`);
  }
  if (t > c.notAfter.getTime()) {
    throw TlsAlert.of('certificate_expired', `${describe(c)} expired at ${c.notAfter.toISOString()}`);
  }
}

function checkPurpose(c: X509Certificate, purpose: CertificatePurpose): void {
  const eku = c.extensions.extKeyUsage;
  if (eku === undefined) return;
  if (eku.includes(ExtKeyUsageOid[purpose]) || eku.includes(ExtKeyUsageOid.anyExtendedKeyUsage)) return;
  throw TlsAlert.of('unsupported_certificate', `${describe(c)}: extendedKeyUsage does not allow ${purpose}`);
}

/** Validates one candidate path (leaf first, anchor last); throws the first problem as a TlsAlert. */
function validatePath(path: readonly X509Certificate[], o: VerifyChainOptions, caches: Caches): PublicKey {
  const leaf = path[0];
  const last = path.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = path[i];
    const isAnchor = i === last;
    checkValidity(c, o.now);
    if (!isAnchor && c.extensions.unknownCritical.length > 0) {
      throw TlsAlert.of('unsupported_certificate', `${describe(c)} has unknown critical extension(s) ${c.extensions.unknownCritical.join(', ')}`);
    }
    if (i > 0) {
      // c issues path[i - 1].
      const bc = c.extensions.basicConstraints;
      if (isAnchor ? bc !== undefined && !bc.cA : bc === undefined || !bc.cA) {
        throw TlsAlert.of('bad_certificate', `${describe(c)} is not a CA (basicConstraints) but issued ${describe(path[i - 1])}`);
      }
      if (!keyUsageAllows(c, 'keyCertSign')) {
        throw TlsAlert.of('bad_certificate', `${describe(c)} keyUsage lacks keyCertSign`);
      }
      if (bc?.pathLen !== undefined) {
        let below = 0;
        for (let k = 1; k < i; k++) if (!path[k].selfIssued) below++;
        if (below > bc.pathLen) {
          throw TlsAlert.of('bad_certificate', `${describe(c)} pathLenConstraint ${bc.pathLen} exceeded (${below} intermediate(s) below it)`);
        }
      }
      if (!isAnchor) checkPurpose(c, o.purpose);
    }
    if (i < last) checkSignature(c, path[i + 1], o.provider, caches);
  }
  if (!keyUsageAllows(leaf, 'digitalSignature')) {
    throw TlsAlert.of('unsupported_certificate', `${describe(leaf)} keyUsage lacks digitalSignature`);
  }
  checkPurpose(leaf, o.purpose);
  if (o.hostname !== undefined) checkHostname(leaf, o.hostname);
  if (path.length === 1 && leaf.extensions.unknownCritical.length > 0) {
    throw TlsAlert.of('unsupported_certificate', `${describe(leaf)} has unknown critical extension(s) ${leaf.extensions.unknownCritical.join(', ')}`);
  }
  return importKey(leaf, o.provider, caches);
}

/**
 * Validates a peer's certificate chain and returns the path, or throws a TlsAlert (see the module comment for which
 * alert means what). Malformed certificates anywhere in the input → bad_certificate. Sans-IO: time comes from `now`.
 */
export function verifyCertificateChain(o: VerifyChainOptions): VerifiedChain {
  if (o.chain.length === 0) throw TlsAlert.of('bad_certificate', 'empty certificate chain');
  if (!(o.now instanceof Date) || Number.isNaN(o.now.getTime())) throw TlsAlert.of('internal_error', 'verifyCertificateChain needs a valid `now`');
  const maxDepth = o.maxDepth ?? DEFAULT_MAX_CHAIN_DEPTH;
  const sent = o.chain.map((d) => parseX509CertificateCached(d));
  const leaf = sent[0];
  const anchors = o.anchors.map(asParsed);
  const pool = [...sent.slice(1), ...(o.intermediates ?? []).map(asParsed)];
  const caches: Caches = { keys: new Map(), links: new Map(), ids: new Map() };

  const candidates = buildPaths(leaf, anchors, pool, maxDepth);
  let error: TlsAlert | null = null;
  let path: X509Certificate[] | undefined;
  let publicKey: PublicKey | undefined;
  for (const candidate of candidates) {
    try {
      publicKey = validatePath(candidate, o, caches);
      path = candidate;
      error = null;
      break;
    } catch (e) {
      error ??= alertFromCrypto(e, 'path validation');
    }
  }
  if (candidates.length === 0) {
    error = TlsAlert.of('unknown_ca', `no path from ${describe(leaf)} (issuer "${leaf.issuer.text}") to a trusted anchor within ${maxDepth} certificates`);
  }

  const shown = path ?? candidates[0] ?? sent;
  if (o.verify !== undefined) {
    let accept: boolean;
    try {
      accept = o.verify(error, shown);
    } catch (e) {
      throw TlsAlert.of('bad_certificate', 'verify callback threw', e);
    }
    if (!accept) throw error ?? TlsAlert.of('bad_certificate', 'certificate chain rejected by the verify callback');
    if (error !== null) {
      return { path: shown, leaf, anchor: path?.[path.length - 1], publicKey: importKey(leaf, o.provider, caches), overridden: true, error };
    }
  }
  if (error !== null || path === undefined || publicKey === undefined) {
    throw error ?? TlsAlert.of('unknown_ca', 'no valid certification path');
  }
  return { path, leaf, anchor: path[path.length - 1], publicKey, overridden: false };
}
