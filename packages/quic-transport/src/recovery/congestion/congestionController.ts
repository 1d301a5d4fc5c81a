/**
 * The congestion-controller interface used by loss recovery (RFC 9002 §7), and the window bookkeeping every
 * controller shares: bytes in flight, the recovery period, the minimum and initial windows, and app-limited state.
 * Sizes are bytes, times are milliseconds.
 */
import type { RttView } from '../rttEstimator.js';
import { HyStart } from './hyStart.js';

/** The fields of a sent packet a congestion controller looks at. */
export interface CongestionPacket {
  /** Bytes the packet occupied on the wire. */
  readonly size: number;
  /** Time the packet was sent, in ms. */
  readonly timeSent: number;
  /** Whether the packet counted toward bytes in flight. */
  readonly inFlight: boolean;
}

/** Names of the available congestion controllers. */
export type CongestionControlName = 'newreno' | 'cubic';

/** Options common to all congestion controllers. */
export interface CongestionOptions {
  /** Maximum datagram size in bytes (default 1200, the QUIC minimum). */
  maxDatagramSize?: number;
  /** Initial window in bytes (default min(10 × mds, max(14720, 2 × mds)), RFC 9002 §7.2). */
  initialWindow?: number;
  /** Minimum window in bytes (default 2 × mds, RFC 9002 §7.2). */
  minimumWindow?: number;
  /**
   * Leave slow start early when the RTT grows (HyStart++, RFC 9406; default true): a queue building up in front of
   * the receiver ends slow start before it overflows and drops a window's worth of packets.
   */
  hystart?: boolean;
}

/** A congestion controller (RFC 9002 §7): decides how many bytes may be in flight. */
export interface CongestionController {
  /** Which algorithm this is. */
  readonly name: CongestionControlName;
  /** Current congestion window in bytes. */
  readonly window: number;
  /** Bytes currently in flight (sent, in flight, neither acknowledged, lost nor discarded). */
  readonly bytesInFlight: number;
  /** Slow-start threshold in bytes (`Infinity` until the first congestion event). */
  readonly ssthresh: number;
  /** Maximum datagram size in bytes. */
  readonly maxDatagramSize: number;
  /**
   * Whether a packet of `bytes` may be sent now: it must not push bytes in flight over the window, except for the
   * one packet allowed right after entering recovery. Probe packets sent on PTO expiry bypass this check.
   */
  canSend(bytes: number): boolean;
  /** Records an in-flight packet as sent. */
  onPacketSent(bytes: number, now: number): void;
  /** Newly acknowledged packets (ascending packet number): removes them from flight and grows the window. */
  onPacketsAcked(packets: readonly CongestionPacket[], now: number, rtt: RttView): void;
  /** Packets declared lost: removes them from flight and signals a congestion event for the latest of them. */
  onPacketsLost(packets: readonly CongestionPacket[], now: number): void;
  /** A congestion event (loss or ECN-CE) for a packet sent at `sentTime`; ignored inside the current recovery period. */
  onCongestionEvent(sentTime: number, now: number): void;
  /** Persistent congestion was established (RFC 9002 §7.6): collapse to the minimum window. */
  onPersistentCongestion(now: number): void;
  /** Removes packets from flight without any congestion signal (discarded keys, 0-RTT rejected, Retry). */
  onPacketsDiscarded(bytes: number): void;
  /** Tells the controller whether the sender is limited by the application (or flow control) rather than cwnd. */
  setAppLimited(limited: boolean, now: number): void;
  /** True if a packet sent at `sentTime` was sent before the current recovery period began. */
  inRecovery(sentTime: number): boolean;
}

/**
 * Window bookkeeping shared by {@link CongestionController} implementations; subclasses supply window growth on ACK and
 * the reaction to a congestion event.
 */
export abstract class WindowCongestionController implements CongestionController {
  /** Which algorithm this is. */
  abstract readonly name: CongestionControlName;
  /** Maximum datagram size in bytes. */
  readonly maxDatagramSize: number;
  /** Minimum congestion window in bytes. */
  readonly minimumWindow: number;
  /** Initial congestion window in bytes. */
  readonly initialWindow: number;
  /** Current congestion window in bytes. */
  protected cwnd: number;
  /** Slow-start threshold in bytes. */
  protected _ssthresh = Infinity;
  /** Start of the current recovery period (`-Infinity` when none). */
  protected recoveryStart = -Infinity;
  private _bytesInFlight = 0;
  private sendOneInRecovery = false;
  private appLimitedSince: number | undefined;
  /** HyStart++ state (undefined when turned off). */
  private readonly hystart: HyStart | undefined;
  private lastSentTime = -Infinity;

