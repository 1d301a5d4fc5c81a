/**
 * QUIC loss detection (RFC 9002 §6 and Appendix A) as a sans-IO class: the connection reports sent packets and
 * received ACK frames, asks for the loss-detection timer, and calls {@link LossDetection.onTimeout} when it fires.
 * Congestion control is delegated to a {@link CongestionController}; RTT estimation to an {@link RttEstimator}.
 *
 * Persistent congestion (§7.6.2) is established per packet number space (allowed by the RFC's MAY): two ack-eliciting
 * packets declared lost together, sent after the first RTT sample, more than the persistent-congestion duration apart,
 * with no packet number between them acknowledged.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { createCongestionController } from './congestion/createCongestionController.js';
import type { CongestionController, CongestionControlName, CongestionOptions } from './congestion/congestionController.js';
import { DEFAULT_MAX_ACK_DELAY_MS, GRANULARITY_MS, RttEstimator } from './rttEstimator.js';
import { PN_SPACES, SentPacketStore } from './sentPacket.js';
import type { AckRange, PnSpace, SentPacket, SentPacketInfo } from './sentPacket.js';

/** kPacketThreshold (RFC 9002 §6.1.1). */
export const PACKET_THRESHOLD = 3;
/** kTimeThreshold (RFC 9002 §6.1.2). */
export const TIME_THRESHOLD = 9 / 8;
/** kPersistentCongestionThreshold (RFC 9002 §7.6.1). */
export const PERSISTENT_CONGESTION_THRESHOLD = 3;

/** Options of {@link LossDetection}. */
export interface LossDetectionOptions {
  /** Our role; only a client arms the anti-deadlock PTO and waits for the server to validate its address. */
  role: 'client' | 'server';
  /** A congestion controller, or the name of one to create (default 'newreno'). */
  congestion?: CongestionController | CongestionControlName;
  /** Maximum datagram size for a controller created by name (default 1200). */
  maxDatagramSize?: number;
  /** HyStart++ in the controller made from a name (default true; see {@link CongestionOptions.hystart}). */
  hystart?: boolean;
  /** RTT to assume before the first sample (default 333 ms). */
  initialRtt?: number;
  /** The peer's max_ack_delay in ms (default 25; update with {@link LossDetection.setMaxAckDelay}). */
  maxAckDelay?: number;
  /** Packet reordering threshold (default 3). */
  packetThreshold?: number;
  /** Time reordering threshold as a multiple of the RTT (default 9/8). */
  timeThreshold?: number;
}

/** The outcome of processing one ACK frame. */
export interface AckResult<F> {
  /** Packets newly acknowledged by this frame, ascending packet number. */
  newlyAcked: SentPacket<F>[];
  /** Packets declared lost as a consequence, ascending packet number; requeue their frames. */
  lost: SentPacket<F>[];
  /** True if the frame produced an RTT sample. */
  rttSampled: boolean;
  /** True if the losses established persistent congestion. */
  persistentCongestion: boolean;
}

/** What the connection must do after the loss-detection timer fired. */
export type TimeoutAction<F> =
  /** The timer was not due (or not armed): nothing to do. */
  | { kind: 'none' }
  /** Time-threshold loss: these packets are lost; requeue their frames. */
  | { kind: 'lost'; space: PnSpace; lost: SentPacket<F>[]; persistentCongestion: boolean }
  /**
   * Probe timeout: send `packets` ack-eliciting packets in `space`, ignoring the congestion window (new data if
   * available, else retransmitted data, else PING). `antiDeadlock` marks the client's probe sent with nothing in flight
   * (a padded Initial, or a Handshake packet when it has Handshake keys).
   */
  | { kind: 'probe'; space: PnSpace; packets: 1 | 2; antiDeadlock: boolean };

interface SpaceState<F> {
  readonly sent: SentPacketStore<F>;
  largestAcked: number;
  lossTime: number | undefined;
  lastAckElicitingTime: number | undefined;
  ceCount: number;
  discarded: boolean;
}

/**
 * Loss detection and probe timeouts for one connection (RFC 9002 Appendix A).
 * @typeParam F what the connection records per sent packet (frames to retransmit)
 */
