/**
 * The HTTP/3 session of interop/h3 carried by a quic-transport connection: {@link H3Transport} implemented with
 * the connection's streams, and the connection's stream events fed into the sans-IO {@link H3Session}.
 *
 * Stream IDs are chosen by the session (requests 0, 4, 8…; control and QPACK streams first of our role); the
 * adapter opens the QUIC stream when the session first writes to a locally-initiated ID and checks that the
 * transport gave the same ID. Request streams are opened by {@link H3Connection.openRequestStream} before the
 * request is sent, so the peer's stream limit is waited for there.
 */
import { QuicError, TransportErrorCode, type QuicConnection, type QuicStreamDuplex } from '@quichs/quic-transport';
import { H3ErrorCode, H3Session, flushH3Actions, type H3Event, type H3Role, type H3Transport } from '../h3/index.js';
import { streamsMayBeAvailable, whenStreamAllowed } from './streams.js';

const EMPTY = new Uint8Array(0);

/** HTTP/3 over one QUIC connection. Subclasses (client, server) handle the session's events. */
export abstract class H3Connection implements H3Transport {
  /** The QUIC connection. */
  readonly conn: QuicConnection;
  /** The HTTP/3 state machine. */
  readonly session: H3Session;
  /** QUIC streams by ID. */
  protected readonly streams = new Map<number, QuicStreamDuplex>();
  private pumping = false;
  private again = false;
  /** Writes to local streams the transport cannot open yet, by stream ID. */
  private readonly waiting = new Map<number, { data: Uint8Array; fin: boolean }[]>();
  private waitingForStreams = false;

  protected constructor(conn: QuicConnection, role: H3Role) {
    this.conn = conn;
    this.session = new H3Session({ role });
    conn.on('stream', (s: QuicStreamDuplex) => {
      this.attach(s);
      this.pump();
    });
    conn.on('close', (err: QuicError | undefined) => this.onConnectionClosed(err));
    this.session.start();
    this.pump();
  }

  // ---------------------------------------------------------------- H3Transport

  /**
   * Writes on a stream, opening a locally-initiated one the session names for the first time. While the peer's
   * stream limit does not allow the stream yet (before the handshake, or at MAX_STREAMS), its writes wait in order
   * and go out once the transport can open it.
   */
  write(streamId: number, data: Uint8Array, fin: boolean): void {
    const s = this.streams.get(streamId) ?? this.openLocal(streamId);
    if (s === undefined) {
      const queue = this.waiting.get(streamId) ?? [];
      queue.push({ data, fin });
      this.waiting.set(streamId, queue);
      this.waitForStreams();
      return;
    }
    if (s.destroyed || s.writableEnded) return;
    if (data.length > 0) s.write(data);
    if (fin) s.end();
  }

  /** Opens local stream `streamId` if the peer's limit allows it now (and no lower stream still waits). */
  private openLocal(streamId: number): QuicStreamDuplex | undefined {
    if (this.conn.closed) return undefined;
    for (const id of this.waiting.keys()) if (id < streamId && (id & 3) === (streamId & 3)) return undefined;
    let s: QuicStreamDuplex;
    try {
      s = this.conn.openStream({ bidirectional: (streamId & 2) === 0 });
    } catch (e) {
      if (e instanceof QuicError && e.code === TransportErrorCode.STREAM_LIMIT_ERROR) return undefined;
      throw e;
    }
    if (s.id !== streamId) {
      throw new QuicError(H3ErrorCode.H3_INTERNAL_ERROR, `transport opened stream ${s.id}, HTTP/3 wanted ${streamId}`, { application: true });
    }
    this.attach(s);
    return s;
  }

  private waitForStreams(): void {
    if (this.waitingForStreams) return;
    this.waitingForStreams = true;
    void (async () => {
      while (this.waiting.size > 0 && !this.conn.closed) {
        await streamsMayBeAvailable(this.conn);
        for (const id of [...this.waiting.keys()].sort((a, b) => a - b)) {
          const s = this.openLocal(id);
          if (s === undefined) continue;
          const queue = this.waiting.get(id) ?? [];
          this.waiting.delete(id);
          for (const w of queue) this.write(id, w.data, w.fin);
        }
      }
      this.waitingForStreams = false;
    })();
  }

  /** RESET_STREAM with an HTTP/3 code. */
  resetStream(streamId: number, code: number): void {
    if (this.conn.closed) return;
    this.conn.core.resetStream(streamId, code);
    this.conn.kick();
  }

  /** STOP_SENDING with an HTTP/3 code. */
  stopSending(streamId: number, code: number): void {
    if (this.conn.closed) return;
    this.conn.core.stopSending(streamId, code);
    this.conn.kick();
  }

  /** Application CONNECTION_CLOSE. */
  close(code: number, reason: string): void {
    void this.conn.close(code, reason);
  }

  // ---------------------------------------------------------------- plumbing

  /** Opens the next request stream once the peer's limit allows; returns its ID (client). */
  protected async openRequestStream(): Promise<QuicStreamDuplex> {
    const s = await whenStreamAllowed(this.conn, () => this.conn.openStream({ bidirectional: true }));
    this.attach(s);
    return s;
  }

  /** The QUIC stream with this ID, if open. */
  protected stream(id: number): QuicStreamDuplex | undefined {
    return this.streams.get(id);
  }

  private attach(s: QuicStreamDuplex): void {
    if (this.streams.has(s.id)) return;
    this.streams.set(s.id, s);
    s.on('close', () => this.streams.delete(s.id));
    const localUni = (s.id & 2) !== 0 && (s.id & 1) === (this.session.role === 'client' ? 0 : 1);
    if (localUni) {
      // nothing to read on our own unidirectional streams; a connection close may still destroy them
      s.on('error', () => undefined);
      return;
    }
    s.on('data', (chunk: Buffer) => {
      // the session keeps references to the bytes it reports: give it its own copy
      this.session.receive(s.id, Uint8Array.from(chunk));
      this.pump();
    });
    s.on('end', () => {
      this.session.receive(s.id, EMPTY, true);
      this.pump();
    });
    s.on('error', (e: Error) => {
      if (e instanceof QuicError && e.remote) this.session.receiveReset(s.id, e.code);
      this.pump();
    });
  }

  /** Carries out the session's actions and dispatches its events until both queues are empty. */
  protected pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        try {
          flushH3Actions(this.session, this);
        } catch (e) {
          this.session.close(H3ErrorCode.H3_INTERNAL_ERROR, e instanceof Error ? e.message : String(e));
          flushH3Actions(this.session, this);
        }
        for (const e of this.session.pollEvents()) this.onEvent(e);
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  /** Handles one session event. */
  protected abstract onEvent(e: H3Event): void;

  /** The QUIC connection closed. */
  protected abstract onConnectionClosed(err: QuicError | undefined): void;

  /** GOAWAY, then a graceful close (H3_NO_ERROR), resolved once the connection is gone. */
  async shutdown(): Promise<void> {
    if (!this.conn.closed && this.session.closeError === undefined) {
      this.session.goaway();
      this.pump();
    }
    await this.conn.close(H3ErrorCode.H3_NO_ERROR, '');
  }
}
