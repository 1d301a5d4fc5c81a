/**
 * Authentication of the peer's certificate chain: validation through the configured {@link CertificateVerifier}
 * or x509 path validation against the trust anchors, then the leaf's public key for the CertificateVerify check.
 */
import { TlsAlert } from '../alerts.js';
import type { PublicKey } from '../crypto/provider.js';
import type { EngineConfig } from './engineConfig.js';

/** The authenticated peer. */
export interface PeerIdentity {
  /** The leaf's public key. */
  readonly publicKey: PublicKey;
  /** The chain as sent (DER, leaf first). */
  readonly chain: readonly Uint8Array[];
}

/** Validates the peer chain for `purpose` (and `hostname` for servers); returns the leaf key or throws TlsAlert. */
export function verifyPeerCertificates(
  config: EngineConfig,
  chain: readonly Uint8Array[],
  purpose: 'serverAuth' | 'clientAuth',
  hostname: string | undefined,
): PeerIdentity {
  const now = config.clock === undefined ? undefined : new Date(config.clock());
  if (config.certificateVerifier !== undefined) {
    const publicKey = config.certificateVerifier({ chain, purpose, hostname, now, provider: config.provider });
    return { publicKey, chain };
  }
  throw TlsAlert.of('internal_error', 'certificate validation needs x509 (not available yet)');
}
