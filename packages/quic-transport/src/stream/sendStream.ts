/**
 * The sending part of a stream (RFC 9000 §3.1): Ready → Send → Data Sent → Data Recvd, or Reset Sent → Reset Recvd.
 *
 * The application queues bytes with {@link SendStream.write} (which reports backpressure against a high-water mark,
 * like Node's `writable.write`) and ends the stream with {@link SendStream.end}. The connection asks for STREAM frame
 * payloads with {@link SendStream.emit}, which honours the stream's and the connection's flow-control credit, and
 * reports each sent range back as acknowledged ({@link SendStream.onAck}) or lost ({@link SendStream.onLost}); lost
 * ranges are sent again before new data, acknowledged bytes are released. STOP_SENDING from the peer or an
 * application abort turn into RESET_STREAM ({@link SendStream.pollReset}).
 *
 * Queued buffers are kept as views (no copy): the application must not modify a buffer after writing it.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { SendCredit } from './flowControl.js';
import { RangeSet } from './rangeSet.js';

/** States of the sending part of a stream (RFC 9000 §3.1, Figure 2). */
export type SendStreamState = 'ready' | 'send' | 'data-sent' | 'data-recvd' | 'reset-sent' | 'reset-recvd';

/** A STREAM frame's fields (the frame codec's fields, minimally): sent by {@link SendStream.emit} or received. */
export interface StreamFrameFields {
  /** Stream ID. */
  streamId: number;
  /** Stream offset of the first byte. */
  offset: number;
  /** The bytes (a view into application buffers when possible). */
  data: Uint8Array;
  /** FIN bit: this chunk ends the stream. */
  fin: boolean;
}

/** A sent STREAM frame's range, as remembered by the connection to report acknowledgement or loss. */
export interface SentStreamRange {
  /** Stream offset of the first byte. */
  offset: number;
  /** Number of bytes. */
  length: number;
  /** Whether the frame carried FIN. */
  fin: boolean;
}

/** Fields of a RESET_STREAM frame (stream ID excluded). */
export interface ResetStreamFields {
  /** Application protocol error code. */
  errorCode: number;
  /** Final size of the stream: bytes sent before the reset. */
  finalSize: number;
}

/** Options of a {@link SendStream}. */
export interface SendStreamOptions {
  /** The stream ID. */
  streamId: number;
  /** The peer's initial MAX_STREAM_DATA for this stream (its transport parameter). */
  initialMaxStreamData: number;
  /** Connection-level send credit shared by every stream (MAX_DATA); default: unlimited. */
  connectionCredit?: SendCredit;
  /** Bytes held (unsent + unacknowledged) at which `write` starts returning false; default 64 KiB. */
  highWaterMark?: number;
}

/** Default high-water mark of a send stream's buffer. */
export const DEFAULT_SEND_HIGH_WATER_MARK = 64 * 1024;

/** The sending part of a stream; see the module note. */
export class SendStream {
  /** The stream ID. */
  readonly id: number;
  /** Stream-level credit from the peer (MAX_STREAM_DATA). */
  readonly credit: SendCredit;
  /** Connection-level credit (MAX_DATA), shared. */
  readonly connectionCredit: SendCredit;
  /** High-water mark for backpressure. */
  readonly highWaterMark: number;

  private state_: SendStreamState = 'ready';
  // Application bytes from `base` (lowest unacknowledged offset) to `writeOffset`.
  private readonly chunks: Uint8Array[] = [];
  private readonly chunkOffsets: number[] = [];
  private base = 0;
  private writeOffset = 0;
  private sendOffset = 0;
  private readonly acked = new RangeSet();
  private readonly lost = new RangeSet();
  private finalSize_: number | undefined;
  private finSent = false;
  private finAcked = false;
  private finLost = false;
  private needDrain = false;
  private drainPending = false;
  private resetFields: ResetStreamFields | undefined;
  private resetPending = false;
  private stopSendingCode_: number | undefined;

  /** Creates a stream in the Ready state. */
  constructor(options: SendStreamOptions) {
    this.id = options.streamId;
    this.credit = new SendCredit(options.initialMaxStreamData);
    this.connectionCredit = options.connectionCredit ?? new SendCredit(Number.MAX_SAFE_INTEGER);
    this.highWaterMark = options.highWaterMark ?? DEFAULT_SEND_HIGH_WATER_MARK;
  }

