/**
 * Ordered reassembly of `(offset, data)` chunks (RFC 9000 §2.2, §19.6, §19.8): out-of-order, overlapping and duplicate
 * input is accepted; bytes come out in order. Used by receive streams and by the CRYPTO stream of each encryption level.
 *
 * Chunks are kept as views into the caller's buffers (no copy on insert), so the caller must not modify a buffer after
 * handing it in. Overlapping input keeps the bytes that arrived first; RFC 9000 §2.2 lets an endpoint treat differing
 * bytes at the same offset as PROTOCOL_VIOLATION, which we do not check (it costs a comparison per byte).
 */
import { QuicError, TransportErrorCode } from '../errors.js';

/** Options of a {@link ReassemblyBuffer}. */
export interface ReassemblyBufferOptions {
  /**
   * Maximum distance from the read offset to the end of any buffered byte. Input ending beyond
   * `readOffset + maxBufferedSpan` is rejected with the error made by `limitError`. Default: unlimited
   * (streams rely on their flow-control check instead).
   */
  maxBufferedSpan?: number;
  /**
   * Builds the error thrown when `maxBufferedSpan` is exceeded, e.g. CRYPTO_BUFFER_EXCEEDED for CRYPTO frames.
   * Required when `maxBufferedSpan` is set.
   */
  limitError?: (end: number, limit: number) => QuicError;
}

/** Ordered reassembly buffer; see the module note. */
export class ReassemblyBuffer {
  private readonly offsets: number[] = [];
  private readonly chunks: Uint8Array[] = [];
  /** Number of leading chunks that are contiguous from the read offset. */
  private contiguousCount = 0;
  private contiguousEndOffset = 0;
  private read_ = 0;
  private highest = 0;
  private buffered = 0;
  private readonly maxSpan: number;
  private readonly limitError: ((end: number, limit: number) => QuicError) | undefined;

  /** Creates an empty buffer whose read offset is 0. */
  constructor(options: ReassemblyBufferOptions = {}) {
    this.maxSpan = options.maxBufferedSpan ?? Number.POSITIVE_INFINITY;
    this.limitError = options.limitError;
    if (Number.isFinite(this.maxSpan) && this.limitError === undefined) {
      throw new TypeError('ReassemblyBuffer: limitError is required with maxBufferedSpan');
    }
  }

  /** Offset of the next byte the reader will get (bytes already read). */
  get readOffset(): number {
    return this.read_;
  }

  /** One past the highest byte offset ever inserted (0 before any input). */
  get highestOffset(): number {
    return this.highest;
  }

  /** Offset up to which bytes are contiguous from the read offset. */
  get contiguousEnd(): number {
    return this.contiguousEndOffset;
  }

  /** Number of bytes that can be read now, in order. */
  get readableLength(): number {
    return this.contiguousEndOffset - this.read_;
  }

  /** Number of bytes held (readable or waiting for a gap to fill). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Inserts `data` at stream offset `offset`. Bytes already read or already buffered are dropped.
   * @returns true when the insert made new bytes readable
   * @throws the caller's `limitError` when the data ends beyond `readOffset + maxBufferedSpan`
   */
  insert(offset: number, data: Uint8Array): boolean {
    let start = offset;
    const end = offset + data.length;
    if (end > this.highest) this.highest = end;
    if (end <= this.read_ || data.length === 0) return false;
    if (end - this.read_ > this.maxSpan) {
      throw (this.limitError as (end: number, limit: number) => QuicError)(end, this.read_ + this.maxSpan);
    }
    let piece = data;
    if (start < this.read_) {
      piece = piece.subarray(this.read_ - start);
      start = this.read_;
    }
    // Every byte below contiguousEnd is present, so work starts at or after the contiguous prefix.
    if (start < this.contiguousEndOffset) {
      if (end <= this.contiguousEndOffset) return false;
      piece = piece.subarray(this.contiguousEndOffset - start);
      start = this.contiguousEndOffset;
    }
    let i = this.firstChunkEndingAfter(start);
    while (piece.length > 0) {
      const pieceEnd = start + piece.length;
      if (i >= this.chunks.length || this.offsets[i] >= pieceEnd) {
        this.place(i, start, piece);
        break;
      }
      const cStart = this.offsets[i];
      const cEnd = cStart + this.chunks[i].length;
      if (start < cStart) {
        this.place(i, start, piece.subarray(0, cStart - start));
        i++;
      }
      if (pieceEnd <= cEnd) break;
      piece = piece.subarray(cEnd - start);
      start = cEnd;
      i++;
    }
    return this.extendContiguous();
  }

