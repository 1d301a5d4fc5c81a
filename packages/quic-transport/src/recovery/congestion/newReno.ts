/** NewReno congestion control as specified for QUIC (RFC 9002 §7 and Appendix B). */
import { WindowCongestionController } from './congestionController.js';
import type { CongestionControlName, CongestionPacket } from './congestionController.js';

/** kLossReductionFactor (RFC 9002 §7.3.2). */
export const NEWRENO_LOSS_REDUCTION_FACTOR = 0.5;

/**
 * NewReno: slow start doubles the window each RTT until ssthresh; congestion avoidance then adds one maximum datagram
 * per window of acknowledged bytes; a congestion event halves the window once per recovery period.
 */
export class NewReno extends WindowCongestionController {
  /** Algorithm name. */
  readonly name: CongestionControlName = 'newreno';
  private ackedInAvoidance = 0;

  protected grow(packet: CongestionPacket): void {
    if (this.cwnd < this._ssthresh) {
      this.cwnd += this.slowStartIncrease(packet.size); // slow start
      return;
    }
    // Congestion avoidance: at most one datagram per congestion window acknowledged.
    this.ackedInAvoidance += packet.size;
    if (this.ackedInAvoidance >= this.cwnd) {
      this.ackedInAvoidance -= this.cwnd;
      this.cwnd += this.maxDatagramSize;
    }
  }

  protected reduce(): void {
    this._ssthresh = Math.floor(this.cwnd * NEWRENO_LOSS_REDUCTION_FACTOR);
    this.cwnd = Math.max(this._ssthresh, this.minimumWindow);
    this.ackedInAvoidance = 0;
  }

  protected override resetAfterPersistentCongestion(): void {
    this.ackedInAvoidance = 0;
  }
}
