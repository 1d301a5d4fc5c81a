/**
 * 1-RTT key update policy (RFC 9001 §6) on top of quic-crypto's KeyPhaseManager, and the AEAD limits (§6.6):
 * - an update may be started by the application (`Connection.updateKeys()`) once the handshake is confirmed and a
 *   packet sent with the current keys has been acknowledged (§6.1, §6.5);
 * - an update starts by itself when the current write keys approach the confidentiality limit; while it cannot start
 *   yet (the previous update is not acknowledged), new data waits — only ACKs and probes use the keys; a key that
 *   reached the limit is never used again — if no update is possible the connection closes with AEAD_LIMIT_REACHED;
 * - packets that fail authentication beyond the integrity limit close the connection with AEAD_LIMIT_REACHED;
 * - the previous read keys are kept for three PTOs after the peer's update (§6.5), then dropped.
 * The limits can be lowered (never raised) by the connection's options, to exercise these paths in tests.
 */
import { keyUpdateMargin, type KeyPhaseManager, type QuicKeyStore } from '@quichs/quic-crypto';
import { QuicError, TransportErrorCode } from '../errors.js';

/** Lower AEAD limits than the RFC's (testing, hardening). */
export interface AeadLimitOverrides {
  /** Packets sealed per key before it must be replaced. */
  confidentialityLimit?: number;
  /** Failed decryptions per connection before AEAD_LIMIT_REACHED. */
  integrityLimit?: number;
}

/** What the policy decided before sealing a 1-RTT packet. */
export type SealDecision = 'ok' | 'updated';

/** Key update decisions of one connection. */
export class KeyUpdateController {
  private readonly overrides: AeadLimitOverrides;
  /** Local updates started (by the API or the limit). */
  localUpdates = 0;

  constructor(overrides: AeadLimitOverrides = {}) {
    this.overrides = overrides;
  }

  /** The confidentiality limit in force for the current suite. */
  confidentialityLimit(kpm: KeyPhaseManager): number {
    const rfc = kpm.suite.limits.confidentialityLimit;
    const o = this.overrides.confidentialityLimit;
    return o !== undefined && o < rfc ? o : rfc;
  }

  /** The integrity limit in force. */
  integrityLimit(keys: QuicKeyStore): number {
    const o = this.overrides.integrityLimit;
    return o !== undefined && o < keys.integrityLimit ? o : keys.integrityLimit;
  }

  /** True when an update may start now (handshake confirmed, previous update acknowledged). */
  canUpdate(kpm: KeyPhaseManager, handshakeConfirmed: boolean): boolean {
    return handshakeConfirmed && kpm.canInitiateKeyUpdate;
  }

  /**
   * Starts a local update. QuicError(KEY_UPDATE_ERROR) when not allowed yet (handshake not confirmed, or the previous
   * update not acknowledged) — the caller's mistake, the connection stays open.
   */
  initiate(kpm: KeyPhaseManager, handshakeConfirmed: boolean): void {
    if (!handshakeConfirmed) {
      throw new QuicError(TransportErrorCode.KEY_UPDATE_ERROR, 'key update before the handshake is confirmed');
    }
    if (!kpm.canInitiateKeyUpdate) {
      throw new QuicError(TransportErrorCode.KEY_UPDATE_ERROR, 'previous key update not yet acknowledged');
    }
    kpm.initiateKeyUpdate();
    this.localUpdates++;
  }

  /**
   * True when the current write keys are within the update margin of the confidentiality limit and the update waits
   * only for the acknowledgment of the previous one (handshake confirmed): new ack-eliciting data should wait for
   * that acknowledgment, so that the keys are replaced before the limit whatever the amount in flight. (Before the
   * handshake is confirmed no wait is bounded: the keys run to the limit and the connection closes.)
   */
  mustWaitForUpdate(kpm: KeyPhaseManager, handshakeConfirmed: boolean): boolean {
    if (!handshakeConfirmed || kpm.canInitiateKeyUpdate) return false;
    const limit = this.confidentialityLimit(kpm);
    return Number.isFinite(limit) && kpm.sealedWithCurrentKeys >= limit - this.margin(limit);
  }

  private margin(limit: number): number {
    return Math.min(keyUpdateMargin({ confidentialityLimit: limit, integrityLimit: 0 }), Math.floor(limit / 2));
  }

  /**
   * Called before sealing a 1-RTT packet: starts an update near the confidentiality limit; throws
   * QuicError(AEAD_LIMIT_REACHED) when the current keys are exhausted and cannot be replaced.
   */
  beforeSeal(kpm: KeyPhaseManager, handshakeConfirmed: boolean): SealDecision {
    const limit = this.confidentialityLimit(kpm);
    if (!Number.isFinite(limit)) return 'ok';
    const sealed = kpm.sealedWithCurrentKeys;
    if (sealed >= limit - this.margin(limit) && this.canUpdate(kpm, handshakeConfirmed)) {
      kpm.initiateKeyUpdate();
      this.localUpdates++;
      return 'updated';
    }
    if (sealed >= limit) {
      throw new QuicError(TransportErrorCode.AEAD_LIMIT_REACHED, `1-RTT keys sealed ${sealed} packets and cannot be updated yet`);
    }
    return 'ok';
  }

  /** QuicError(AEAD_LIMIT_REACHED) once failed decryptions exceed the integrity limit. */
  checkIntegrity(keys: QuicKeyStore): void {
    if (keys.authFailures > this.integrityLimit(keys)) {
      throw new QuicError(TransportErrorCode.AEAD_LIMIT_REACHED, `${keys.authFailures} packets failed authentication`);
    }
  }
}
