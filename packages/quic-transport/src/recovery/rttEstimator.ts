/**
 * RTT estimation (RFC 9002 §5): latest_rtt, min_rtt, smoothed_rtt and rttvar, plus the probe timeout duration derived
 * from them (§6.2.1). All times are milliseconds (may be fractional); nothing here reads a clock.
 */

/** The initial RTT used before any sample is taken (RFC 9002 §6.2.2: 333 ms). */
export const INITIAL_RTT_MS = 333;

/** The timer granularity kGranularity (RFC 9002 §6.1.2: 1 ms). */
export const GRANULARITY_MS = 1;

/** The default max_ack_delay transport parameter value in ms (RFC 9000 §18.2). */
export const DEFAULT_MAX_ACK_DELAY_MS = 25;

/** A read-only view of the RTT statistics, as handed to congestion controllers and pacers. */
export interface RttView {
  /** Most recent RTT sample, in ms (0 before the first sample). */
  readonly latestRtt: number;
  /** Minimum RTT seen (ack delay not subtracted), in ms; `Infinity` before the first sample. */
  readonly minRtt: number;
  /** Exponentially weighted RTT, in ms (the initial RTT before the first sample). */
  readonly smoothedRtt: number;
  /** RTT variation, in ms (half the initial RTT before the first sample). */
  readonly rttvar: number;
}

/**
 * Converts the raw Ack Delay field of an ACK frame into milliseconds: `raw × 2^ackDelayExponent` microseconds
 * (RFC 9000 §19.3; the exponent is the peer's ack_delay_exponent transport parameter, default 3).
 */
export function decodeAckDelay(raw: number, ackDelayExponent = 3): number {
  return (raw * 2 ** ackDelayExponent) / 1000;
}

/** Tracks the RTT of one connection (RFC 9002 §5). */
export class RttEstimator implements RttView {
  /** Most recent RTT sample, in ms (0 before the first sample). */
  latestRtt = 0;
  /** Minimum RTT seen (ack delay not subtracted), in ms; `Infinity` before the first sample. */
  minRtt = Infinity;
  /** Exponentially weighted RTT, in ms. */
  smoothedRtt: number;
  /** RTT variation, in ms. */
  rttvar: number;
  /** True once at least one RTT sample has been taken. */
  hasSample = false;

  /** @param initialRtt the RTT to assume before the first sample (default 333 ms, RFC 9002 §6.2.2). */
  constructor(readonly initialRtt: number = INITIAL_RTT_MS) {
    this.smoothedRtt = initialRtt;
    this.rttvar = initialRtt / 2;
  }

  /**
   * Takes one RTT sample (RFC 9002 §5.3).
   * @param latestRtt time from sending the newly acknowledged largest packet to receiving its ACK, in ms
   * @param ackDelay the peer's reported ack delay in ms (already decoded with {@link decodeAckDelay}); pass 0 for
   *   Initial-space ACKs
   * @param handshakeConfirmed when true, `ackDelay` is capped by `maxAckDelay`
   * @param maxAckDelay the peer's max_ack_delay in ms
   */
  update(latestRtt: number, ackDelay: number, handshakeConfirmed: boolean, maxAckDelay: number): void {
    if (!(latestRtt >= 0)) latestRtt = 0; // a clock going backwards gives no negative RTTs
    this.latestRtt = latestRtt;
    if (!this.hasSample) {
      this.hasSample = true;
      this.minRtt = latestRtt;
      this.smoothedRtt = latestRtt;
      this.rttvar = latestRtt / 2;
      return;
    }
    // min_rtt ignores acknowledgment delay.
    if (latestRtt < this.minRtt) this.minRtt = latestRtt;
    let delay = ackDelay > 0 ? ackDelay : 0;
    if (handshakeConfirmed && delay > maxAckDelay) delay = maxAckDelay;
    // Subtract the ack delay only if the result would not go below min_rtt.
    const adjusted = latestRtt >= this.minRtt + delay ? latestRtt - delay : latestRtt;
    this.rttvar = (3 * this.rttvar + Math.abs(this.smoothedRtt - adjusted)) / 4;
    this.smoothedRtt = (7 * this.smoothedRtt + adjusted) / 8;
  }

  /**
   * The base probe timeout (RFC 9002 §6.2.1) without backoff: `smoothed_rtt + max(4 × rttvar, kGranularity)`, plus
   * `maxAckDelay` when given (Application Data space; and the persistent-congestion duration).
   */
  pto(maxAckDelay = 0): number {
    return this.smoothedRtt + Math.max(4 * this.rttvar, GRANULARITY_MS) + maxAckDelay;
  }

  /**
   * After persistent congestion is established, min_rtt SHOULD be reset to the newest sample (RFC 9002 §5.2).
   */
  resetMinRtt(): void {
    if (this.hasSample) this.minRtt = this.latestRtt;
  }
}
