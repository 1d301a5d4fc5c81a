/**
 * Received-packet tracking for one packet number space (RFC 9000 §13.2): the ACK ranges to report, duplicate
 * detection, and when an ACK frame must be sent. Old state is bounded: at most `maxRanges` ranges are kept (the
 * oldest are dropped), and ranges the peer has seen acknowledged are forgotten. Packet numbers below the forgotten
 * part are treated as duplicates (RFC 9000 §13.2.3 allows refusing them).
 */
import type { AckRange, PnSpace } from './sentPacket.js';
import { DEFAULT_MAX_ACK_DELAY_MS } from './rttEstimator.js';

/** ECN codepoint a packet arrived with (RFC 9000 §13.4). */
export type EcnCodepoint = 'not-ect' | 'ect0' | 'ect1' | 'ce';

/** Options of {@link ReceivedPackets}. */
export interface ReceivedPacketsOptions {
  /** Most ACK ranges remembered (default 32). */
  maxRanges?: number;
  /** Our own max_ack_delay in ms: the longest an ACK for an ack-eliciting packet is delayed (default 25). */
  maxAckDelay?: number;
  /** Ack-eliciting packets received before an ACK is sent at once in Application space (default 2). */
  ackElicitingThreshold?: number;
}

/**
 * Converts an ack delay in ms into the Ack Delay field of an ACK frame: microseconds divided by
 * `2^ackDelayExponent` (RFC 9000 §19.3; our ack_delay_exponent transport parameter, default 3), rounded down.
 */
export function encodeAckDelay(ms: number, ackDelayExponent = 3): number {
  return ms > 0 ? Math.floor((ms * 1000) / 2 ** ackDelayExponent) : 0;
}

/** Tracks received packet numbers of one space and decides when to acknowledge them. */
export class ReceivedPackets {
  /** The space tracked. */
  readonly space: PnSpace;
  /** ECN counts of received packets (duplicates not counted), for ACK_ECN frames. */
  readonly ecnCounts = { ect0: 0, ect1: 0, ce: 0 };
  private readonly maxRanges: number;
  private readonly maxAckDelay: number;
  private readonly threshold: number;
  private readonly ranges: AckRange[] = [];
  private floor = 0;
  private _largest = -1;
  private largestTime = 0;
  private largestAckEliciting = -1;
  private ackElicitingSinceAck = 0;
  private deadline: number | undefined;
  private newSinceAck = false;

  constructor(space: PnSpace, options: ReceivedPacketsOptions = {}) {
    this.space = space;
    this.maxRanges = Math.max(1, options.maxRanges ?? 32);
    this.maxAckDelay = options.maxAckDelay ?? DEFAULT_MAX_ACK_DELAY_MS;
    this.threshold = Math.max(1, options.ackElicitingThreshold ?? 2);
  }

  /** Largest packet number received, or -1. */
  get largest(): number {
    return this._largest;
  }

  /** Packet numbers below this are no longer tracked and count as duplicates. */
  get minTracked(): number {
    return this.floor;
  }

  /**
   * When an ACK frame must be sent: a time in ms (≤ now means at once), or undefined if no ACK is owed. Only
   * ack-eliciting packets create a deadline.
   */
  get ackDeadline(): number | undefined {
    return this.deadline;
  }

  /** True if packets arrived since the last ACK was sent (an ACK may be bundled even when not yet due). */
  get ackPending(): boolean {
    return this.newSinceAck && this.ranges.length > 0;
  }

  /** Whether an ACK must be sent at `now`. */
  ackDue(now: number): boolean {
    return this.deadline !== undefined && this.deadline <= now;
  }

  /** True if `pn` was already received (or is below the tracked window). */
  isDuplicate(pn: number): boolean {
    if (pn < this.floor) return true;
    for (let i = 0; i < this.ranges.length; i++) {
      const r = this.ranges[i]!;
      if (pn > r.largest) return false;
      if (pn >= r.smallest) return true;
    }
    return false;
  }

