/**
 * Authentication of the peer's certificate chain: the configured {@link CertificateVerifier} if any, else X.509 path
 * validation against the trust anchors (`ca`) at the injected clock's time, for the purpose (serverAuth /
 * clientAuth) and the expected host name; then the leaf's public key for the CertificateVerify check.
 * With `rejectUnauthorized: false` only the leaf is parsed (its key still has to sign the handshake).
 */
import { TlsAlert } from '../alerts.js';
import { CryptoError } from '../crypto/errors.js';
import type { PublicKey } from '../crypto/provider.js';
import type { X509Certificate } from '../x509/certificate.js';
import { certificatePublicKey, parseX509CertificateCached } from '../x509/certificateCache.js';
import { verifyCertificateChain } from '../x509/pathValidation.js';
import { loadCertificates } from '../x509/pem.js';
import type { EngineConfig } from './engineConfig.js';
import type { PemOrDer } from './options.js';
import { schemesFor } from './credentials.js';

/** The authenticated peer. */
export interface PeerIdentity {
  /** The leaf's public key. */
  readonly publicKey: PublicKey;
  /** The chain as sent (DER, leaf first). */
  readonly chain: readonly Uint8Array[];
}

const anchorCacheByObject = new WeakMap<object, X509Certificate[]>();
const anchorCacheByText = new Map<string, X509Certificate[]>();

/** Parses the trust anchors once per `ca` value. */
export function loadAnchors(ca: PemOrDer | undefined): X509Certificate[] {
  if (ca === undefined) return [];
  const cached = typeof ca === 'string' ? anchorCacheByText.get(ca) : anchorCacheByObject.get(ca);
  if (cached !== undefined) return cached;
  const parsed = loadCertificates(ca).map((der) => parseX509CertificateCached(der));
  if (typeof ca === 'string') {
    if (anchorCacheByText.size >= 32) anchorCacheByText.clear();
    anchorCacheByText.set(ca, parsed);
  } else {
    anchorCacheByObject.set(ca, parsed);
  }
  return parsed;
}

/** Validates the peer chain for `purpose` (and `hostname` for servers); returns the leaf key or throws TlsAlert. */
export function verifyPeerCertificates(
  config: EngineConfig,
  chain: readonly Uint8Array[],
  purpose: 'serverAuth' | 'clientAuth',
  hostname: string | undefined,
): PeerIdentity {
  const now = config.clock === undefined ? undefined : new Date(config.clock());
  const provider = config.provider;
  if (config.certificateVerifier !== undefined) {
    const publicKey = config.certificateVerifier({ chain, purpose, hostname, now, provider });
    return { publicKey, chain };
  }
  if (!config.rejectUnauthorized) {
    const leaf = parseX509CertificateCached(chain[0]);
    try {
      return { publicKey: certificatePublicKey(leaf, provider), chain };
    } catch (e) {
      if (e instanceof CryptoError) throw TlsAlert.of('unsupported_certificate', `peer key not usable: ${e.message}`, e);
      throw e;
    }
  }
  if (now === undefined) throw TlsAlert.of('internal_error', 'a clock option is needed to validate certificates');
  const host = hostname !== undefined && hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  const userVerify = config.verify;
  const result = verifyCertificateChain({
    chain,
    anchors: loadAnchors(config.ca),
    now,
    purpose,
    hostname: host,
    provider,
    verify: userVerify === undefined ? undefined : (error, certs) => userVerify(error, certs.map((c) => c.der)),
  });
  if (config.sigalgsCert !== undefined && !result.overridden) checkPathSignatures(result.path, config.sigalgsCert);
  return { publicKey: result.publicKey, chain };
}

/**
 * Our signature_algorithms_cert: every certificate of the validated path whose signature we checked (all but the
 * trust anchor) must be signed with one of `accepted`, else unsupported_certificate.
 */
function checkPathSignatures(path: readonly X509Certificate[], accepted: readonly number[]): void {
  for (const cert of path.slice(0, -1)) {
    const alg = cert.signatureAlgorithm;
    const codes = alg.supported ? schemesFor(alg.params) : [];
    if (!codes.some((c) => accepted.includes(c))) {
      throw TlsAlert.of('unsupported_certificate', `"${cert.subject.text}" is signed with a scheme outside signature_algorithms_cert`);
    }
  }
}
