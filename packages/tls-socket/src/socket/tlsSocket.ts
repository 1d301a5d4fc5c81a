/**
 * `TlsSocket`: an encrypted Duplex over any connected byte Duplex (a net.Socket usually), driven by a sans-IO
 * {@link TlsConnection}. Application data is written as records (at most 2^14 bytes each), reads honour backpressure
 * (the underlying socket is paused while our readable side is full), close_notify is sent on `end()` and answered, a
 * fatal alert from either side destroys the socket with a {@link TlsAlert} carrying the alert's name, and a handshake
 * timeout destroys it with an ETIMEDOUT error. 0-RTT: a client sends `sendEarlyData` as early data when its
 * `session` allows (what the server does not take arrives as ordinary data); a server that accepts early data pushes
 * it into the readable side first and keeps it in {@link TlsSocket.earlyData}. Events shaped like node:tls:
 * 'secureConnect' (client) / 'secure' (server), 'session' (a resumable TlsSession), 'keyUpdate' (direction),
 * 'earlyData' (server: the bytes), 'earlyDataStatus' ('accepted' | 'rejected').
 */
import { Duplex } from 'node:stream';
import type { TlsAlert, TlsEngine, TlsSession } from '@quichs/tls-hs';
import { TlsConnection, type TlsConnectionOptions } from '../tlsConnection.js';
import { codedError } from '../codedError.js';

/** Options of a {@link TlsSocket}. */
export interface TlsSocketOptions extends TlsConnectionOptions {
  /** Destroy the socket with ETIMEDOUT if the handshake has not completed within this many ms (default 30 s; 0 = never). */
  readonly handshakeTimeoutMs?: number;
  /**
   * Client: data to send as 0-RTT early data (needs a `session` that allows it and the engine's `earlyData` option).
   * It is delivered exactly once: as early data if the server accepts it, else as ordinary data after the handshake.
   */
  readonly sendEarlyData?: Uint8Array | string;
}

/** Encrypted Duplex over a connected byte stream. */
export class TlsSocket extends Duplex {
  /** The sans-IO connection (engine + record layer). */
  readonly connection: TlsConnection;
  private readonly timer: NodeJS.Timeout | undefined;
  private wantRead = true;
  /** True when the peer ended TCP after the handshake without sending close_notify (possible truncation). */
  endedWithoutCloseNotify = false;
  private secured = false;
  private readonly securedPromise: Promise<void>;
  private resolveSecured!: () => void;
  private rejectSecured!: (e: Error) => void;
  private readonly transportHandlers: Record<'data' | 'end' | 'error' | 'close', (...args: any[]) => void>; // eslint-disable-line @typescript-eslint/no-explicit-any
  private released = false;
  private readEnded = false;
  private readonly earlyParts: Buffer[] = [];

  /** Wraps `transport` (already connected) and starts the handshake (clients send their ClientHello at once). */
  constructor(
    readonly transport: Duplex,
    engine: TlsEngine,
    options: TlsSocketOptions = {},
  ) {
    super({ allowHalfOpen: false });
    this.connection = new TlsConnection(engine, options);
    this.securedPromise = new Promise<void>((resolve, reject) => {
      this.resolveSecured = resolve;
      this.rejectSecured = reject;
    });
    this.securedPromise.catch(() => undefined);
    const timeout = options.handshakeTimeoutMs ?? 30_000;
    if (timeout > 0) {
      this.timer = setTimeout(() => {
        if (!this.secured) this.destroy(codedError('ETIMEDOUT', `TLS handshake timed out after ${timeout} ms`));
      }, timeout);
      this.timer.unref?.();
    }
    this.transportHandlers = {
      data: (chunk: Buffer) => {
        if (this.destroyed) return;
        this.connection.receive(chunk);
        this.pump();
      },
      end: () => this.transportEnded('peer closed the connection during the handshake'),
      error: (e: Error) => this.destroy(e),
      // After the handshake a closed transport only ends our readable side: what is buffered stays readable, and
      // the stream closes itself once it is read (and our writable side has finished).
      close: () => this.transportEnded('connection closed during the handshake'),
    };
    for (const [event, fn] of Object.entries(this.transportHandlers)) transport.on(event, fn);
    const early = options.sendEarlyData;
    this.connection.start(typeof early === 'string' ? Buffer.from(early) : early);
    this.pump();
  }

