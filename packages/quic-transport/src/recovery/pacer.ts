/**
 * Packet pacing (RFC 9002 §7.7) as a token bucket: tokens (bytes) refill at `gain × cwnd / smoothed_rtt` and the bucket
 * holds a burst of about ten full-size datagrams — or, when the rate is higher, what the rate sends in one timer
 * granule (RFC 9002 §7.7 lets a sender burst to cover its timer granularity: the driver's timers fire no sooner than
 * that, so a smaller bucket would cap the rate at one burst per granule). Never more than the window. Sans-IO: it
 * only answers "when may the next packet go".
 */

/** Options of the {@link Pacer}. */
export interface PacerOptions {
  /** Maximum datagram size in bytes (default 1200). */
  maxDatagramSize?: number;
  /** Burst size in datagrams the bucket can hold (default 10). */
  burstPackets?: number;
  /** Rate multiplier N over cwnd/smoothed_rtt (default 1.25, RFC 9002 §7.7). */
  gain?: number;
  /** Timer granularity of the driver in ms (default 1, RFC 9002 kGranularity): the bucket holds a granule of the rate. */
  timerGranularity?: number;
}

/** A token-bucket pacer. Call {@link Pacer.nextSendTime} before sending and {@link Pacer.onPacketSent} after. */
export class Pacer {
  /** Maximum datagram size in bytes. */
  readonly maxDatagramSize: number;
  /** Burst size in datagrams. */
  readonly burstPackets: number;
  /** Rate multiplier. */
  readonly gain: number;
  /** Timer granularity (ms). */
  readonly timerGranularity: number;
  private tokens: number;
  private lastRefill: number | undefined;

  constructor(options: PacerOptions = {}) {
    this.maxDatagramSize = options.maxDatagramSize ?? 1200;
    this.burstPackets = options.burstPackets ?? 10;
    this.gain = options.gain ?? 1.25;
    this.timerGranularity = options.timerGranularity ?? 1;
    if (!(this.maxDatagramSize > 0) || !(this.burstPackets >= 1) || !(this.gain > 0) || !(this.timerGranularity >= 0)) {
      throw new RangeError('pacer options must be positive');
    }
    this.tokens = this.maxDatagramSize * this.burstPackets;
  }

  /** Sending rate in bytes per ms for a window and smoothed RTT (Infinity when the RTT is 0). */
  rate(cwnd: number, smoothedRtt: number): number {
    return smoothedRtt > 0 ? (this.gain * cwnd) / smoothedRtt : Infinity;
  }

  /**
   * Bucket capacity in bytes: the burst — or one timer granule at the rate for `smoothedRtt`, if more — but not more
   * than the window and never less than one datagram.
   */
  capacity(cwnd: number, smoothedRtt?: number): number {
    let burst = this.burstPackets * this.maxDatagramSize;
    if (smoothedRtt !== undefined) burst = Math.max(burst, this.rate(cwnd, smoothedRtt) * this.timerGranularity);
    return Math.max(this.maxDatagramSize, Math.min(burst, cwnd));
  }

  /** Bytes that could be sent right now without waiting. */
  available(now: number, cwnd: number, smoothedRtt: number): number {
    this.refill(now, cwnd, smoothedRtt);
    return this.tokens;
  }

  /**
   * The earliest time (≥ `now`) at which a packet of `size` bytes may be sent; `now` itself when it may go at once.
   */
  nextSendTime(now: number, size: number, cwnd: number, smoothedRtt: number): number {
    this.refill(now, cwnd, smoothedRtt);
    const need = Math.min(size, this.capacity(cwnd, smoothedRtt));
    if (this.tokens >= need) return now;
    const rate = this.rate(cwnd, smoothedRtt);
    return rate === Infinity ? now : now + (need - this.tokens) / rate;
  }

  /** Takes `size` bytes of tokens for a packet sent at `now` (the balance never goes below zero). */
  onPacketSent(now: number, size: number, cwnd: number, smoothedRtt: number): void {
    this.refill(now, cwnd, smoothedRtt);
    this.tokens = this.tokens > size ? this.tokens - size : 0;
  }

  private refill(now: number, cwnd: number, smoothedRtt: number): void {
    const cap = this.capacity(cwnd, smoothedRtt);
    if (this.lastRefill !== undefined && now > this.lastRefill) {
      this.tokens += (now - this.lastRefill) * this.rate(cwnd, smoothedRtt);
    }
    if (this.lastRefill === undefined || now > this.lastRefill) this.lastRefill = now;
    if (this.tokens > cap) this.tokens = cap;
  }
}
