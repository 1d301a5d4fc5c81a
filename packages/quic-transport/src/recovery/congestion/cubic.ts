/**
 * CUBIC congestion control (RFC 9438) on top of the QUIC recovery rules of RFC 9002. Internally the cubic function
 * works in the RFC's units (windows in maximum-size segments, time in seconds); the public window is in bytes.
 */
import type { RttView } from '../rttEstimator.js';
import { WindowCongestionController } from './congestionController.js';
import type { CongestionControlName, CongestionOptions, CongestionPacket } from './congestionController.js';

/** CUBIC's scaling constant C (RFC 9438 §5.1: 0.4, in segments/s³). */
export const CUBIC_C = 0.4;
/** CUBIC's multiplicative decrease factor β_cubic (RFC 9438 §4.6: 0.7). */
export const CUBIC_BETA = 0.7;
/** α_cubic for the Reno-friendly estimate: 3 × (1 − β) / (1 + β) (RFC 9438 §4.3). */
export const CUBIC_ALPHA = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);

/**
 * K, the time in seconds the cubic function takes to grow from `cwndEpoch` back to `wMax` (RFC 9438 Eq. 2):
 * `cbrt((W_max − cwnd_epoch) / C)`; windows in segments.
 */
export function cubicK(wMax: number, cwndEpoch: number): number {
  return Math.cbrt((wMax - cwndEpoch) / CUBIC_C);
}

/** W_cubic(t) = C × (t − K)³ + W_max (RFC 9438 Eq. 1); `t` and `k` in seconds, windows in segments. */
export function cubicWindow(t: number, k: number, wMax: number): number {
  const d = t - k;
  return CUBIC_C * d * d * d + wMax;
}

/** Options of the CUBIC controller. */
export interface CubicOptions extends CongestionOptions {
  /** Fast convergence (RFC 9438 §4.7), default on. */
  fastConvergence?: boolean;
}

/**
 * CUBIC (RFC 9438): standard slow start, then window growth along a cubic curve anchored at the window before the
 * last congestion event (W_max), never slower than the Reno-friendly estimate W_est; β = 0.7 on congestion events,
 * fast convergence, and time spent app-limited excluded from the curve's clock.
 */
export class Cubic extends WindowCongestionController {
  /** Algorithm name. */
  readonly name: CongestionControlName = 'cubic';
  private readonly fastConvergence: boolean;
  /** W_max in bytes (0 when unset). */
  private wMax = 0;
  /** cwnd just before the last reduction, in bytes (cwnd_prior). */
  private cwndPrior = 0;
  /** Start of the current congestion-avoidance epoch (t_epoch), undefined until the first ACK in avoidance. */
  private epochStart: number | undefined;
  /** K in seconds. */
  private k = 0;
  /** The Reno-friendly estimate W_est, in bytes. */
  private wEst = 0;

  constructor(options: CubicOptions = {}) {
    super(options);
    this.fastConvergence = options.fastConvergence ?? true;
  }

  /** Current W_max in bytes (0 before the first congestion event or avoidance epoch). */
  get maxWindow(): number {
    return this.wMax;
  }

  /** K of the current epoch, in seconds. */
  get kSeconds(): number {
    return this.k;
  }

  /** The Reno-friendly estimate W_est in bytes (0 outside congestion avoidance). */
  get renoEstimate(): number {
    return this.wEst;
  }

  /** Start time of the current congestion-avoidance epoch, if one has started. */
  get epochStartTime(): number | undefined {
    return this.epochStart;
  }

  protected grow(packet: CongestionPacket, now: number, rtt: RttView): void {
    if (this.cwnd < this._ssthresh) {
      this.cwnd += this.slowStartIncrease(packet.size); // slow start (RFC 9438 §4.10)
      return;
    }
    const mds = this.maxDatagramSize;
    if (this.epochStart === undefined) {
      this.epochStart = now;
      if (this.wMax <= this.cwnd) {
        // No congestion event yet, or already past the old maximum: start on the convex part with K = 0.
        this.wMax = this.cwnd;
        this.k = 0;
      } else {
        this.k = cubicK(this.wMax / mds, this.cwnd / mds);
      }
      this.wEst = this.cwnd;
    }
    const t = (now - this.epochStart) / 1000;
    const wMaxSeg = this.wMax / mds;
    const cwndSeg = this.cwnd / mds;

    // Reno-friendly estimate (§4.3): α becomes 1 once W_est has reached cwnd_prior.
    const alpha = this.wEst >= this.cwndPrior ? 1 : CUBIC_ALPHA;
    this.wEst += (alpha * mds * packet.size) / this.cwnd;

    const wCubicNow = cubicWindow(t, this.k, wMaxSeg) * mds;
    if (wCubicNow < this.wEst) {
      // Reno-friendly region: follow W_est (never shrinking the window on an ACK).
      if (this.wEst > this.cwnd) this.cwnd = this.wEst;
      return;
    }
    // Concave / convex region (§4.4, §4.5): aim at W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd].
    const rttSeconds = rtt.smoothedRtt / 1000;
    let target = cubicWindow(t + rttSeconds, this.k, wMaxSeg);
    if (target < cwndSeg) target = cwndSeg;
    else if (target > 1.5 * cwndSeg) target = 1.5 * cwndSeg;
    this.cwnd += ((target - cwndSeg) / cwndSeg) * packet.size;
  }

  protected reduce(): void {
    // Fast convergence (§4.7): release bandwidth faster if the window did not reach the previous maximum.
    this.wMax = this.fastConvergence && this.cwnd < this.wMax ? (this.cwnd * (1 + CUBIC_BETA)) / 2 : this.cwnd;
    this.cwndPrior = this.cwnd;
    this._ssthresh = Math.max(Math.floor(this.cwnd * CUBIC_BETA), this.minimumWindow);
    this.cwnd = this._ssthresh;
    this.epochStart = undefined;
    this.wEst = 0;
  }

  protected override resetAfterPersistentCongestion(): void {
    // After a timeout the next avoidance stage starts with K = 0 and W_max = cwnd at its beginning (§4.8).
    this.wMax = 0;
    this.cwndPrior = 0;
    this.epochStart = undefined;
    this.wEst = 0;
  }

  protected override onAppLimitedEnd(duration: number): void {
    // t must not include periods where the application limited sending (§5.8).
    if (this.epochStart !== undefined) this.epochStart += duration;
  }
}