  /** Resolves when the handshake completes; rejects with the alert or socket error that ended it. */
  get secure(): Promise<void> {
    return this.securedPromise;
  }

  /** Server: the 0-RTT early data received (also pushed into the readable side, ahead of everything else). */
  get earlyData(): Buffer {
    return Buffer.concat(this.earlyParts);
  }

  /** 0-RTT: 'none', 'offered', 'accepted' or 'rejected'. */
  get earlyDataStatus(): string {
    return this.connection.earlyDataStatus;
  }

  /** Client: the newest resumable session the server gave (pass it as `session` to resume), if any. */
  get session(): TlsSession | undefined {
    const all = this.engine.sessions;
    return all[all.length - 1];
  }

  /** True when this handshake resumed a session (node:tls shape). */
  isSessionReused(): boolean {
    return this.engine.resumed;
  }

  /** The engine (negotiated suite, group, ALPN, server name, peer certificates, secrets…). */
  get engine(): TlsEngine {
    return this.connection.engine;
  }

  /** Negotiated ALPN protocol, or false (node:tls shape). */
  get alpnProtocol(): string | false {
    return this.engine.alpnProtocol ?? false;
  }

  /** Server name: the one sent (client) or received (server). */
  get servername(): string | undefined {
    return this.engine.serverName;
  }

