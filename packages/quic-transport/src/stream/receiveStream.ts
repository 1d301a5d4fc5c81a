/**
 * The receiving part of a stream (RFC 9000 §3.2): Recv → Size Known → Data Recvd → Data Read, or Reset Recvd →
 * Reset Read.
 *
 * STREAM frames go through {@link ReceiveStream.onStreamFrame}, which enforces the final-size rules (§4.5,
 * FINAL_SIZE_ERROR) and flow control at stream and connection level (§4.1, FLOW_CONTROL_ERROR) before buffering
 * anything, then reassembles the bytes. The application reads in order with {@link ReceiveStream.read}; consumed
 * bytes reopen the flow-control windows and {@link ReceiveStream.pollMaxStreamData} says when to advertise a larger
 * limit. RESET_STREAM from the peer and STOP_SENDING from the application are handled here too.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { ReceiveWindow } from './flowControl.js';
import { ReassemblyBuffer } from './reassemblyBuffer.js';
import { MAX_STREAM_OFFSET } from './streamId.js';

/** States of the receiving part of a stream (RFC 9000 §3.2, Figure 3). */
export type ReceiveStreamState = 'recv' | 'size-known' | 'data-recvd' | 'data-read' | 'reset-recvd' | 'reset-read';

/** Options of a {@link ReceiveStream}. */
export interface ReceiveStreamOptions {
  /** The stream ID. */
  streamId: number;
  /** Our initial MAX_STREAM_DATA for this stream (the transport parameter we sent). */
  initialMaxStreamData: number;
  /** Autotuning cap of the stream window (see {@link ReceiveWindow}); default: no autotuning. */
  maxWindow?: number;
  /** Connection-level receive window shared by every stream (MAX_DATA); default: unlimited. */
  connectionWindow?: ReceiveWindow;
}

/** Frame type of STREAM (0x08–0x0f; the low bits vary) used in error reports. */
const STREAM_FRAME = 0x08;
/** Frame type of RESET_STREAM. */
const RESET_STREAM_FRAME = 0x04;

/** The receiving part of a stream; see the module note. */
export class ReceiveStream {
  /** The stream ID. */
  readonly id: number;
  /** Stream-level receive window (MAX_STREAM_DATA). */
  readonly window: ReceiveWindow;
  /** Connection-level receive window (MAX_DATA), shared. */
  readonly connectionWindow: ReceiveWindow;

  private state_: ReceiveStreamState = 'recv';
  private readonly buffer = new ReassemblyBuffer();
  private finalSize_: number | undefined;
  private resetCode_: number | undefined;
  private stopCode: number | undefined;
  private stopPending = false;

  /** Creates a stream in the Recv state. */
  constructor(options: ReceiveStreamOptions) {
    this.id = options.streamId;
    this.window = new ReceiveWindow({ initialWindow: options.initialMaxStreamData, maxWindow: options.maxWindow });
    this.connectionWindow =
      options.connectionWindow ?? new ReceiveWindow({ initialWindow: Number.MAX_SAFE_INTEGER });
  }

  /** Current state. */
  get state(): ReceiveStreamState {
    return this.state_;
  }

  /** The final size once known (FIN or RESET_STREAM). */
  get finalSize(): number | undefined {
    return this.finalSize_;
  }

  /** The peer's RESET_STREAM error code, once received. */
  get resetCode(): number | undefined {
    return this.resetCode_;
  }

  /** The error code we asked the peer to stop with, once the application called {@link stopSending}. */
  get stopSendingCode(): number | undefined {
    return this.stopCode;
  }

  /** Bytes that can be read now. */
  get readableLength(): number {
    return this.state_ === 'reset-recvd' || this.state_ === 'reset-read' ? 0 : this.buffer.readableLength;
  }

  /** Bytes read by the application so far. */
  get bytesRead(): number {
    return this.buffer.readOffset;
  }

  /** True when every byte up to the final size has been read (Data Read). */
  get finished(): boolean {
    return this.state_ === 'data-read';
  }

  /** True in a terminal state (Data Read or Reset Read). */
  get isClosed(): boolean {
    return this.state_ === 'data-read' || this.state_ === 'reset-read';
  }

  /**
   * Handles a STREAM frame.
   * @returns true when the application has something new to look at: readable bytes or the end of the stream
   * @throws QuicError FRAME_ENCODING_ERROR (offset beyond 2^62-1 or 2^53-1), FINAL_SIZE_ERROR, FLOW_CONTROL_ERROR
   */
  onStreamFrame(offset: number, data: Uint8Array, fin: boolean, frameType = STREAM_FRAME): boolean {
    const end = offset + data.length;
    this.checkSize(end, fin, frameType);
    if (this.state_ === 'reset-recvd' || this.state_ === 'reset-read') return false;
    this.countReceived(end, frameType);
    if (fin && this.finalSize_ === undefined) {
      this.finalSize_ = end;
      if (this.state_ === 'recv') this.state_ = 'size-known';
    }
    if (this.stopCode !== undefined) {
      // The application does not want the bytes: account for them and let them go.
      this.releaseUnread();
      if (this.state_ === 'size-known') this.state_ = 'data-read';
      return false;
    }
    const readable = this.buffer.insert(offset, data);
    if (this.state_ === 'size-known' && this.buffer.contiguousEnd === this.finalSize_) {
      this.state_ = 'data-recvd';
      return true;
    }
    return readable;
  }