export class LossDetection<F> {
  /** RTT statistics fed by this object. */
  readonly rtt: RttEstimator;
  /** The congestion controller fed by this object. */
  readonly congestion: CongestionController;
  /** Our role. */
  readonly role: 'client' | 'server';
  /** Number of consecutive probe timeouts without an acknowledgment (drives exponential backoff). */
  ptoCount = 0;
  private readonly spaces: Record<PnSpace, SpaceState<F>>;
  private readonly packetThreshold: number;
  private readonly timeThreshold: number;
  private maxAckDelay: number;
  private _handshakeConfirmed = false;
  private _hasHandshakeKeys = false;
  private _peerAddressValidated: boolean;
  private _amplificationBlocked = false;
  private firstRttSampleTime: number | undefined;
  private timer: number | undefined;

  constructor(options: LossDetectionOptions) {
    this.role = options.role;
    this.rtt = new RttEstimator(options.initialRtt);
    const cc = options.congestion ?? 'newreno';
    this.congestion =
      typeof cc === 'string' ? createCongestionController(cc, { maxDatagramSize: options.maxDatagramSize, hystart: options.hystart }) : cc;
    this.maxAckDelay = options.maxAckDelay ?? DEFAULT_MAX_ACK_DELAY_MS;
    this.packetThreshold = options.packetThreshold ?? PACKET_THRESHOLD;
    this.timeThreshold = options.timeThreshold ?? TIME_THRESHOLD;
    // Clients assume the server validates the client's address implicitly only once it acknowledges a Handshake
    // packet or the handshake is confirmed; servers consider the client's validation of them implicit.
    this._peerAddressValidated = this.role === 'server';
    const make = (): SpaceState<F> => ({
      sent: new SentPacketStore<F>(),
      largestAcked: -1,
      lossTime: undefined,
      lastAckElicitingTime: undefined,
      ceCount: 0,
      discarded: false,
    });
    this.spaces = { initial: make(), handshake: make(), application: make() };
  }

  /** The loss-detection timer: absolute time in ms at which to call {@link onTimeout}, or undefined if not armed. */
  get timeout(): number | undefined {
    return this.timer;
  }

  /** True once the handshake is confirmed (RFC 9001 §4.1.2). */
  get handshakeConfirmed(): boolean {
    return this._handshakeConfirmed;
  }

  /** True if the peer has validated our address (always true for a server). */
  get peerAddressValidated(): boolean {
    return this._peerAddressValidated;
  }

  /** Bytes in flight across all spaces (as seen by the congestion controller). */
  get bytesInFlight(): number {
    return this.congestion.bytesInFlight;
  }

  /** Largest packet number acknowledged by the peer in `space`, or -1. */
  largestAcked(space: PnSpace): number {
    return this.spaces[space].largestAcked;
  }

  /** Unacknowledged, not-yet-lost packets of `space`. */
  sentPackets(space: PnSpace): Iterable<SentPacket<F>> {
    return this.spaces[space].sent;
  }

  /** Number of ack-eliciting packets in flight in `space`, or across all spaces when omitted. */
  ackElicitingInFlight(space?: PnSpace): number {
    if (space !== undefined) return this.spaces[space].sent.ackElicitingInFlight;
    const s = this.spaces;
    return s.initial.sent.ackElicitingInFlight + s.handshake.sent.ackElicitingInFlight + s.application.sent.ackElicitingInFlight;
  }

  /** True once `space` has been discarded. */
  isDiscarded(space: PnSpace): boolean {
    return this.spaces[space].discarded;
  }

  /** Sets the peer's max_ack_delay (ms) once its transport parameters are known. */
  setMaxAckDelay(ms: number, now: number): void {
    this.maxAckDelay = ms;
    this.setTimer(now);
  }

  /** The client now has Handshake keys: its anti-deadlock probe moves from Initial to Handshake. */
  onHandshakeKeysAvailable(now: number): void {
    this._hasHandshakeKeys = true;
    this.setTimer(now);
  }

