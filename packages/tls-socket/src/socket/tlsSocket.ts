/**
 * `TlsSocket`: an encrypted Duplex over any connected byte Duplex (a net.Socket usually), driven by a sans-IO
 * {@link TlsConnection}. Application data is written as records (at most 2^14 bytes each), reads honour backpressure
 * (the underlying socket is paused while our readable side is full), close_notify is sent on `end()` and answered, a
 * fatal alert from either side destroys the socket with a {@link TlsAlert} carrying the alert's name, and a handshake
 * timeout destroys it with an ETIMEDOUT error. Events shaped like node:tls: 'secureConnect' (client) / 'secure'
 * (server), 'session', 'keyUpdate'.
 */
import { Duplex } from 'node:stream';
import type { ReceivedTicket, TlsAlert, TlsEngine } from '@quichs/tls-hs';
import { TlsConnection, type TlsConnectionOptions } from '../tlsConnection.js';

/** Options of a {@link TlsSocket}. */
export interface TlsSocketOptions extends TlsConnectionOptions {
  /** Destroy the socket with ETIMEDOUT if the handshake has not completed within this many ms (default 30 s; 0 = never). */
  readonly handshakeTimeoutMs?: number;
}

/** An Error with a Node-style `code` (e.g. ETIMEDOUT). */
export interface CodedError extends Error {
  /** Node-style code. */
  code: string;
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
    transport.on('data', (chunk: Buffer) => {
      this.connection.receive(chunk);
      this.pump();
    });
    transport.on('end', () => {
      if (this.destroyed) return;
      if (!this.secured) {
        this.destroy(codedError('ECONNRESET', 'peer closed the connection during the handshake'));
        return;
      }
      // As node:tls does, EOF without close_notify after the handshake ends the readable side; it is recorded so
      // length-unaware protocols can treat it as a possible truncation.
      if (!this.connection.peerClosed) this.endedWithoutCloseNotify = true;
      this.push(null);
    });
    transport.on('error', (e: Error) => this.destroy(e));
    transport.on('close', () => {
      if (!this.destroyed) this.destroy(this.secured ? undefined : codedError('ECONNRESET', 'connection closed during the handshake'));
    });
    this.connection.start();
    this.pump();
  }

  /** Resolves when the handshake completes; rejects with the alert or socket error that ended it. */
  get secure(): Promise<void> {
    return this.securedPromise;
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
    this.secure.then(
      () => {
        try {
          this.connection.write(chunk);
        } catch (e) {
          callback(e as Error);
          return;
        }
        const out = this.connection.takeOutput();
        if (out === undefined) callback();
        else this.transport.write(out, (err) => callback(err ?? null));
      },
      (e: Error) => callback(e),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.connection.close();
    const out = this.connection.takeOutput();
    if (out) this.transport.write(out);
    this.transport.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.secured) this.rejectSecured(error ?? codedError('ECONNRESET', 'socket destroyed before the handshake completed'));
    this.transport.destroy();
    callback(error);
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
          if (!this.push(Buffer.from(ev.data.buffer, ev.data.byteOffset, ev.data.length)) && this.wantRead) {
            this.wantRead = false;
            this.transport.pause();
          }
          break;
        case 'session':
          this.emit('session', ev.ticket satisfies ReceivedTicket);
          break;
        case 'keyUpdate':
          this.emit('keyUpdate', ev.direction);
          break;
        case 'closeNotify':
          this.push(null);
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

  private failWith(alert: TlsAlert): void {
    const out = this.connection.takeOutput();
    if (out && !this.transport.destroyed) {
      this.transport.end(out);
    }
    this.destroy(alert);
  }
}

function codedError(code: string, message: string): CodedError {
  const e = new Error(message) as CodedError;
  e.code = code;
  return e;
}
