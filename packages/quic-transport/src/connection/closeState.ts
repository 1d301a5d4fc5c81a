/**
 * Connection termination (RFC 9000 §10.2): the closing state (we sent CONNECTION_CLOSE; answer further packets with
 * it, at a decreasing rate, for three PTOs) and the draining state (the peer closed, or a stateless reset arrived:
 * send nothing, wait three PTOs). Afterwards the connection is drained and the endpoint forgets it.
 */
import type { QuicError } from '../errors.js';

/** Where a connection is in its termination. */
export type ClosePhase = 'open' | 'closing' | 'draining' | 'drained';

/** The termination state machine. */
export class CloseState {
  /** Current phase. */
  phase: ClosePhase = 'open';
  /** Why the connection ends (undefined for a clean close). */
  error: QuicError | undefined;
  /** The datagram holding our CONNECTION_CLOSE, kept to answer packets in the closing state. */
  closeDatagram: Uint8Array | undefined;
  private deadlineAt: number | undefined;
  private received = 0;
  private nextAnswerAt = 1;
  private answerDue = false;

  /** True once closing, draining or drained. */
  get isClosed(): boolean {
    return this.phase !== 'open';
  }

  /** When the closing or draining period ends. */
  get deadline(): number | undefined {
    return this.phase === 'closing' || this.phase === 'draining' ? this.deadlineAt : undefined;
  }

  /** Enter the closing state (we close); the period lasts three PTOs. */
  startClosing(now: number, pto: number): void {
    if (this.phase !== 'open') return;
    this.phase = 'closing';
    this.deadlineAt = now + 3 * pto;
  }

  /** Enter the draining state (the peer closed); the period lasts three PTOs. */
  startDraining(now: number, pto: number): void {
    if (this.phase === 'draining' || this.phase === 'drained') return;
    this.phase = 'draining';
    this.deadlineAt = now + 3 * pto;
  }

  /** Ends the connection at once (idle timeout, stateless reset after draining, endpoint shutdown). */
  drain(): void {
    this.phase = 'drained';
    this.deadlineAt = undefined;
  }

  /** A packet arrived while closing: answer the 1st, 2nd, 4th, 8th … (RFC 9000 §10.2.1 rate limiting). */
  onPacketWhileClosing(): void {
    if (this.phase !== 'closing') return;
    this.received++;
    if (this.received >= this.nextAnswerAt) {
      this.answerDue = true;
      this.nextAnswerAt *= 2;
    }
  }

  /** Takes the "send CONNECTION_CLOSE again" flag. */
  takeAnswer(): boolean {
    const due = this.answerDue;
    this.answerDue = false;
    return due;
  }

  /** Lets the periods end. */
  onTimeout(now: number): void {
    if (this.deadlineAt !== undefined && now >= this.deadlineAt && (this.phase === 'closing' || this.phase === 'draining')) {
      this.drain();
    }
  }
}
