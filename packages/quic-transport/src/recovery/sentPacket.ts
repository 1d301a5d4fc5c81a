/**
 * Sent-packet records (RFC 9002 Appendix A.1.1) and the per-packet-number-space store that holds the ones not yet
 * acknowledged or declared lost.
 */

/** A packet number space (RFC 9000 §12.3). */
export type PnSpace = 'initial' | 'handshake' | 'application';

/** The three packet number spaces in the order RFC 9002 walks them. */
export const PN_SPACES: readonly PnSpace[] = ['initial', 'handshake', 'application'];

/** An inclusive range of packet numbers; ACK range arrays are sorted by `largest` descending. */
export interface AckRange {
  /** Smallest packet number in the range. */
  smallest: number;
  /** Largest packet number in the range. */
  largest: number;
}

/**
 * What the connection tells loss recovery about a packet it has just sent.
 * @typeParam F the connection's own record of what the packet carried (frames to retransmit on loss)
 */
export interface SentPacketInfo<F> {
  /** Full packet number. */
  pn: number;
  /** True if the packet contains a frame other than ACK, PADDING and CONNECTION_CLOSE. */
  ackEliciting: boolean;
  /** True if the packet counts toward bytes in flight (ack-eliciting or contains PADDING). */
  inFlight: boolean;
  /** Bytes sent in the UDP payload for this packet (its share of a coalesced datagram). */
  size: number;
  /** Opaque payload returned to the connection when the packet is acknowledged or lost. */
  frames: F;
}

/** A sent packet as recorded by loss recovery (RFC 9002 Appendix A.1.1). */
export interface SentPacket<F> extends SentPacketInfo<F> {
  /** The packet number space the packet was sent in. */
  space: PnSpace;
  /** Time the packet was sent, in ms. */
  timeSent: number;
}

/**
 * Unacknowledged sent packets of one packet number space, ordered by packet number. Packet numbers must be added in
 * increasing order (gaps are allowed, e.g. skipped numbers). Lookups are binary searches; removals leave holes that
 * are compacted lazily, so acknowledging packets does not allocate.
 */
export class SentPacketStore<F> {
  private pns: number[] = [];
  private pkts: (SentPacket<F> | undefined)[] = [];
  private head = 0;
  private holes = 0;
  private live = 0;
  private _bytesInFlight = 0;
  private _ackElicitingInFlight = 0;
  private _largestSent = -1;

  /** Number of packets held. */
  get size(): number {
    return this.live;
  }

  /** Sum of `size` over held packets that are in flight. */
  get bytesInFlight(): number {
    return this._bytesInFlight;
  }

  /** Number of held packets that are both ack-eliciting and in flight. */
  get ackElicitingInFlight(): number {
    return this._ackElicitingInFlight;
  }

  /** Largest packet number ever added, or -1. */
  get largestSent(): number {
    return this._largestSent;
  }

  /**
   * Records a sent packet.
   * @throws RangeError if `packet.pn` is not larger than every packet number added before, or is not a safe integer
   *   (≤ 2^53 − 1) — a caller bug
   */
  add(packet: SentPacket<F>): void {
    if (!(packet.pn > this._largestSent) || !Number.isSafeInteger(packet.pn)) {
      throw new RangeError(`packet number ${packet.pn} not above the largest sent (${this._largestSent})`);
    }
    this._largestSent = packet.pn;
    this.pns.push(packet.pn);
    this.pkts.push(packet);
    this.live++;
    if (packet.inFlight) {
      this._bytesInFlight += packet.size;
      if (packet.ackEliciting) this._ackElicitingInFlight++;
    }
  }

  /** The packet with number `pn`, if held. */
  get(pn: number): SentPacket<F> | undefined {
    const i = this.indexOf(pn);
    return i < 0 ? undefined : this.pkts[i];
  }

  /** Removes and returns the packet with number `pn`, if held. */
  remove(pn: number): SentPacket<F> | undefined {
    const i = this.indexOf(pn);
    if (i < 0) return undefined;
    const p = this.pkts[i]!;
    this.removeAt(i);
    this.compact();
    return p;
  }

  /**
   * Removes every held packet whose number lies in one of `ranges` and appends them to `out` in ascending packet
   * number order. Ranges must be sorted (descending, as in ACK frames, or ascending) and must not overlap.
   * @returns the number of packets appended
   */
  removeAcked(ranges: readonly AckRange[], out: SentPacket<F>[]): number {
    const start = out.length;
    const n = ranges.length;
    // Walk ranges from the smallest (ACK frames list them largest first) so `out` ends up ascending.
    const descending = n < 2 || ranges[0]!.largest >= ranges[n - 1]!.largest;
    for (let k = 0; k < n; k++) {
      const { smallest, largest } = ranges[descending ? n - 1 - k : k]!;
      for (let i = this.lowerBound(smallest); i < this.pns.length && this.pns[i]! <= largest; i++) {
        const p = this.pkts[i];
        if (p === undefined) continue;
        out.push(p);
        this.removeAt(i);
      }
    }
    this.compact();
    return out.length - start;
  }

  /**
   * Calls `fn` for each held packet in ascending packet number order, stopping after the packet numbered `maxPn`.
   * If `fn` returns true the packet is removed from the store.
   */
  sweep(maxPn: number, fn: (p: SentPacket<F>) => boolean): void {
    for (let i = this.head; i < this.pns.length && this.pns[i]! <= maxPn; i++) {
      const p = this.pkts[i];
      if (p !== undefined && fn(p)) this.removeAt(i);
    }
    this.compact();
  }

  /** Iterates the held packets in ascending packet number order. */
  *[Symbol.iterator](): IterableIterator<SentPacket<F>> {
    for (let i = this.head; i < this.pkts.length; i++) {
      const p = this.pkts[i];
      if (p !== undefined) yield p;
    }
  }

  /** Removes and returns every held packet (ascending packet number order). The largest sent number is kept. */
  drain(): SentPacket<F>[] {
    const out: SentPacket<F>[] = [];
    for (const p of this) out.push(p);
    this.pns = [];
    this.pkts = [];
    this.head = this.holes = this.live = this._bytesInFlight = this._ackElicitingInFlight = 0;
    return out;
  }

  private removeAt(i: number): void {
    const p = this.pkts[i]!;
    this.pkts[i] = undefined;
    this.holes++;
    this.live--;
    if (p.inFlight) {
      this._bytesInFlight -= p.size;
      if (p.ackEliciting) this._ackElicitingInFlight--;
    }
  }

  /** Skips leading holes; rewrites the arrays in place once holes dominate. */
  private compact(): void {
    while (this.head < this.pkts.length && this.pkts[this.head] === undefined) {
      this.head++;
      this.holes--;
    }
    if (this.head === this.pkts.length) {
      this.pns.length = this.pkts.length = 0;
      this.head = this.holes = 0;
      return;
    }
    if (this.head + this.holes > 64 && this.head + this.holes > this.live) {
      let w = 0;
      for (let i = this.head; i < this.pkts.length; i++) {
        const p = this.pkts[i];
        if (p === undefined) continue;
        this.pkts[w] = p;
        this.pns[w] = this.pns[i]!;
        w++;
      }
      this.pkts.length = this.pns.length = w;
      this.head = this.holes = 0;
    }
  }

  private lowerBound(pn: number): number {
    let lo = this.head;
    let hi = this.pns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pns[mid]! < pn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(pn: number): number {
    const i = this.lowerBound(pn);
    return i < this.pns.length && this.pns[i] === pn && this.pkts[i] !== undefined ? i : -1;
  }
}