  /** The handshake is confirmed: Application Data PTO becomes active, ack delay is capped by max_ack_delay. */
  onHandshakeConfirmed(now: number): void {
    this._handshakeConfirmed = true;
    this._peerAddressValidated = true;
    this.setTimer(now);
  }

  /** The client learned the server validated its address (e.g. any Handshake packet was acknowledged). */
  onPeerAddressValidated(now: number): void {
    this._peerAddressValidated = true;
    this.setTimer(now);
  }

  /**
   * Server only: whether the anti-amplification limit currently prevents sending. While blocked no PTO is armed;
   * unblocking (a datagram arrived) re-arms it, possibly in the past, in which case the caller runs it at once.
   */
  setAmplificationBlocked(blocked: boolean, now: number): void {
    this._amplificationBlocked = blocked && this.role === 'server';
    this.setTimer(now);
  }

  /**
   * Records a packet just sent in `space` (RFC 9002 A.5). Packet numbers must increase within a space.
   * @throws RangeError if `space` was discarded or the packet number does not increase (caller bugs)
   */
  onPacketSent(space: PnSpace, info: SentPacketInfo<F>, now: number): void {
    const st = this.spaces[space];
    if (st.discarded) throw new RangeError(`packet sent in discarded ${space} space`);
    const packet: SentPacket<F> = {
      pn: info.pn,
      ackEliciting: info.ackEliciting,
      inFlight: info.inFlight,
      size: info.size,
      frames: info.frames,
      space,
      timeSent: now,
    };
    st.sent.add(packet);
    if (packet.inFlight) {
      if (packet.ackEliciting) st.lastAckElicitingTime = now;
      this.congestion.onPacketSent(packet.size, now);
      this.setTimer(now);
    }
  }

  /**
   * Processes an ACK frame received in `space` (RFC 9002 A.7).
   * @param ranges acknowledged ranges, largest first (as decoded from the frame)
   * @param ackDelay the peer's ack delay in ms (decoded with the peer's ack_delay_exponent); ignored in Initial
   * @param ecn the ECN counts of an ACK_ECN frame (only `ce` is used); an increased CE count is a congestion event
   * @throws QuicError PROTOCOL_VIOLATION if the frame acknowledges a packet number never sent in this space
   */
  onAckReceived(space: PnSpace, ranges: readonly AckRange[], ackDelay: number, now: number, ecn?: { readonly ce: number }): AckResult<F> {
    const result: AckResult<F> = { newlyAcked: [], lost: [], rttSampled: false, persistentCongestion: false };
    const st = this.spaces[space];
    if (st.discarded || ranges.length === 0) return result;
    const largest = ranges[0]!.largest;
    if (largest > st.sent.largestSent) {
      throw new QuicError(
        TransportErrorCode.PROTOCOL_VIOLATION,
        `ACK in ${space} space for packet ${largest}, largest sent is ${st.sent.largestSent}`,
        { frameType: ecn ? 0x03 : 0x02 },
      );
    }
    if (largest > st.largestAcked) st.largestAcked = largest;
    if (space === 'handshake' && !this._peerAddressValidated) this._peerAddressValidated = true;

    const acked = result.newlyAcked;
    if (st.sent.removeAcked(ranges, acked) === 0) return result;

    const newest = acked[acked.length - 1]!;
    if (newest.pn === largest && includesAckEliciting(acked)) {
      this.rtt.update(now - newest.timeSent, space === 'initial' ? 0 : ackDelay, this._handshakeConfirmed, this.maxAckDelay);
      this.firstRttSampleTime ??= now;
      result.rttSampled = true;
    }
    if (ecn !== undefined && ecn.ce > st.ceCount) {
      st.ceCount = ecn.ce;
      this.congestion.onCongestionEvent(newest.timeSent, now);
    }

    this.detectLost(space, now, result.lost);
    if (result.lost.length > 0) result.persistentCongestion = this.onPacketsLost(result.lost, now);
    this.congestion.onPacketsAcked(acked, now, this.rtt);

    if (this._peerAddressValidated) this.ptoCount = 0;
    this.setTimer(now);
    return result;
  }

