/**
 * Anti-amplification (RFC 9000 §8.1): before a server has validated the client's address it sends at most three
 * times the bytes it received from that address. Validation comes from a valid token, a Handshake packet the server
 * could decrypt, or (after migration) a PATH_RESPONSE.
 */

/** The factor of RFC 9000 §8.1. */
export const AMPLIFICATION_FACTOR = 3;

/** Byte accounting of one path until its address is validated. */
export class AmplificationLimit {
  private received = 0;
  private sent = 0;
  private validatedFlag: boolean;

  /** @param validated true when no limit applies (clients; servers that accepted a valid token) */
  constructor(validated: boolean) {
    this.validatedFlag = validated;
  }

  /** True once the address is validated. */
  get validated(): boolean {
    return this.validatedFlag;
  }

  /** Bytes that may still be sent (Infinity once validated). */
  get budget(): number {
    return this.validatedFlag ? Infinity : Math.max(0, AMPLIFICATION_FACTOR * this.received - this.sent);
  }

  /** Counts a datagram received on the path (any datagram, even one that fails to decrypt). */
  onReceived(bytes: number): void {
    if (!this.validatedFlag) this.received += bytes;
  }

  /** Counts a datagram sent on the path. */
  onSent(bytes: number): void {
    if (!this.validatedFlag) this.sent += bytes;
  }

  /** The address is validated: no limit from now on. */
  validate(): void {
    this.validatedFlag = true;
  }

  /** A new, unvalidated path (migration): the accounting starts over. */
  reset(): void {
    this.validatedFlag = false;
    this.received = 0;
    this.sent = 0;
  }

  /** Bytes received and sent while unvalidated (for tests and stats). */
  get counters(): { received: number; sent: number } {
    return { received: this.received, sent: this.sent };
  }
}
