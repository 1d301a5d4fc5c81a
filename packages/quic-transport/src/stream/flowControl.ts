/**
 * Flow control (RFC 9000 §4): credit-based limits on the bytes a sender may put on a stream or on the whole connection.
 *
 * - {@link SendCredit} is the sender's view of a limit set by the peer: MAX_DATA for the connection, MAX_STREAM_DATA for
 *   one stream. It reports DATA_BLOCKED / STREAM_DATA_BLOCKED once per limit when the sender is held back.
 * - {@link ReceiveWindow} is the receiver's view: it rejects data beyond the advertised limit with FLOW_CONTROL_ERROR and
 *   decides when to advertise a larger limit as the application consumes data (when half the window is used up), with
 *   optional window autotuning.
 *
 * All amounts are byte counts held in JS numbers (exact up to 2^53-1; larger values are protocol violations upstream).
 */
import { QuicError, TransportErrorCode } from '../errors.js';

/** Sender side of a flow-control limit (connection MAX_DATA or stream MAX_STREAM_DATA). */
export class SendCredit {
  private limit_: number;
  private used_ = 0;
  private blockedAt = -1;
  private blockedPending = false;

  /** @param initialLimit the peer's initial limit (transport parameter), 0 when unknown yet */
  constructor(initialLimit: number) {
    this.limit_ = initialLimit;
  }

  /** Current limit set by the peer. */
  get limit(): number {
    return this.limit_;
  }

  /** Bytes counted against the limit so far. */
  get used(): number {
    return this.used_;
  }

  /** Bytes that may still be sent. */
  get available(): number {
    return this.limit_ - this.used_;
  }

  /**
   * Applies a new limit from the peer. Limits that do not increase are ignored (RFC 9000 §4.1).
   * @returns true when the limit grew
   */
  raiseLimit(limit: number): boolean {
    if (limit <= this.limit_) return false;
    this.limit_ = limit;
    this.blockedPending = false;
    return true;
  }

  /**
   * Starts over with `limit` and nothing used — after rejected 0-RTT (RFC 9001 §4.6.2), when the peer never saw the
   * bytes counted so far and its new limit may be lower than the remembered one.
   */
  restart(limit: number): void {
    this.limit_ = limit;
    this.used_ = 0;
    this.blockedAt = -1;
    this.blockedPending = false;
  }

  /** Counts `n` new bytes against the limit; `n` must not exceed {@link available}. */
  consume(n: number): void {
    if (n > this.available) throw new RangeError(`flow control: consuming ${n} bytes with ${this.available} credit`);
    this.used_ += n;
  }

  /** Records that the sender had data to send but no credit; a BLOCKED frame becomes due once per limit. */
  markBlocked(): void {
    if (this.available > 0 || this.blockedAt === this.limit_) return;
    this.blockedAt = this.limit_;
    this.blockedPending = true;
  }

  /** True when a BLOCKED frame is due. */
  get blockedFramePending(): boolean {
    return this.blockedPending;
  }

  /** Returns the limit to carry in a DATA_BLOCKED / STREAM_DATA_BLOCKED frame when one is due, once. */
  pollBlocked(): number | undefined {
    if (!this.blockedPending) return undefined;
    this.blockedPending = false;
    return this.limit_;
  }

  /** A BLOCKED frame carrying `limit` was lost: send it again if we are still blocked at that limit. */
  onBlockedLost(limit: number): void {
    if (limit === this.limit_ && this.available === 0) this.blockedPending = true;
  }
}

/** Options of a {@link ReceiveWindow}. */
export interface ReceiveWindowOptions {
  /** Initial limit, as advertised in the transport parameters; also the initial window size. */
  initialWindow: number;
  /**
   * Upper bound for window autotuning. When larger than `initialWindow`, the window doubles each time an update is
   * due less than two round trips after the previous one (the peer is limited by us, not by the path). Default: no
   * autotuning.
   */
  maxWindow?: number;
  /** Frame type reported in FLOW_CONTROL_ERROR (for the connection-level window). */
  frameType?: number;
}