  /**
   * Records a successfully decrypted packet. Returns false (and changes nothing) for a duplicate, which the caller
   * must not process again, and for a packet number that is negative or above 2^53 − 1 (such numbers cannot be
   * represented exactly; the decoder should already have rejected them as a protocol violation).
   */
  onPacketReceived(pn: number, ackEliciting: boolean, now: number, ecn: EcnCodepoint = 'not-ect'): boolean {
    if (!Number.isSafeInteger(pn) || pn < 0 || this.isDuplicate(pn)) return false;
    this.insert(pn);
    if (pn > this._largest) {
      this._largest = pn;
      this.largestTime = now;
    }
    if (ecn !== 'not-ect') this.ecnCounts[ecn]++;
    this.newSinceAck = true;
    if (!ackEliciting) return true;

    let immediate = this.space !== 'application' || ecn === 'ce';
    if (this.largestAckEliciting >= 0) {
      if (pn < this.largestAckEliciting) immediate = true; // reordered
      else if (this.rangeSmallestOf(pn) > Math.max(this.largestAckEliciting + 1, this.floor)) immediate = true; // gap
    }
    if (pn > this.largestAckEliciting) this.largestAckEliciting = pn;
    if (++this.ackElicitingSinceAck >= this.threshold) immediate = true;
    const due = immediate ? now : now + this.maxAckDelay;
    if (this.deadline === undefined || due < this.deadline) this.deadline = due;
    return true;
  }

  /**
   * The ranges to put in an ACK frame, largest first. This is the tracker's own array: encode it before the next
   * call that changes the tracker.
   */
  ackRanges(): readonly AckRange[] {
    return this.ranges;
  }

  /** Time in ms since the largest packet number was received: the ACK frame's delay before encoding. */
  ackDelay(now: number): number {
    return this._largest < 0 || now < this.largestTime ? 0 : now - this.largestTime;
  }

  /**
   * The connection sent an ACK frame built from {@link ackRanges}: the ACK is no longer owed. Returns the frame's
   * Largest Acknowledged; remember it with the packet and pass it to {@link onAckAcknowledged} when that packet is
   * acknowledged.
   */
  onAckSent(): number {
    this.deadline = undefined;
    this.ackElicitingSinceAck = 0;
    this.newSinceAck = false;
    return this.ranges.length > 0 ? this.ranges[0]!.largest : -1;
  }

  /**
   * A packet carrying our ACK frame with Largest Acknowledged `largestAcked` was acknowledged: stop reporting packet
   * numbers up to it (RFC 9000 §13.2.4).
   */
  onAckAcknowledged(largestAcked: number): void {
    if (largestAcked < this.floor) return;
    this.floor = largestAcked + 1;
    let n = this.ranges.length;
    while (n > 0 && this.ranges[n - 1]!.largest <= largestAcked) n--;
    this.ranges.length = n;
    if (n > 0 && this.ranges[n - 1]!.smallest <= largestAcked) this.ranges[n - 1]!.smallest = largestAcked + 1;
  }

  private insert(pn: number): void {
    const rs = this.ranges;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (pn > r.largest + 1) {
        rs.splice(i, 0, { smallest: pn, largest: pn });
        this.trim();
        return;
      }
      if (pn === r.largest + 1) {
        // The range above (if any) cannot start at pn + 1: that case was merged on the previous iteration.
        r.largest = pn;
        return;
      }
      if (pn === r.smallest - 1) {
        r.smallest = pn;
        const below = rs[i + 1];
        if (below !== undefined && below.largest === pn - 1) {
          r.smallest = below.smallest;
          rs.splice(i + 1, 1);
        }
        return;
      }
      // pn lies below this range with a gap: keep looking.
    }
    rs.push({ smallest: pn, largest: pn });
    this.trim();
  }

  /** Drops the oldest ranges beyond the limit; their packet numbers become untracked. */
  private trim(): void {
    while (this.ranges.length > this.maxRanges) {
      const dropped = this.ranges.pop()!;
      this.floor = dropped.largest + 1;
    }
  }

  private rangeSmallestOf(pn: number): number {
    for (let i = 0; i < this.ranges.length; i++) {
      const r = this.ranges[i]!;
      if (pn >= r.smallest && pn <= r.largest) return r.smallest;
    }
    return pn;
  }
}
