/**
 * `QuicConnection`: the Node face of one connection (EventEmitter). Events: 'tlsState' ({@link TlsStateInfo}: each
 * state the seed's switch saw, START → RCVD → WAIT → CONNECTED), 'handshake' (info), 'stream'
 * (QuicStreamDuplex opened by the peer), 'newToken' (client: a NEW_TOKEN token and the QUIC version it is bound
 * to), 'session' (client: a resumable TlsSession), 'close' (error | undefined). Incoming streams are also an async iterator
 * (`for await (const s of conn)`: it sees the streams no 'stream' listener was there to take). The endpoint calls {@link QuicConnection.processEvents} after every receive,
 * timeout and flush; all I/O happens in the endpoint.
 */
import { EventEmitter } from 'node:events';
import type { QuicError } from '../errors.js';
import type { ConnectionCore, ConnectionCoreEvent, ConnectionCoreStats } from './connectionCore.js';
import type { QuicStreamOptions, StreamHost } from './quicStream.js';
import { QuicStreamDuplex } from './quicStream.js';

/** What the 'handshake' event reports. */
export type HandshakeInfo = Omit<Extract<ConnectionCoreEvent, { type: 'handshakeCompleted' }>, 'type'>;

/** What the 'tlsState' event reports. */
export type TlsStateInfo = Omit<Extract<ConnectionCoreEvent, { type: 'tlsState' }>, 'type'>;

/** The endpoint side of a connection wrapper. */
export interface ConnectionDriver {
  /** The connection has something to send: poll it soon. */
  kick(core: ConnectionCore): void;
}

/** One QUIC connection. */
export class QuicConnection extends EventEmitter implements StreamHost {
  /** The sans-IO connection. */
  readonly core: ConnectionCore;
  /** Handshake information once complete. */
  handshakeInfo: HandshakeInfo | undefined;
  /** True once closed. */
  closed = false;
  /** The close error, if any. */
  closeError: QuicError | undefined;
  /** Resolves when the handshake completes; rejects if the connection closes first. */
  readonly ready: Promise<HandshakeInfo>;
  /** Options for the streams of this connection. */
  streamOptions: QuicStreamOptions;
  private readonly driver: ConnectionDriver;
  private readonly streams = new Map<number, QuicStreamDuplex>();
  private readonly incoming: QuicStreamDuplex[] = [];
  private readonly waiters: ((s: IteratorResult<QuicStreamDuplex>) => void)[] = [];
  private resolveReady!: (info: HandshakeInfo) => void;
  private rejectReady!: (err: Error) => void;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(core: ConnectionCore, driver: ConnectionDriver, streamOptions: QuicStreamOptions = {}) {
    super();
    this.core = core;
    this.driver = driver;
    this.streamOptions = streamOptions;
    this.ready = new Promise<HandshakeInfo>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.closedPromise = new Promise<void>((resolve) => (this.resolveClosed = resolve));
  }

  /** Client or server. */
  get role(): 'client' | 'server' {
    return this.core.role;
  }

  /** The peer's address. */
  get remoteAddress(): { address: string; port: number } {
    return this.core.remote;
  }

  /** Asks the endpoint to send what is queued. */
  kick(): void {
    if (!this.closed) this.driver.kick(this.core);
  }

  /** Opens a stream (bidirectional by default). Throws QuicError when the peer's stream limit is reached. */
  openStream(options: { bidirectional?: boolean } & QuicStreamOptions = {}): QuicStreamDuplex {
    const id = this.core.openStream(options.bidirectional ?? true);
    const s = new QuicStreamDuplex(this, id, true, { ...this.streamOptions, ...options });
    this.track(s);
    this.kick();
    return s;
  }

  /** Closes the connection with an application error code (default 0) and resolves once it is gone. */
  close(errorCode = 0, reason = ''): Promise<void> {
    if (!this.closed) {
      this.core.close(errorCode, reason, true);
      this.kick();
    }
    return this.closedPromise;
  }

  /**
   * Starts a 1-RTT key update: true when the new keys are in use now, false when it waits for the previous update
   * to be acknowledged. Throws QuicError KEY_UPDATE_ERROR before the handshake is confirmed.
   */
  updateKeys(): boolean {
    if (this.core.updateKeys === undefined) throw new Error('this connection does not support key updates');
    const started = this.core.updateKeys();
    this.kick();
    return started;
  }

  /** Resolves when the connection has closed. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** Counters (RTT, cwnd, packets …) from the connection, plus open stream count. */
  stats(): ConnectionCoreStats & { openStreams: number } {
    return { ...(this.core.stats?.() ?? {}), openStreams: this.streams.size };
  }

  /** Incoming streams, as they are opened by the peer; ends when the connection closes. */
  [Symbol.asyncIterator](): AsyncIterator<QuicStreamDuplex> {
    return {
      next: () => {
        const s = this.incoming.shift();
        if (s) return Promise.resolve({ value: s, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
    };
  }

  /** Dispatches the connection's pending events (called by the endpoint). */
  processEvents(): void {
    for (let e = this.core.pollEvent(); e !== undefined; e = this.core.pollEvent()) this.dispatch(e);
  }

  /** Marks the connection closed without an event from the core (endpoint shut down). */
  markClosed(error?: QuicError): void {
    this.dispatch({ type: 'connectionClosed', error });
  }

  private peerStream(id: number): void {
    if (this.streams.has(id)) return;
    const s = new QuicStreamDuplex(this, id, false, this.streamOptions);
    this.track(s);
    const w = this.waiters.shift();
    if (w) w({ value: s, done: false });
    else if (this.listenerCount('stream') === 0) this.incoming.push(s);
    this.emit('stream', s);
  }

  private track(s: QuicStreamDuplex): void {
    this.streams.set(s.id, s);
    s.once('close', () => this.streams.delete(s.id));
  }

  private dispatch(e: ConnectionCoreEvent): void {
    switch (e.type) {
      case 'tlsState':
        this.emit('tlsState', { state: e.state, level: e.level, time: e.time } satisfies TlsStateInfo);
        return;
      case 'handshakeCompleted': {
        const { type: _t, ...info } = e;
        this.handshakeInfo = info;
        this.resolveReady(info);
        this.emit('handshake', info);
        return;
      }
      case 'streamOpened':
        this.peerStream(e.streamId);
        return;
      case 'streamReadable':
        this.streams.get(e.streamId)?.onReadable();
        return;
      case 'streamWritable':
        this.streams.get(e.streamId)?.onWritable();
        return;
      case 'newToken':
        this.emit('newToken', e.token, e.version);
        return;
      case 'session':
        this.emit('session', e.session);
        return;
      case 'streamsAvailable':
        this.emit('streamsAvailable', e.bidirectional);
        return;
      case 'streamClosed': {
        const s = this.streams.get(e.streamId);
        s?.onClosed(e.errorCode, e.error);
        return;
      }
      case 'connectionClosed': {
        if (this.closed) return;
        this.closed = true;
        this.closeError = e.error;
        this.rejectReady(e.error ?? new Error('connection closed before the handshake completed'));
        for (const s of this.streams.values()) s.onConnectionClosed(e.error);
        for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
        this.emit('close', e.error);
        this.resolveClosed();
        return;
      }
    }
  }
}
