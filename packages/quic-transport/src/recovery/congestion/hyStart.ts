/**
 * HyStart++ (RFC 9406): a delay-based end to slow start. Slow start doubles the window every round trip until a packet
 * is lost; on a path whose bottleneck is a queue (a socket buffer in front of a busy receiver, a router), the last
 * doubling overfills it and a whole window's worth of packets is dropped. HyStart++ watches the minimum RTT of each
 * round: when it grows by more than a threshold, the sender switches to Conservative Slow Start (a quarter of the
 * growth), and after {@link HYSTART_CSS_ROUNDS} such rounds it leaves slow start; if the RTT falls back instead, the
 * increase was a false alarm and slow start resumes.
 *
 * Rounds are delimited by send times rather than packet numbers (the controller sees both Initial/Handshake and 1-RTT
 * packets): a round ends when a packet sent after it began is acknowledged (RFC 9406's windowEnd = SND.NXT). The sender paces, so no
 * per-ACK growth limit L applies (§4.3). Times are milliseconds.
 */

/** MIN_RTT_THRESH (RFC 9406 §4.3): the smallest RTT increase that counts, ms. */
export const HYSTART_MIN_RTT_THRESH = 4;
/** MAX_RTT_THRESH (RFC 9406 §4.3): the largest threshold used, ms. */
export const HYSTART_MAX_RTT_THRESH = 16;
/** MIN_RTT_DIVISOR (RFC 9406 §4.3): the threshold is the last round's minimum RTT divided by this (then clamped). */
export const HYSTART_MIN_RTT_DIVISOR = 8;
/** N_RTT_SAMPLE (RFC 9406 §4.3): RTT samples a round needs before its minimum is compared. */
export const HYSTART_N_RTT_SAMPLE = 8;
/** CSS_GROWTH_DIVISOR (RFC 9406 §4.3): slow-start growth is divided by this in Conservative Slow Start. */
export const HYSTART_CSS_GROWTH_DIVISOR = 4;
/** CSS_ROUNDS (RFC 9406 §4.3): rounds of Conservative Slow Start before slow start ends. */
export const HYSTART_CSS_ROUNDS = 5;

/** The RTT increase that counts as a signal after a round whose minimum RTT was `lastRoundMinRtt` (ms). */
export function hystartRttThreshold(lastRoundMinRtt: number): number {
  const t = lastRoundMinRtt / HYSTART_MIN_RTT_DIVISOR;
  return t < HYSTART_MIN_RTT_THRESH ? HYSTART_MIN_RTT_THRESH : t > HYSTART_MAX_RTT_THRESH ? HYSTART_MAX_RTT_THRESH : t;
}

/** HyStart++ state of one congestion controller during slow start (RFC 9406 §4.2). */
export class HyStart {
  private started = false;
  /** Send time of the last packet sent when the current round began: acknowledging a later one ends the round. */
  private windowEnd = -Infinity;
  private lastRoundMinRtt = Infinity;
  private currentRoundMinRtt = Infinity;
  private rttSampleCount = 0;
  private css = false;
  private cssBaselineMinRtt = Infinity;
  private cssRounds = 0;

  /** True in Conservative Slow Start. */
  get conservative(): boolean {
    return this.css;
  }

  /** Minimum RTT of the current round so far (ms; `Infinity` before its first sample). */
  get roundMinRtt(): number {
    return this.currentRoundMinRtt;
  }

  /** The window increase for `acked` newly acknowledged bytes in slow start. */
  increase(acked: number): number {
    return this.css ? acked / HYSTART_CSS_GROWTH_DIVISOR : acked;
  }

  /**
   * One ACK received in slow start.
   * @param newestSent send time of the newest packet it newly acknowledges
   * @param lastSent send time of the newest packet sent so far
   * @param latestRtt the connection's latest RTT sample, ms (0 before the first one)
   * @returns true when slow start is over (the last round of Conservative Slow Start ended): the controller sets
   *   ssthresh to its window
   */
  onAck(newestSent: number, lastSent: number, latestRtt: number): boolean {
    if (!this.started || newestSent > this.windowEnd) {
      if (this.started && this.css && ++this.cssRounds >= HYSTART_CSS_ROUNDS) {
        this.css = false;
        return true;
      }
      // A new round: remember the last one's minimum.
      this.started = true;
      this.windowEnd = lastSent;
      this.lastRoundMinRtt = this.currentRoundMinRtt;
      this.currentRoundMinRtt = Infinity;
      this.rttSampleCount = 0;
    }
    if (latestRtt > 0) {
      if (latestRtt < this.currentRoundMinRtt) this.currentRoundMinRtt = latestRtt;
      this.rttSampleCount++;
    }
    if (this.rttSampleCount < HYSTART_N_RTT_SAMPLE) return false;
    if (!this.css) {
      if (this.lastRoundMinRtt !== Infinity && this.currentRoundMinRtt >= this.lastRoundMinRtt + hystartRttThreshold(this.lastRoundMinRtt)) {
        this.css = true;
        this.cssBaselineMinRtt = this.currentRoundMinRtt;
        this.cssRounds = 0;
      }
    } else if (this.currentRoundMinRtt < this.cssBaselineMinRtt) {
      // The RTT went back down: the increase was not a queue building up (§4.2); resume slow start.
      this.css = false;
      this.cssBaselineMinRtt = Infinity;
    }
    return false;
  }

  /** Forgets all rounds (slow start begins again, e.g. after persistent congestion). */
  restart(): void {
    this.started = false;
    this.windowEnd = -Infinity;
    this.lastRoundMinRtt = Infinity;
    this.currentRoundMinRtt = Infinity;
    this.rttSampleCount = 0;
    this.css = false;
    this.cssBaselineMinRtt = Infinity;
    this.cssRounds = 0;
  }
}