/** Receiver side of a flow-control limit (connection MAX_DATA or stream MAX_STREAM_DATA). */
export class ReceiveWindow {
  private limit_: number;
  private window_: number;
  private readonly maxWindow: number;
  private received_ = 0;
  private consumed_ = 0;
  private lastUpdateAt: number | undefined;
  private resend = false;
  private readonly frameType: number;

  /** Creates a window whose advertised limit is `options.initialWindow`. */
  constructor(options: ReceiveWindowOptions) {
    this.limit_ = options.initialWindow;
    this.window_ = options.initialWindow;
    this.maxWindow = Math.max(options.maxWindow ?? options.initialWindow, options.initialWindow);
    this.frameType = options.frameType ?? 0;
  }

  /** The limit we advertised last. */
  get limit(): number {
    return this.limit_;
  }

  /** Current window size (grows with autotuning). */
  get window(): number {
    return this.window_;
  }

  /** Highest received byte count (stream: highest offset; connection: sum over streams). */
  get received(): number {
    return this.received_;
  }

  /** Bytes consumed by the application (or released). */
  get consumed(): number {
    return this.consumed_;
  }

  /**
   * Raises the received count to `total`, rejecting totals beyond the advertised limit.
   * @returns the increase (0 when `total` is not higher than before)
   * @throws QuicError FLOW_CONTROL_ERROR when `total` exceeds the limit
   */
  receiveUpTo(total: number, frameType = this.frameType): number {
    if (total <= this.received_) return 0;
    this.check(total, frameType);
    const delta = total - this.received_;
    this.received_ = total;
    return delta;
  }

  /** Adds `delta` received bytes (connection level: a stream's highest offset grew by `delta`). */
  addReceived(delta: number, frameType = this.frameType): void {
    this.receiveUpTo(this.received_ + delta, frameType);
  }

  /** Throws FLOW_CONTROL_ERROR when a received total of `total` would exceed the limit; changes nothing. */
  check(total: number, frameType = this.frameType): void {
    if (total > this.limit_) {
      throw new QuicError(
        TransportErrorCode.FLOW_CONTROL_ERROR,
        `peer sent ${total} bytes, more than the limit of ${this.limit_}`,
        { frameType },
      );
    }
  }

  /** Records that `n` bytes were consumed by the application (or discarded), opening the window again. */
  consume(n: number): void {
    this.consumed_ = Math.min(this.consumed_ + n, this.received_);
  }

  /** True when a MAX_DATA / MAX_STREAM_DATA frame is due (half the window consumed since the last limit, or a loss). */
  get updatePending(): boolean {
    if (this.resend) return true;
    const next = this.consumed_ + this.window_;
    return next > this.limit_ && next - this.limit_ >= this.window_ / 2;
  }

  /**
   * Returns the new limit to advertise when an update is due, and takes it as the advertised limit.
   * @param now current time in ms, for autotuning (optional)
   * @param rtt smoothed RTT in ms, for autotuning (optional)
   */
  pollUpdate(now?: number, rtt?: number): number | undefined {
    if (!this.updatePending) return undefined;
    this.resend = false;
    if (now !== undefined && rtt !== undefined) {
      if (this.lastUpdateAt !== undefined && now - this.lastUpdateAt < 2 * rtt && this.window_ < this.maxWindow) {
        this.window_ = Math.min(this.window_ * 2, this.maxWindow);
      }
      this.lastUpdateAt = now;
    }
    const next = this.consumed_ + this.window_;
    if (next > this.limit_) this.limit_ = next;
    return this.limit_;
  }

  /** A MAX_DATA / MAX_STREAM_DATA frame carrying `limit` was lost: resend the current limit if it was the latest. */
  onUpdateLost(limit: number): void {
    if (limit === this.limit_) this.resend = true;
  }
}