  /**
   * Runs the loss-detection timer (RFC 9002 A.9) if it is due at `now`, and says what to do: declare losses, or send
   * probe packets in a given space. Calling it early (or when unarmed) returns `{ kind: 'none' }`.
   */
  onTimeout(now: number): TimeoutAction<F> {
    if (this.timer === undefined || now < this.timer) return { kind: 'none' };
    const loss = this.earliestLossTime();
    if (loss !== undefined) {
      const lost: SentPacket<F>[] = [];
      this.detectLost(loss.space, now, lost);
      const persistentCongestion = lost.length > 0 && this.onPacketsLost(lost, now);
      this.setTimer(now);
      return { kind: 'lost', space: loss.space, lost, persistentCongestion };
    }
    let action: TimeoutAction<F>;
    if (this.ackElicitingInFlight() === 0) {
      // Anti-deadlock probe: only a client whose address is not yet validated gets here.
      action = { kind: 'probe', space: this._hasHandshakeKeys ? 'handshake' : 'initial', packets: 1, antiDeadlock: true };
    } else {
      const pto = this.ptoTimeAndSpace(now);
      action = { kind: 'probe', space: pto?.space ?? 'initial', packets: 2, antiDeadlock: false };
    }
    this.ptoCount++;
    this.setTimer(now);
    return action;
  }

  /**
   * Discards the state of `space` when its keys are discarded (RFC 9002 A.11): its packets leave bytes in flight with
   * no congestion signal, its timers are cleared and the PTO backoff is reset. Returns the packets dropped.
   */
  discardSpace(space: PnSpace, now: number): SentPacket<F>[] {
    const st = this.spaces[space];
    if (st.discarded) return [];
    st.discarded = true;
    const dropped = this.dropAll(st);
    this.ptoCount = 0;
    this.setTimer(now);
    return dropped;
  }

  /**
   * Removes packets of `space` matching `predicate` from flight without treating them as lost (e.g. 0-RTT packets
   * after 0-RTT was rejected). Returns the removed packets so their frames can be requeued.
   */
  removePackets(space: PnSpace, predicate: (p: SentPacket<F>) => boolean, now: number): SentPacket<F>[] {
    const st = this.spaces[space];
    const removed: SentPacket<F>[] = [];
    let bytes = 0;
    st.sent.sweep(Infinity, (p) => {
      if (!predicate(p)) return false;
      removed.push(p);
      if (p.inFlight) bytes += p.size;
      return true;
    });
    if (bytes > 0) this.congestion.onPacketsDiscarded(bytes);
    if (st.sent.ackElicitingInFlight === 0) st.lastAckElicitingTime = undefined;
    this.setTimer(now);
    return removed;
  }

  /**
   * Client received a Retry (RFC 9002 §6.3): resets loss recovery. Every packet sent so far (Initial and 0-RTT) is
   * removed from flight and returned so its frames can be sent again with the new token and connection ID.
   */
  onRetry(now: number): SentPacket<F>[] {
    const out: SentPacket<F>[] = [];
    for (const space of PN_SPACES) {
      const st = this.spaces[space];
      if (!st.discarded) for (const p of this.dropAll(st)) out.push(p);
    }
    this.ptoCount = 0;
    this.setTimer(now);
    return out;
  }

  private dropAll(st: SpaceState<F>): SentPacket<F>[] {
    const bytes = st.sent.bytesInFlight;
    const dropped = st.sent.drain();
    if (bytes > 0) this.congestion.onPacketsDiscarded(bytes);
    st.lossTime = undefined;
    st.lastAckElicitingTime = undefined;
    return dropped;
  }