  /**
   * Returns up to `maxLength` readable bytes as a view into the inserted data (no copy) and advances the read offset;
   * undefined when nothing is readable. Call repeatedly to drain; each call returns bytes of one inserted chunk.
   */
  read(maxLength = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    if (this.contiguousCount === 0 || maxLength <= 0) return undefined;
    const chunk = this.chunks[0];
    if (chunk.length <= maxLength) {
      this.offsets.shift();
      this.chunks.shift();
      this.contiguousCount--;
      this.read_ += chunk.length;
      this.buffered -= chunk.length;
      return chunk;
    }
    const out = chunk.subarray(0, maxLength);
    this.chunks[0] = chunk.subarray(maxLength);
    this.offsets[0] += maxLength;
    this.read_ += maxLength;
    this.buffered -= maxLength;
    return out;
  }

  /** Reads every readable byte: a view when it is one chunk, one copy otherwise; an empty array when none. */
  readAll(): Uint8Array {
    const n = this.readableLength;
    if (this.contiguousCount === 1) return this.read() as Uint8Array;
    const out = new Uint8Array(n);
    let pos = 0;
    while (this.contiguousCount > 0) {
      const chunk = this.read() as Uint8Array;
      out.set(chunk, pos);
      pos += chunk.length;
    }
    return out;
  }

  /**
   * Drops every buffered byte and moves the read offset to `offset` (at least the current read offset), e.g. when a
   * stream is reset or the application stops reading. Later input below the new read offset is ignored.
   */
  discard(offset = this.highest): void {
    this.offsets.length = 0;
    this.chunks.length = 0;
    this.contiguousCount = 0;
    this.buffered = 0;
    this.read_ = Math.max(this.read_, offset);
    this.contiguousEndOffset = this.read_;
  }

  private firstChunkEndingAfter(offset: number): number {
    let lo = this.contiguousCount;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid] + this.chunks[mid].length <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private place(i: number, offset: number, piece: Uint8Array): void {
    this.offsets.splice(i, 0, offset);
    this.chunks.splice(i, 0, piece);
    this.buffered += piece.length;
  }

  private extendContiguous(): boolean {
    const before = this.contiguousEndOffset;
    while (this.contiguousCount < this.chunks.length && this.offsets[this.contiguousCount] === this.contiguousEndOffset) {
      this.contiguousEndOffset += this.chunks[this.contiguousCount].length;
      this.contiguousCount++;
    }
    return this.contiguousEndOffset > before;
  }
}

/** Default span of buffered CRYPTO data per encryption level (RFC 9000 §7.5 requires at least 4096; we take 64 KiB). */
export const DEFAULT_CRYPTO_BUFFER_LIMIT = 64 * 1024;

/**
 * A reassembly buffer for the CRYPTO stream of one encryption level: data ending more than `limit` bytes beyond the
 * read offset is rejected with CRYPTO_BUFFER_EXCEEDED (frame type CRYPTO, 0x06).
 * @param limit maximum buffered span, default {@link DEFAULT_CRYPTO_BUFFER_LIMIT}
 */
export function createCryptoReassemblyBuffer(limit = DEFAULT_CRYPTO_BUFFER_LIMIT): ReassemblyBuffer {
  return new ReassemblyBuffer({ maxBufferedSpan: limit, limitError: cryptoBufferExceeded });
}

/** The CRYPTO_BUFFER_EXCEEDED error (one function for every buffer, not a closure per connection and level). */
function cryptoBufferExceeded(end: number, max: number): QuicError {
  return new QuicError(
    TransportErrorCode.CRYPTO_BUFFER_EXCEEDED,
    `CRYPTO data up to offset ${end} exceeds the buffer limit (offset ${max})`,
    { frameType: 0x06 },
  );
}