  /** Cipher suite in node:tls's getCipher() shape. */
  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const suite = this.engine.cipherSuite;
    return suite ? { name: suite.name, standardName: suite.name, version: 'TLSv1.3' } : undefined;
  }

  /** The peer's certificate chain as DER, leaf first. */
  getPeerCertificates(): readonly Uint8Array[] {
    return this.engine.peerCertificates;
  }

  /** RFC 8446 §7.5 exporter. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    return this.engine.exportKeyingMaterial(length, label, context);
  }

  /** Sends a KeyUpdate (optionally requesting one from the peer) and moves our write keys forward. */
  keyUpdate(requestPeer = false): void {
    this.connection.keyUpdate(requestPeer);
    this.pump();
  }

  override _read(): void {
    if (!this.wantRead) {
      this.wantRead = true;
      this.transport.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.secured) this.writeRecords(chunk, callback);
    else this.secure.then(() => this.writeRecords(chunk, callback), (e: Error) => callback(e));
  }

  /** Encrypts `chunk` and hands it to the transport; completes at once unless the transport asks us to wait. */
  private writeRecords(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.transport.destroyed || !this.transport.writable) {
      callback(codedError('EPIPE', 'the connection is closed for writing'));
      return;
    }
    try {
      this.connection.write(chunk);
    } catch (e) {
      callback(e as Error);
      return;
    }
    const out = this.connection.takeOutput();
    if (out === undefined || this.transport.write(out)) callback();
    else this.waitForDrain(callback);
  }

  /** Completes `callback` when the transport drains (or fails when it closes first). */
  private waitForDrain(callback: (error?: Error | null) => void): void {
    const t = this.transport;
    const settle = (err?: Error | null): void => {
      t.off('drain', onDrain).off('close', onClose);
      callback(err);
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(codedError('EPIPE', 'transport closed while writing'));
    t.on('drain', onDrain).on('close', onClose);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The transport may already be shut for writing (a net.Socket ends itself when the peer's FIN arrives and it does
    // not allow half-open connections): then there is no one to send close_notify to, and that is no error.
    if (!this.transport.writable) {
      callback();
      return;
    }
    this.connection.close();
    const out = this.connection.takeOutput();
    if (out) this.transport.write(out);
    this.transport.end(() => callback());
  }

  /**
   * Hands the transport back (the seed's TLS_F_NO_KTLS): stops listening to it, and returns the connection (for
   * {@link TlsConnection.apEncrypt} / {@link TlsConnection.apDecrypt} or its sans-IO receive/write) with the bytes
   * received but not read yet. This Duplex is destroyed; the transport stays open, paused, and becomes the caller's
   * (attach a 'data' listener, then `resume()` it).
   */
  release(): { connection: TlsConnection; transport: Duplex; unread: Uint8Array } {
    if (this.destroyed) throw codedError('ERR_STREAM_DESTROYED', 'socket already destroyed');
    this.released = true;
    for (const [event, fn] of Object.entries(this.transportHandlers)) this.transport.off(event, fn);
    this.transport.pause(); // nothing may flow into the void until the new owner listens (and resumes)
    const unread = this.connection.takeUnread();
    this.destroy();
    return { connection: this.connection, transport: this.transport, unread };
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.secured) this.rejectSecured(error ?? codedError('ECONNRESET', 'socket destroyed before the handshake completed'));
    if (!this.released) closeTransport(this.transport);
    callback(error);
  }

  /** The transport can bring no more bytes: fail a handshake in progress, else end our readable side. */
  private transportEnded(duringHandshake: string): void {
    if (this.destroyed) return;
    if (!this.secured) {
      this.destroy(codedError('ECONNRESET', duringHandshake));
      return;
    }
    // As node:tls does, EOF without close_notify after the handshake ends the readable side; it is recorded so
    // length-unaware protocols can treat it as a possible truncation.
    if (!this.connection.peerClosed) this.endedWithoutCloseNotify = true;
    this.endReadable();
  }

  private endReadable(): void {
    if (this.readEnded) return;
    this.readEnded = true;
    this.push(null);
  }

  /** Moves output to the transport and events to the stream. */
  private pump(): void {
    const out = this.connection.takeOutput();
    if (out && !this.transport.destroyed) this.transport.write(out);
    for (let ev = this.connection.pollEvent(); ev; ev = this.connection.pollEvent()) {
      switch (ev.type) {
        case 'handshake':
          this.secured = true;
          if (this.timer) clearTimeout(this.timer);
          this.resolveSecured();
          this.emit(this.engine.role === 'client' ? 'secureConnect' : 'secure');
          break;
        case 'data':
          this.deliver(ev.data);
          break;
        case 'earlyData': {
          const b = Buffer.from(ev.data.buffer, ev.data.byteOffset, ev.data.length);
          this.earlyParts.push(b);
          this.emit('earlyData', b);
          this.deliver(ev.data);
          break;
        }
        case 'earlyDataStatus':
          this.emit('earlyDataStatus', ev.status);
          break;
        case 'session':
          this.emit('session', ev.session);
          break;
        case 'keyUpdate':
          this.emit('keyUpdate', ev.direction);
          break;
        case 'closeNotify':
          this.endReadable();
          break;
        case 'error':
          this.failWith(ev.error);
          return;
      }
    }
    const pending = this.connection.pending;
    if (pending) {
      pending.then(() => {
        this.connection.resume();
        this.pump();
      }, (e: Error) => this.destroy(e));
    }
  }

  /** Pushes plaintext to the readable side; pauses the transport when that side is full. */
  private deliver(data: Uint8Array): void {
    if (!this.push(Buffer.from(data.buffer, data.byteOffset, data.length)) && this.wantRead) {
      this.wantRead = false;
      this.transport.pause();
    }
  }

  private failWith(alert: TlsAlert): void {
    const out = this.connection.takeOutput();
    if (out && !this.transport.destroyed) {
      this.transport.end(out);
    }
    this.destroy(alert);
  }
}

/**
 * Destroys the transport, but lets a final write (a fatal alert, close_notify) reach the peer first when the transport
 * is already ending: destroyed once it has finished, or after a second at the latest.
 */
function closeTransport(t: Duplex): void {
  if (t.destroyed) return;
  if (!t.writableEnded || t.writableFinished) {
    t.destroy();
    return;
  }
  const timer = setTimeout(() => t.destroy(), 1000);
  timer.unref?.();
  t.once('finish', () => {
    clearTimeout(timer);
    t.destroy();
  });
}