  /**
   * Handles RESET_STREAM from the peer: unread data is dropped and counted as consumed.
   * @returns true when the stream was newly reset (the application should be told)
   * @throws QuicError FINAL_SIZE_ERROR or FLOW_CONTROL_ERROR
   */
  onResetStream(errorCode: number, finalSize: number, frameType = RESET_STREAM_FRAME): boolean {
    this.checkSize(finalSize, true, frameType);
    if (this.state_ === 'data-read' || this.state_ === 'reset-recvd' || this.state_ === 'reset-read') return false;
    this.countReceived(finalSize, frameType);
    this.finalSize_ = finalSize;
    if (this.state_ === 'data-recvd') return false; // every byte is here already: deliver it instead
    this.resetCode_ = errorCode;
    this.releaseUnread();
    this.buffer.discard(finalSize);
    this.stopPending = false;
    this.state_ = this.stopCode !== undefined ? 'reset-read' : 'reset-recvd';
    return this.state_ === 'reset-recvd';
  }

  /**
   * Reads up to `maxLength` bytes in order (a view, no copy); undefined when nothing is readable. In Reset Recvd,
   * returns undefined and moves to Reset Read (the application has seen the reset).
   */
  read(maxLength = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    if (this.state_ === 'reset-recvd') this.state_ = 'reset-read';
    if (this.state_ === 'reset-read') return undefined;
    const data = this.buffer.read(maxLength);
    if (data !== undefined) {
      this.window.consume(data.length);
      this.connectionWindow.consume(data.length);
    }
    if (this.state_ === 'data-recvd' && this.buffer.readOffset === this.finalSize_) this.state_ = 'data-read';
    return data;
  }

  /**
   * The application no longer wants data (RFC 9000 §3.5): buffered bytes are dropped and a STOP_SENDING frame becomes
   * due unless all data already arrived.
   * @returns true when a STOP_SENDING frame will be sent
   */
  stopSending(errorCode: number): boolean {
    if (this.stopCode !== undefined || this.isClosed || this.state_ === 'reset-recvd') {
      if (this.state_ === 'reset-recvd') this.state_ = 'reset-read';
      return false;
    }
    this.stopCode = errorCode;
    this.releaseUnread();
    if (this.state_ === 'recv' || this.state_ === 'size-known') {
      this.stopPending = true;
      // With the final size known every byte is accounted for: nothing more to wait for.
      if (this.state_ === 'size-known') this.state_ = 'data-read';
      return true;
    }
    this.state_ = 'data-read';
    return false;
  }

  /** STOP_SENDING error code when the frame is due (once). */
  pollStopSending(): number | undefined {
    if (!this.stopPending) return undefined;
    this.stopPending = false;
    return this.stopCode;
  }

  /** True when a STOP_SENDING frame is due. */
  get stopSendingPending(): boolean {
    return this.stopPending;
  }

  /** Our STOP_SENDING frame was lost: send it again while the peer may still be sending. */
  onStopSendingLost(): void {
    if (this.stopCode !== undefined && this.resetCode_ === undefined && this.state_ !== 'data-read') {
      this.stopPending = true;
    }
  }

  /** True when a MAX_STREAM_DATA frame is due. */
  get maxStreamDataPending(): boolean {
    return this.state_ === 'recv' && this.stopCode === undefined && this.window.updatePending;
  }

  /**
   * The new limit for a MAX_STREAM_DATA frame when one is due (half the window consumed, or a lost update), only in
   * the Recv state (once the final size is known the peer needs no more credit).
   * @param now current time in ms, for window autotuning (optional)
   * @param rtt smoothed RTT in ms, for window autotuning (optional)
   */
  pollMaxStreamData(now?: number, rtt?: number): number | undefined {
    if (!this.maxStreamDataPending) return undefined;
    return this.window.pollUpdate(now, rtt);
  }

  /** A MAX_STREAM_DATA frame carrying `limit` was lost. */
  onMaxStreamDataLost(limit: number): void {
    this.window.onUpdateLost(limit);
  }

  private checkSize(end: number, fin: boolean, frameType: number): void {
    if (!Number.isSafeInteger(end) || end > MAX_STREAM_OFFSET) {
      throw new QuicError(TransportErrorCode.FRAME_ENCODING_ERROR, `stream ${this.id}: offset ${end} too large`, {
        frameType,
      });
    }
    if (this.finalSize_ !== undefined) {
      if (end > this.finalSize_ || (fin && end !== this.finalSize_)) {
        throw new QuicError(
          TransportErrorCode.FINAL_SIZE_ERROR,
          `stream ${this.id}: ${fin ? 'final size changed' : 'data'} to ${end} after final size ${this.finalSize_}`,
          { frameType },
        );
      }
    } else if (fin && end < this.window.received) {
      throw new QuicError(
        TransportErrorCode.FINAL_SIZE_ERROR,
        `stream ${this.id}: final size ${end} below received offset ${this.window.received}`,
        { frameType },
      );
    }
  }

  /** Checks both windows for a highest offset of `end`, then records it; returns the increase. */
  private countReceived(end: number, frameType: number): number {
    const delta = Math.max(0, end - this.window.received);
    if (delta === 0) return 0;
    this.window.check(end, frameType);
    this.connectionWindow.check(this.connectionWindow.received + delta, frameType);
    this.window.receiveUpTo(end, frameType);
    this.connectionWindow.addReceived(delta, frameType);
    return delta;
  }

  /** Counts everything received but unread as consumed (reopening both windows) and drops the buffered bytes. */
  private releaseUnread(): void {
    const unread = this.window.received - this.window.consumed;
    if (unread > 0) {
      this.window.consume(unread);
      this.connectionWindow.consume(unread);
    }
    this.buffer.discard(this.window.received);
  }
}