  /** Current state. */
  get state(): SendStreamState {
    return this.state_;
  }

  /** Bytes held by the stream: queued but unsent, plus sent but unacknowledged. */
  get writableLength(): number {
    return this.writeOffset - this.base;
  }

  /** True while the application may write without exceeding the high-water mark. */
  get writable(): boolean {
    return this.canWrite() && this.writableLength < this.highWaterMark;
  }

  /** Total bytes written by the application. */
  get bytesWritten(): number {
    return this.writeOffset;
  }

  /** Highest offset sent so far (new data only). */
  get bytesSent(): number {
    return this.sendOffset;
  }

  /** Final size once known: after `end()` the written length, after a reset the bytes sent. */
  get finalSize(): number | undefined {
    return this.resetFields?.finalSize ?? this.finalSize_;
  }

  /** The error code of the peer's STOP_SENDING, once received. */
  get stopSendingCode(): number | undefined {
    return this.stopSendingCode_;
  }

  /** The RESET_STREAM fields once the stream was reset. */
  get resetInfo(): ResetStreamFields | undefined {
    return this.resetFields;
  }

  /** True when the stream reached a terminal state (Data Recvd or Reset Recvd). */
  get isClosed(): boolean {
    return this.state_ === 'data-recvd' || this.state_ === 'reset-recvd';
  }

  private canWrite(): boolean {
    return (this.state_ === 'ready' || this.state_ === 'send') && this.finalSize_ === undefined;
  }

