/**
 * Idle timeout (RFC 9000 §10.1): the connection is silently closed when nothing was received (and no ack-eliciting
 * packet sent since the last receipt) for the effective idle timeout — the smaller of both endpoints'
 * max_idle_timeout (0 = none), but never less than three probe timeouts.
 */

/** The idle deadline of one connection. */
export class IdleTimer {
  private localTimeout: number;
  private peerTimeout = 0;
  private lastActivity: number;
  private sentSinceReceive = false;

  /** @param localTimeout our max_idle_timeout in ms (0 = none) */
  constructor(localTimeout: number, now: number) {
    this.localTimeout = localTimeout;
    this.lastActivity = now;
  }

  /** The peer's max_idle_timeout is known. */
  setPeerTimeout(ms: number): void {
    this.peerTimeout = ms;
  }

  /** The timeout in force, without the 3×PTO floor (undefined = no idle timeout). */
  get timeout(): number | undefined {
    const a = this.localTimeout;
    const b = this.peerTimeout;
    if (a === 0 && b === 0) return undefined;
    if (a === 0) return b;
    if (b === 0) return a;
    return Math.min(a, b);
  }

  /** A packet of the peer was processed: restart the timer. */
  onPacketReceived(now: number): void {
    this.lastActivity = now;
    this.sentSinceReceive = false;
  }

  /** An ack-eliciting packet was sent: the first one after a receipt restarts the timer. */
  onAckElicitingSent(now: number): void {
    if (this.sentSinceReceive) return;
    this.sentSinceReceive = true;
    this.lastActivity = now;
  }

  /** The deadline for a given PTO (ms), or undefined. */
  deadline(pto: number): number | undefined {
    const t = this.timeout;
    return t === undefined ? undefined : this.lastActivity + Math.max(t, 3 * pto);
  }
}
