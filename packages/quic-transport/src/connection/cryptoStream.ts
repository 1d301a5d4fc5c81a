/**
 * The CRYPTO stream of one encryption level (RFC 9000 §19.6, RFC 9001 §4.1.3): incoming CRYPTO frames are reassembled
 * (out of order, overlapping and duplicate data accepted) within a span limit — data ending more than the limit
 * (≥ 64 KiB) beyond the read offset is CRYPTO_BUFFER_EXCEEDED — and handed to TLS in order; outgoing handshake
 * bytes are split into CRYPTO frames of whatever size fits a packet, re-sent when lost and released when
 * acknowledged.
 */
import { cryptoFrameOverhead } from '../frame/frameSize.js';
import { createCryptoReassemblyBuffer, DEFAULT_CRYPTO_BUFFER_LIMIT } from '../stream/reassemblyBuffer.js';
import type { ReassemblyBuffer } from '../stream/reassemblyBuffer.js';
import { RangeSet } from '../stream/rangeSet.js';

/** A CRYPTO frame to send. */
export interface OutgoingCrypto {
  /** Stream offset. */
  offset: number;
  /** The bytes (a view of the send buffer when they lie in one chunk). */
  data: Uint8Array;
}

/** One level's crypto stream, both directions. */
export class CryptoStream {
  /** Incoming reassembly; gone once the level is discarded (no packet of it can be opened any more). */
  private recv: ReassemblyBuffer | undefined;
  private readOffsetAtDiscard = 0;
  private chunks: Uint8Array[] = [];
  private chunkOffsets: number[] = [];
  private sendEnd = 0;
  private base = 0;
  private readonly unsent = new RangeSet();
  private readonly acked = new RangeSet();

  /** @param limit most bytes buffered beyond the read offset (default 64 KiB) */
  constructor(limit = DEFAULT_CRYPTO_BUFFER_LIMIT) {
    this.recv = createCryptoReassemblyBuffer(limit);
  }

  /** Offset of the next byte TLS will get. */
  get receivedOffset(): number {
    return this.recv !== undefined ? this.recv.readOffset : this.readOffsetAtDiscard;
  }

  /**
   * A received CRYPTO frame. Returns the bytes that became contiguous (to feed into TLS), or undefined.
   * @throws QuicError CRYPTO_BUFFER_EXCEEDED beyond the span limit
   */
  onCryptoFrame(offset: number, data: Uint8Array): Uint8Array | undefined {
    if (this.recv === undefined || !this.recv.insert(offset, data)) return undefined;
    const out = this.recv.readAll();
    return out.length > 0 ? out : undefined;
  }

  /** Queues handshake bytes produced by TLS at this level. */
  write(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.chunkOffsets.push(this.sendEnd);
    this.unsent.add(this.sendEnd, this.sendEnd + data.length);
    this.sendEnd += data.length;
  }

  /** True when CRYPTO data (new or lost) waits to be sent. */
  get hasPendingData(): boolean {
    return !this.unsent.isEmpty;
  }

  /** True when some sent data is not acknowledged yet. */
  get hasUnacked(): boolean {
    return this.base < this.sendEnd;
  }

  /** Total bytes queued so far. */
  get bytesWritten(): number {
    return this.sendEnd;
  }

  /** The next CRYPTO frame whose encoding (type, offset, length, data) fits in `maxFrameBytes`, or undefined. */
  emit(maxFrameBytes: number): OutgoingCrypto | undefined {
    if (this.unsent.isEmpty) return undefined;
    const start = this.unsent.start(0);
    const room = maxFrameBytes - cryptoFrameOverhead(start, maxFrameBytes);
    if (room <= 0) return undefined;
    const r = this.unsent.shift(room);
    if (r === undefined) return undefined;
    return { offset: r.start, data: this.slice(r.start, r.end) };
  }

  /**
   * A sent range was acknowledged. Bytes below the release point were acknowledged before (the ACK of a
   * retransmission): they must not move the release point back, or they would be re-sent from freed buffers.
   */
  onAcked(offset: number, length: number): void {
    const end = offset + length;
    if (end <= this.base) return;
    if (offset < this.base) offset = this.base;
    this.acked.add(offset, end);
    this.unsent.remove(offset, end);
    if (this.acked.count > 0 && this.acked.start(0) <= this.base) this.release(this.acked.end(0));
  }

  /** A sent range was lost: queue what of it is still unacknowledged. */
  onLost(offset: number, length: number): void {
    this.requeue(offset, offset + length);
  }

  /** Queues every sent, unacknowledged byte again (a probe timeout, or a Retry that restarts the Initial flight). */
  requeueUnacked(): void {
    this.requeue(this.base, this.sendEnd);
  }

  /** Forgets everything (the level's keys are discarded); CRYPTO data arriving later is ignored. */
  discard(): void {
    this.chunks = [];
    this.chunkOffsets = [];
    this.unsent.clear();
    this.acked.clear();
    this.base = this.sendEnd;
    if (this.recv !== undefined) {
      this.recv.discard();
      this.readOffsetAtDiscard = this.recv.readOffset;
      this.recv = undefined;
    }
  }

  private requeue(start: number, end: number): void {
    if (start < this.base) start = this.base;
    if (end <= start) return;
    this.unsent.add(start, end);
    for (let i = 0; i < this.acked.count; i++) this.unsent.remove(this.acked.start(i), this.acked.end(i));
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
  }

  private slice(start: number, end: number): Uint8Array {
    let i = 0;
    while (i + 1 < this.chunks.length && this.chunkOffsets[i + 1] <= start) i++;
    const rel = start - this.chunkOffsets[i];
    const first = this.chunks[i];
    if (rel + (end - start) <= first.length) return first.subarray(rel, rel + (end - start));
    const out = new Uint8Array(end - start);
    let pos = 0;
    for (let k = i; pos < out.length; k++) {
      const c = this.chunks[k];
      const from = k === i ? rel : 0;
      const take = Math.min(c.length - from, out.length - pos);
      out.set(c.subarray(from, from + take), pos);
      pos += take;
    }
    return out;
  }
}
