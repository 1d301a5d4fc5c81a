/**
 * A QUIC stream as a Node `Duplex` (and therefore an async iterator of Buffers). Writes go to the connection's send
 * stream; when it accepts fewer bytes than offered (send buffer full or flow-control blocked) the write callback
 * waits for `streamWritable`, so Node's writable high-water mark gives end-to-end backpressure. Reads pull in-order
 * bytes on `streamReadable` and honour the readable high-water mark (`push()` returning false stops pulling).
 * `destroy()` before the end resets the stream (RESET_STREAM and STOP_SENDING with the given code, default 0).
 */
import { Duplex } from 'node:stream';
import { QuicError, TransportErrorCode } from '../errors.js';
import { isBidirectional } from '../stream/streamId.js';
import type { ConnectionCore } from './connectionCore.js';

/** How a stream reaches its connection (implemented by QuicConnection). */
export interface StreamHost {
  /** The sans-IO connection. */
  readonly core: ConnectionCore;
  /** Asks the endpoint to send what the connection now has queued. */
  kick(): void;
}

/** Options of a {@link QuicStreamDuplex}. */
export interface QuicStreamOptions {
  /** Writable high-water mark in bytes (default 64 KiB). */
  writableHighWaterMark?: number;
  /** Readable high-water mark in bytes (default 64 KiB). */
  readableHighWaterMark?: number;
  /** Error code used for RESET_STREAM / STOP_SENDING when destroyed early (default 0). */
  resetErrorCode?: number;
}

/** One QUIC stream. */
export class QuicStreamDuplex extends Duplex {
  /** Stream ID. */
  readonly id: number;
  /** Code used when this stream is destroyed before it ended. */
  resetErrorCode: number;
  private readonly host: StreamHost;
  private pending: { chunk: Uint8Array; offset: number; callback: (err?: Error | null) => void } | undefined;
  private wantRead = false;
  private pullQueued = false;
  /** A pull held back until the paused reader takes what is buffered (see {@link QuicStreamDuplex.read}). */
  private pullAfterRead = false;
  /** Node called _read and waits for a push (it calls _read again only after one). */
  private readPending = false;
  private readEnded = false;
  private sendClosed = false;

  /** Wraps stream `id` of `host`'s connection; `local` says whether we opened it. */
  constructor(host: StreamHost, id: number, local: boolean, options: QuicStreamOptions = {}) {
    super({
      allowHalfOpen: true,
      writableHighWaterMark: options.writableHighWaterMark ?? 64 * 1024,
      readableHighWaterMark: options.readableHighWaterMark ?? 64 * 1024,
    });
    this.host = host;
    this.id = id;
    this.resetErrorCode = options.resetErrorCode ?? 0;
    if (!isBidirectional(id)) {
      if (local) {
        this.readEnded = true;
        this.push(null);
      } else {
        this.sendClosed = true;
        this.end();
      }
    }
  }

  /** Called by the connection on streamWritable. */
  onWritable(): void {
    this.pump();
  }

  /** Called by the connection on streamReadable. */
  onReadable(): void {
    if (this.wantRead) this.pull();
  }

  /**
   * Called by the connection on streamClosed: `errorCode` set when the peer reset / stopped it, `error` when the
   * connection ended it (a ZeroRttRejectedError: 0-RTT rejected with another ALPN) — the stream is destroyed with it.
   */
  onClosed(errorCode: number | undefined, error?: QuicError): void {
    if (error !== undefined) {
      this.sendClosed = true;
      this.destroy(error);
      return;
    }
    if (errorCode !== undefined) {
      this.sendClosed = true;
      this.destroy(new QuicError(errorCode, `stream ${this.id} reset by peer`, { application: true, remote: true }));
      return;
    }
    this.pull();
  }

  /** Called when the connection closed under the stream. */
  onConnectionClosed(error: Error | undefined): void {
    this.sendClosed = true;
    if (!this.destroyed) {
      if (this.readableEnded && this.writableFinished) this.destroy();
      else this.destroy(error ?? new QuicError(TransportErrorCode.NO_ERROR, 'connection closed'));
    }
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.pending = { chunk, offset: 0, callback };
    this.pump();
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (!this.sendClosed) {
      try {
        this.host.core.endStream(this.id);
      } catch (err) {
        return callback(err as Error);
      }
      this.sendClosed = true;
      this.host.kick();
    }
    callback();
  }

  override _read(): void {
    this.wantRead = true;
    this.readPending = true;
    if (this.readableLength === 0) return this.pull();
    // Called from inside read() with chunks still buffered: chunks pushed now would come back from that read()
    // concatenated (a copy of every byte). Pull once read() has taken what is buffered.
    if (this.pullQueued) return;
    this.pullQueued = true;
    process.nextTick(() => {
      this.pullQueued = false;
      if (this.destroyed) return;
      // Still buffered: that was a read(0) (Node reading ahead), not a reader taking the chunk — pull once one does.
      if (this.bufferedForPausedReader()) this.pullAfterRead = true;
      else this.pull();
    });
  }

  override read(size?: number): ReturnType<Duplex['read']> {
    const chunk = super.read(size);
    if (this.pullAfterRead && !this.bufferedForPausedReader()) {
      this.pullAfterRead = false;
      if (!this.destroyed) this.pull();
    }
    return chunk;
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const core = this.host.core;
    try {
      if (!this.sendClosed && !this.writableFinished) core.resetStream(this.id, this.resetErrorCode);
      if (!this.readEnded) core.stopSending(this.id, this.resetErrorCode);
    } catch {
      // the connection may already be gone; nothing left to tell the peer
    }
    this.sendClosed = true;
    this.readEnded = true;
    const p = this.pending;
    this.pending = undefined;
    if (p) p.callback(err ?? new QuicError(TransportErrorCode.NO_ERROR, 'stream destroyed'));
    this.host.kick();
    callback(err);
  }

  private pump(): void {
    const p = this.pending;
    if (!p) return;
    let n: number;
    try {
      n = this.host.core.writeStream(this.id, p.offset === 0 ? p.chunk : p.chunk.subarray(p.offset));
    } catch (err) {
      this.pending = undefined;
      p.callback(err as Error);
      return;
    }
    p.offset += n;
    if (n > 0) this.host.kick();
    if (p.offset >= p.chunk.length) {
      this.pending = undefined;
      p.callback();
    }
  }

  /** True when a paused reader has half the readable high-water mark buffered (enough to hand over). */
  private bufferedForPausedReader(): boolean {
    return this.readableFlowing !== true && this.readableLength >= this.readableHighWaterMark / 2;
  }

  private pull(): void {
    if (this.readEnded) return;
    for (;;) {
      // A paused reader (read(), async iteration) takes everything buffered at once, concatenated: with half the
      // high-water mark buffered, wait for its next read() (unless Node waits for a push since its last _read).
      if (!this.readPending && this.bufferedForPausedReader()) return;
      let r;
      try {
        r = this.host.core.readStream(this.id);
      } catch (err) {
        this.destroy(err as Error);
        return;
      }
      if (!r) return;
      if (r.data.length > 0) {
        this.host.kick(); // reading may open flow-control credit (MAX_STREAM_DATA)
        this.readPending = false;
        if (!this.push(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength))) this.wantRead = false;
      }
      if (r.fin) {
        this.readEnded = true;
        this.push(null);
        return;
      }
      if (!this.wantRead) return;
    }
  }
}