  /**
   * Queues `data` for sending.
   * @returns false when the buffer reached the high-water mark: wait for {@link pollDrain} before writing more
   * @throws QuicError STREAM_STATE_ERROR when the stream was ended or reset
   */
  write(data: Uint8Array): boolean {
    if (!this.canWrite()) {
      throw new QuicError(TransportErrorCode.STREAM_STATE_ERROR, `write on stream ${this.id} after end or reset`);
    }
    if (data.length > 0) {
      if (this.writeOffset + data.length > Number.MAX_SAFE_INTEGER) {
        throw new QuicError(TransportErrorCode.STREAM_STATE_ERROR, `stream ${this.id} would exceed 2^53-1 bytes`);
      }
      this.chunks.push(data);
      this.chunkOffsets.push(this.writeOffset);
      this.writeOffset += data.length;
      this.noteBlocked();
    }
    const ok = this.writableLength < this.highWaterMark;
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** Ends the stream: FIN goes out after the queued data. Idempotent; ignored after a reset. */
  end(): void {
    if (this.finalSize_ !== undefined || this.resetFields !== undefined) return;
    this.finalSize_ = this.writeOffset;
  }

  /**
   * Aborts the stream with an application error code: queued data is dropped and a RESET_STREAM becomes due.
   * @returns false when the stream had already finished or been reset (nothing to do)
   */
  reset(errorCode: number): boolean {
    if (this.state_ === 'data-recvd' || this.state_ === 'reset-sent' || this.state_ === 'reset-recvd') return false;
    this.state_ = 'reset-sent';
    this.resetFields = { errorCode, finalSize: this.sendOffset };
    this.resetPending = true;
    this.chunks.length = 0;
    this.chunkOffsets.length = 0;
    this.base = this.writeOffset;
    this.lost.clear();
    this.acked.clear();
    this.finLost = false;
    if (this.needDrain) this.drainPending = true;
    return true;
  }

  /**
   * STOP_SENDING from the peer (RFC 9000 §3.5): reset the stream with the peer's error code unless it already
   * finished.
   */
  onStopSending(errorCode: number): void {
    if (this.stopSendingCode_ === undefined) this.stopSendingCode_ = errorCode;
    this.reset(errorCode);
  }

  /**
   * MAX_STREAM_DATA from the peer.
   * @returns true when the limit grew and new data could now be sent
   */
  onMaxStreamData(limit: number): boolean {
    const grew = this.credit.raiseLimit(limit);
    return grew && this.writeOffset > this.sendOffset && !this.isResetOrDone();
  }

  private isResetOrDone(): boolean {
    return this.state_ !== 'ready' && this.state_ !== 'send' && this.state_ !== 'data-sent';
  }

  /** True when {@link emit} would produce a frame now (given the current credit). */
  get hasPendingData(): boolean {
    if (this.isResetOrDone()) return false;
    if (!this.lost.isEmpty || this.finLost) return true;
    if (this.writeOffset > this.sendOffset) {
      return this.credit.available > 0 && this.connectionCredit.available > 0;
    }
    return this.finalSize_ !== undefined && !this.finSent;
  }

  /** True when new data waits only for connection-level credit. */
  get blockedByConnection(): boolean {
    return (
      !this.isResetOrDone() &&
      this.writeOffset > this.sendOffset &&
      this.credit.available > 0 &&
      this.connectionCredit.available === 0
    );
  }

  /**
   * Produces the next STREAM frame payload of at most `maxLength` data bytes: lost ranges first, then new data within
   * the flow-control credit (consuming it), with FIN when the chunk ends the stream. Undefined when nothing can be sent.
   */
  emit(maxLength: number): StreamFrameFields | undefined {
    if (this.isResetOrDone()) return undefined;
    let chunk: StreamFrameFields | undefined;
    const retx = this.lost.shift(maxLength);
    if (retx !== undefined) {
      const fin = this.finalSize_ !== undefined && this.finSent && !this.finAcked && retx.end === this.finalSize_;
      if (fin) this.finLost = false;
      chunk = { streamId: this.id, offset: retx.start, data: this.slice(retx.start, retx.end), fin };
    } else if (this.finLost) {
      this.finLost = false;
      chunk = { streamId: this.id, offset: this.finalSize_ as number, data: new Uint8Array(0), fin: true };
    } else {
      const n = Math.min(
        this.writeOffset - this.sendOffset,
        maxLength,
        this.credit.available,
        this.connectionCredit.available,
      );
      if (n > 0) {
        const start = this.sendOffset;
        this.credit.consume(n);
        this.connectionCredit.consume(n);
        this.sendOffset += n;
        const fin = this.finalSize_ === this.sendOffset;
        chunk = { streamId: this.id, offset: start, data: this.slice(start, start + n), fin };
      } else if (this.finalSize_ !== undefined && !this.finSent && this.sendOffset === this.finalSize_) {
        chunk = { streamId: this.id, offset: this.sendOffset, data: new Uint8Array(0), fin: true };
      }
      if (chunk?.fin) this.finSent = true;
      this.noteBlocked();
    }
    if (chunk === undefined) return undefined;
    if (this.state_ === 'ready') this.state_ = 'send';
    if (this.state_ === 'send' && this.finSent) this.state_ = 'data-sent';
    return chunk;
  }

  /**
   * 0-RTT was rejected (RFC 9001 §4.6.2): the peer saw nothing of this stream, so everything written goes out again
   * from offset 0 under the peer's new `maxStreamData` (which may be lower than the remembered one). A stream reset
   * during 0-RTT keeps its reset, now with final size 0. The connection credit is restarted by the caller.
   * @returns false when bytes of the stream were acknowledged already (then the peer did read 0-RTT: no rewind)
   */
  rewind(maxStreamData: number): boolean {
    if (this.state_ === 'reset-recvd') return false;
    this.credit.restart(maxStreamData);
    if (this.resetFields !== undefined) {
      this.resetFields = { errorCode: this.resetFields.errorCode, finalSize: 0 };
      this.sendOffset = 0;
      this.resetPending = true;
      return true;
    }
    if (this.base > 0 || !this.acked.isEmpty || this.finAcked || this.state_ === 'data-recvd') return false;
    this.sendOffset = 0;
    this.lost.clear();
    this.finSent = false;
    this.finLost = false;
    this.state_ = 'ready';
    this.noteBlocked();
    return true;
  }

  /** STREAM_DATA_BLOCKED limit when one is due (once per limit); sending it moves Ready to Send. */
  pollBlocked(): number | undefined {
    if (this.isResetOrDone()) return undefined;
    const limit = this.credit.pollBlocked();
    if (limit !== undefined && this.state_ === 'ready') this.state_ = 'send';
    return limit;
  }

  /** A range sent in a STREAM frame was acknowledged: release acknowledged bytes; all acked → Data Recvd. */
  onAck(range: SentStreamRange): void {
    if (this.isResetOrDone()) return;
    const end = range.offset + range.length;
    this.acked.add(range.offset, end);
    this.lost.remove(range.offset, end);
    if (range.fin) {
      this.finAcked = true;
      this.finLost = false;
    }
    const floor = !this.acked.isEmpty && this.acked.start(0) <= this.base ? this.acked.end(0) : this.base;
    if (floor > this.base) this.release(floor);
    if (this.finAcked && this.finalSize_ !== undefined && this.base >= this.finalSize_) {
      this.state_ = 'data-recvd';
    }
  }

  /** A range sent in a STREAM frame was declared lost: queue its unacknowledged bytes (and FIN) again. */
  onLost(range: SentStreamRange): void {
    if (this.isResetOrDone()) return;
    const start = Math.max(range.offset, this.base);
    const end = range.offset + range.length;
    if (end > start) {
      this.lost.add(start, end);
      for (let i = 0; i < this.acked.count; i++) {
        if (this.acked.start(i) >= end) break;
        this.lost.remove(this.acked.start(i), this.acked.end(i));
      }
    }
    if (range.fin && !this.finAcked) this.finLost = true;
  }

  /** RESET_STREAM fields when one is due (after a reset or a lost RESET_STREAM), once. */
  pollReset(): ResetStreamFields | undefined {
    if (!this.resetPending) return undefined;
    this.resetPending = false;
    return this.resetFields;
  }

  /** True when a RESET_STREAM frame is due. */
  get resetFramePending(): boolean {
    return this.resetPending;
  }

  /** The RESET_STREAM frame was acknowledged: Reset Sent → Reset Recvd. */
  onResetAcked(): void {
    if (this.state_ === 'reset-sent') this.state_ = 'reset-recvd';
  }

  /** The RESET_STREAM frame was lost: send it again. */
  onResetLost(): void {
    if (this.state_ === 'reset-sent') this.resetPending = true;
  }

  /**
   * Returns true once after `write` returned false and the held bytes fell below the high-water mark again (or the
   * stream was reset): the application may write again (Node's 'drain').
   */
  pollDrain(): boolean {
    if (!this.drainPending) return false;
    this.drainPending = false;
    this.needDrain = false;
    return true;
  }

  private noteBlocked(): void {
    if (this.writeOffset <= this.sendOffset) return;
    if (this.credit.available === 0) this.credit.markBlocked();
    else if (this.connectionCredit.available === 0) this.connectionCredit.markBlocked();
  }

  private release(floor: number): void {
    let drop = 0;
    while (drop < this.chunks.length && this.chunkOffsets[drop] + this.chunks[drop].length <= floor) drop++;
    if (drop > 0) {
      this.chunks.splice(0, drop);
      this.chunkOffsets.splice(0, drop);
    }
    if (this.chunks.length > 0 && this.chunkOffsets[0] < floor) {
      this.chunks[0] = this.chunks[0].subarray(floor - this.chunkOffsets[0]);
      this.chunkOffsets[0] = floor;
    }
    this.base = floor;
    this.acked.remove(0, floor);
    if (this.needDrain && this.writableLength < this.highWaterMark) this.drainPending = true;
  }

  /** Bytes `[start, end)` of the stream: a view when they lie in one written buffer, a copy otherwise. */
  private slice(start: number, end: number): Uint8Array {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.chunkOffsets[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    const first = this.chunks[lo];
    const rel = start - this.chunkOffsets[lo];
    if (rel + (end - start) <= first.length) return first.subarray(rel, rel + (end - start));
    const out = new Uint8Array(end - start);
    let pos = 0;
    for (let i = lo; pos < out.length; i++) {
      const c = this.chunks[i];
      const from = i === lo ? rel : 0;
      const take = Math.min(c.length - from, out.length - pos);
      out.set(c.subarray(from, from + take), pos);
      pos += take;
    }
    return out;
  }
}