  /** DetectAndRemoveLostPackets (RFC 9002 A.10): appends the lost packets of `space` to `out`. */
  private detectLost(space: PnSpace, now: number, out: SentPacket<F>[]): void {
    const st = this.spaces[space];
    st.lossTime = undefined;
    if (st.largestAcked < 0) return;
    const rtt = this.rtt;
    const lossDelay = Math.max(this.timeThreshold * Math.max(rtt.latestRtt, rtt.smoothedRtt), GRANULARITY_MS);
    const largestAcked = st.largestAcked;
    const threshold = this.packetThreshold;
    st.sent.sweep(largestAcked, (p) => {
      // Compare the packet's loss time itself with `now` (not timeSent with now - lossDelay): the timer is armed at
      // exactly that sum, and the other form can miss it by a rounding error and re-arm the same deadline forever.
      const t = p.timeSent + lossDelay;
      if (t <= now || largestAcked >= p.pn + threshold) {
        out.push(p);
        return true;
      }
      if (st.lossTime === undefined || t < st.lossTime) st.lossTime = t;
      return false;
    });
    if (st.sent.ackElicitingInFlight === 0) st.lastAckElicitingTime = undefined;
  }

  /** OnPacketsLost (RFC 9002 B.8); returns true if persistent congestion was established. */
  private onPacketsLost(lost: SentPacket<F>[], now: number): boolean {
    this.congestion.onPacketsLost(lost, now);
    if (!this.inPersistentCongestion(lost)) return false;
    this.congestion.onPersistentCongestion(now);
    this.rtt.resetMinRtt();
    return true;
  }

  private inPersistentCongestion(lost: readonly SentPacket<F>[]): boolean {
    const firstSample = this.firstRttSampleTime;
    if (firstSample === undefined) return false;
    const duration = this.rtt.pto(this.maxAckDelay) * PERSISTENT_CONGESTION_THRESHOLD;
    let start: number | undefined;
    let prevPn = -2;
    for (let i = 0; i < lost.length; i++) {
      const p = lost[i]!;
      // A gap in packet numbers means something in between was acknowledged (or never declared lost): new run.
      if (p.pn !== prevPn + 1 || p.timeSent <= firstSample) start = undefined;
      prevPn = p.pn;
      if (!p.ackEliciting || p.timeSent <= firstSample) continue;
      if (start === undefined) start = p.timeSent;
      else if (p.timeSent - start > duration) return true;
    }
    return false;
  }

  private earliestLossTime(): { time: number; space: PnSpace } | undefined {
    let best: { time: number; space: PnSpace } | undefined;
    for (const space of PN_SPACES) {
      const t = this.spaces[space].lossTime;
      if (t !== undefined && (best === undefined || t < best.time)) best = { time: t, space };
    }
    return best;
  }

  /** GetPtoTimeAndSpace (RFC 9002 A.8); undefined when no PTO applies. */
  private ptoTimeAndSpace(now: number): { time: number; space: PnSpace } | undefined {
    const backoff = 2 ** Math.min(this.ptoCount, 30);
    let duration = this.rtt.pto() * backoff;
    if (this.ackElicitingInFlight() === 0) {
      // Anti-deadlock PTO, from now.
      return { time: now + duration, space: this._hasHandshakeKeys ? 'handshake' : 'initial' };
    }
    let best: { time: number; space: PnSpace } | undefined;
    for (const space of PN_SPACES) {
      const st = this.spaces[space];
      if (st.sent.ackElicitingInFlight === 0 || st.lastAckElicitingTime === undefined) continue;
      if (space === 'application') {
        if (!this._handshakeConfirmed) break; // no Application Data PTO before the handshake is confirmed
        duration += this.maxAckDelay * backoff;
      }
      const t = st.lastAckElicitingTime + duration;
      if (best === undefined || t < best.time) best = { time: t, space };
    }
    return best;
  }

  /** SetLossDetectionTimer (RFC 9002 A.8). */
  private setTimer(now: number): void {
    const loss = this.earliestLossTime();
    if (loss !== undefined) {
      this.timer = loss.time;
      return;
    }
    if (this._amplificationBlocked) {
      this.timer = undefined;
      return;
    }
    if (this.ackElicitingInFlight() === 0 && this._peerAddressValidated) {
      this.timer = undefined;
      return;
    }
    const pto = this.ptoTimeAndSpace(now);
    this.timer = pto?.time;
  }
}

function includesAckEliciting<F>(packets: readonly SentPacket<F>[]): boolean {
  for (let i = 0; i < packets.length; i++) if (packets[i]!.ackEliciting) return true;
  return false;
}