  constructor(options: CongestionOptions = {}) {
    const mds = options.maxDatagramSize ?? 1200;
    if (!(mds >= 1200) || !Number.isFinite(mds)) throw new RangeError(`max datagram size ${mds} below 1200`);
    this.maxDatagramSize = mds;
    this.minimumWindow = options.minimumWindow ?? 2 * mds;
    this.initialWindow = options.initialWindow ?? Math.min(10 * mds, Math.max(14720, 2 * mds));
    this.cwnd = this.initialWindow;
    this.hystart = options.hystart === false ? undefined : new HyStart();
  }

  /** Current congestion window in bytes. */
  get window(): number {
    return this.cwnd;
  }

  /** Slow-start threshold in bytes. */
  get ssthresh(): number {
    return this._ssthresh;
  }

  /** Bytes currently in flight. */
  get bytesInFlight(): number {
    return this._bytesInFlight;
  }

  /** True while the application, not the window, limits sending. */
  get appLimited(): boolean {
    return this.appLimitedSince !== undefined;
  }

  canSend(bytes: number): boolean {
    return this.sendOneInRecovery || this._bytesInFlight + bytes <= this.cwnd;
  }

  onPacketSent(bytes: number, now: number): void {
    this._bytesInFlight += bytes;
    this.sendOneInRecovery = false;
    this.lastSentTime = now;
  }

  onPacketsAcked(packets: readonly CongestionPacket[], now: number, rtt: RttView): void {
    const slowStart = this.cwnd < this._ssthresh;
    let newest = -Infinity;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      if (p.timeSent > newest) newest = p.timeSent;
      if (!p.inFlight) continue;
      this.removeFromFlight(p.size);
      // No growth while application limited or for packets sent before the recovery period started.
      if (this.appLimitedSince !== undefined || this.inRecovery(p.timeSent)) continue;
      this.grow(p, now, rtt);
    }
    // HyStart++ after the increase (RFC 9406 §4.2): one RTT sample per ACK; the newest packet acknowledged tells
    // whether a round ended.
    if (slowStart && this.hystart !== undefined && packets.length > 0 && this.hystart.onAck(newest, this.lastSentTime, rtt.latestRtt)) {
      if (this.cwnd < this._ssthresh) this._ssthresh = this.cwnd;
    }
  }

  onPacketsLost(packets: readonly CongestionPacket[], now: number): void {
    let lastLoss = -Infinity;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      if (!p.inFlight) continue;
      this.removeFromFlight(p.size);
      if (p.timeSent > lastLoss) lastLoss = p.timeSent;
    }
    if (lastLoss !== -Infinity) this.onCongestionEvent(lastLoss, now);
  }

  onCongestionEvent(sentTime: number, now: number): void {
    if (this.inRecovery(sentTime)) return;
    this.recoveryStart = now;
    this.reduce(now);
    if (this.cwnd < this.minimumWindow) this.cwnd = this.minimumWindow;
    // One packet may be sent to speed up loss recovery (RFC 9002 §7.3.2).
    this.sendOneInRecovery = true;
  }

  onPersistentCongestion(now: number): void {
    this.cwnd = this.minimumWindow;
    this.recoveryStart = -Infinity;
    this.sendOneInRecovery = false;
    this.hystart?.restart();
    this.resetAfterPersistentCongestion(now);
  }

  onPacketsDiscarded(bytes: number): void {
    this.removeFromFlight(bytes);
  }

  setAppLimited(limited: boolean, now: number): void {
    if (limited) {
      this.appLimitedSince ??= now;
    } else if (this.appLimitedSince !== undefined) {
      const idle = now - this.appLimitedSince;
      this.appLimitedSince = undefined;
      if (idle > 0) this.onAppLimitedEnd(idle);
    }
  }

  inRecovery(sentTime: number): boolean {
    return sentTime <= this.recoveryStart;
  }

  /**
   * The slow-start increase for `acked` newly acknowledged bytes: all of them, or a quarter in HyStart++'s
   * conservative slow start.
   */
  protected slowStartIncrease(acked: number): number {
    return this.hystart === undefined ? acked : this.hystart.increase(acked);
  }

  /** Whether HyStart++ is in conservative slow start (RFC 9406 §4.2); a loss there ends slow start altogether. */
  get inConservativeSlowStart(): boolean {
    return this.cwnd < this._ssthresh && (this.hystart?.conservative ?? false);
  }

  /** Grows the window for one newly acknowledged in-flight packet (not app-limited, not in recovery). */
  protected abstract grow(packet: CongestionPacket, now: number, rtt: RttView): void;
  /** Reacts to a congestion event that starts a new recovery period: set ssthresh and cwnd. */
  protected abstract reduce(now: number): void;
  /** Hook after persistent congestion collapsed the window. */
  protected resetAfterPersistentCongestion(_now: number): void {}
  /** Hook when an app-limited period of `duration` ms ends. */
  protected onAppLimitedEnd(_duration: number): void {}

  private removeFromFlight(bytes: number): void {
    this._bytesInFlight = this._bytesInFlight > bytes ? this._bytesInFlight - bytes : 0;
  }
}
