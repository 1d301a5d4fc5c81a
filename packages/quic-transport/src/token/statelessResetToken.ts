/**
 * Stateless reset tokens (RFC 9000 §10.3.2): derived from a connection ID with a static key, so that an endpoint
 * that lost all state for a connection can still produce the token it once advertised for that CID.
 * token = first 16 bytes of HMAC-SHA256(static key, connection ID).
 *
 * The key must stay secret and must be the same for every endpoint instance that may receive packets for the
 * CIDs (e.g. behind a load balancer); it must not be shared with a party that could see the tokens of CIDs chosen
 * by someone else (§10.3.2 — the CIDs here are always our own).
 */
import type { CryptoProvider } from '@quichs/tls-hs';
import { defaultProvider } from '@quichs/tls-hs';
import { QuicError, TransportErrorCode } from '../errors.js';
import { STATELESS_RESET_TOKEN_SIZE } from '../packet/statelessReset.js';

/** Options of a {@link StatelessResetTokenGenerator}. */
export interface StatelessResetTokenOptions {
  /** Static key, at least 16 bytes (default 32 random bytes from the provider). */
  key?: Uint8Array;
  /** Crypto provider (default: tls-hs defaultProvider()). */
  provider?: CryptoProvider;
}

/** Derives the stateless reset token of each of our connection IDs. */
export class StatelessResetTokenGenerator {
  private readonly key: Uint8Array;
  private readonly provider: CryptoProvider;

  /** Creates a generator; a key shorter than 16 bytes is QuicError(INTERNAL_ERROR). */
  constructor(options: StatelessResetTokenOptions = {}) {
    this.provider = options.provider ?? defaultProvider();
    const key = options.key ?? this.provider.randomBytes(32);
    if (key.length < 16) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'stateless reset key must be >= 16 bytes');
    this.key = Uint8Array.from(key);
  }

  /** The 16-byte token for connection ID `cid` (0..20 bytes). */
  tokenFor(cid: Uint8Array): Uint8Array {
    if (cid.length > 20) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'connection ID longer than 20 bytes');
    return this.provider.hmac('sha256', this.key, cid).slice(0, STATELESS_RESET_TOKEN_SIZE);
  }
}
