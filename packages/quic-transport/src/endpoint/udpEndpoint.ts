/**
 * `Endpoint`: one UDP socket (node:dgram) carrying any number of QUIC connections, client and server. All protocol
 * decisions live in the sans-IO {@link EndpointCore}; this class only moves datagrams, keeps ONE Node timer armed at
 * the earliest connection deadline (unref'd when no connection is alive, so an idle endpoint never keeps the process
 * running by its timer), and turns connection events into {@link QuicConnection} events.
 *
 * Connections themselves are created through a {@link ConnectionFactory} (the sans-IO Connection behind an
 * adapter); the endpoint hands it the TLS / transport / qlog / key log options unchanged.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { defaultProvider, loadCredentials, type CryptoProvider, type TlsEngineOptions } from '@quichs/tls-hs';
import { TransportErrorCode } from '../errors.js';
import type { TransportParameters } from '../frame/transportParameters.js';
import { KeyLogFile } from '../observability/keyLogFile.js';
import { QlogFileSink } from '../observability/qlogFileSink.js';
import type { QlogSink, QlogVantagePoint } from '../observability/qlogSink.js';
import { QUIC_VERSION_1 } from '../packet/version.js';
import { AddressTokenMinter } from '../token/addressToken.js';
import { StatelessResetTokenGenerator } from '../token/statelessResetToken.js';
import type { ClientConnectionCoreOptions } from '../connection/connectionOptions.js';
import { recycleDatagram } from '../connection/datagramPool.js';
import type { ConnectionCore } from '../node/connectionCore.js';
import { createConnectionFactory } from '../node/connectionFactory.js';
import { QuicConnection } from '../node/quicConnection.js';
import type { QuicStreamOptions } from '../node/quicStream.js';
import type { IncomingConnection, OutgoingConnection } from './endpointCore.js';
import { EndpointCore } from './endpointCore.js';
import type { RemoteAddress } from './transmit.js';

/** Default socket buffer size (bytes). */
const DEFAULT_SOCKET_BUFFER = 4 * 1024 * 1024;

/** Due-now deadlines handled on the next event-loop turn in a row before the endpoint falls back to a 1 ms timer. */
const MAX_DUE_NOW_TURNS = 1000;

/** Options shared by client and server connections. */
export interface ConnectionOptions {
  /** TLS options (node:tls names: key, cert, ca, ALPNProtocols, servername, rejectUnauthorized, …). */
  tls?: TlsEngineOptions;
  /** Our transport parameters (CIDs are filled in by the connection). */
  transportParameters?: Partial<TransportParameters>;
  /** QUIC version to use (client) — v1 default, or v2 (RFC 9369). */
  version?: number;
  /** Congestion controller (default 'newreno'). */
  congestionControl?: 'newreno' | 'cubic';
  /** Directory for one qlog JSON-SEQ file per connection. */
  qlogDir?: string;
  /** File to append NSS key log lines to (default: $SSLKEYLOGFILE when `keylogFromEnvironment`). */
  keylogFile?: string;
  /** Stream options (high-water marks, reset code). */
  stream?: QuicStreamOptions;
  /**
   * Further options of the sans-IO Connection (versions, maxDatagramSize, pacing, initialRtt, stream buffers, AEAD
   * limits …); the fields above take precedence.
   */
  connection?: Partial<ClientConnectionCoreOptions>;
}

/** Server options of {@link Endpoint.listen}. */
export interface ServerOptions extends ConnectionOptions {
  /** Demand address validation with a Retry (default false). */
  retry?: boolean;
  /** Most concurrent connections (default 10 000). */
  maxConnections?: number;
}

/** What a {@link ConnectionFactory} receives besides the endpoint's connection info. */
export interface ConnectionContext {
  /** The connection options. */
  options: ConnectionOptions;
  /** qlog sink for this connection (undefined when qlog is off). Created lazily with the trace's ODCID. */
  qlog: ((odcid: Uint8Array, vantagePoint: QlogVantagePoint) => QlogSink) | undefined;
  /** Key log callback for the TLS engine (undefined when off). */
  keylog: ((line: string) => void) | undefined;
  /** Crypto provider of the endpoint. */
  provider: CryptoProvider | undefined;
  /** Asks the endpoint to poll `core` again (after asynchronous work inside the connection). */
  wakeup?: (core: ConnectionCore) => void;
  /** Client: a NEW_TOKEN token the same server gave an earlier connection of this endpoint. */
  token?: Uint8Array;
  /** Client: the QUIC version of the connection `token` came from (RFC 9369 §5). */
  tokenVersion?: number;
}

/** Creates sans-IO connections for the endpoint. */
export interface ConnectionFactory {
  /** A client connection to `out.remote`. */
  client(out: OutgoingConnection, ctx: ConnectionContext & { servername: string | undefined }): ConnectionCore;
  /** A server connection for an accepted client Initial. */
  server(incoming: IncomingConnection, ctx: ConnectionContext): ConnectionCore;
}

/** Options of {@link Endpoint.open}. */
export interface EndpointOptions {
  /** Connection factory (default: real sans-IO Connections, {@link createConnectionFactory}). */
  factory?: ConnectionFactory;
  /** Local address (default '127.0.0.1' for udp4, '::1' for udp6). */
  host?: string;
  /** Local port (default 0 = any). */
  port?: number;
  /** Socket type (default from `host`, else 'udp4'). */
  type?: 'udp4' | 'udp6';
  /**
   * Socket receive / send buffer sizes in bytes (default 4 MiB each; the kernel caps them, on Linux at
   * net.core.rmem_max / wmem_max). Bursts of a fast connection otherwise overflow the default ~200 KB buffer.
   */
  recvBufferSize?: number;
  /** See {@link EndpointOptions.recvBufferSize}. */
  sendBufferSize?: number;
  /** Length of our connection IDs (default 8). */
  cidLength?: number;
  /** Versions accepted by the server side (default [v1, v2]). */
  versions?: readonly number[];
  /** Crypto provider. */
  provider?: CryptoProvider;
  /** Static key for stateless reset tokens (share it across restarts to reset old connections). */
  statelessResetKey?: Uint8Array;
  /** Key for Retry / NEW_TOKEN tokens (16 or 32 bytes). */
  tokenKey?: Uint8Array;
  /** Retry token lifetime (ms, default 10 000). */
  retryTokenLifetimeMs?: number;
  /** NEW_TOKEN token lifetime (ms, default 24 h). */
  newTokenLifetimeMs?: number;
  /** Clock in ms (default performance.now()). */
  clock?: () => number;
}

/**
 * The 'newToken' listener of a client connection: remembers the token for its server address. Made in a scope of
 * its own, so the closure keeps only the map and the key (not everything `connect()` had in scope).
 */
function tokenRecorder(tokens: Map<string, { token: Uint8Array; version: number }>, key: string): (token: Uint8Array, version: number) => void {
  return (token, version) => void tokens.set(key, { token, version });
}

/** A UDP endpoint. Events: 'connection' (QuicConnection, server side), 'error' (socket errors), 'close'. */
export class Endpoint extends EventEmitter {
  /** The sans-IO core (routing, VN, Retry, resets). */
  readonly core: EndpointCore;
  private readonly socket: Socket;
  private readonly factory: ConnectionFactory;
  private readonly clock: () => number;
  private readonly provider: CryptoProvider | undefined;
  private readonly wrappers = new Map<ConnectionCore, QuicConnection>();
  private readonly keylogs = new Map<string, KeyLogFile>();
  /**
   * NEW_TOKEN tokens by server address (RFC 9000 §8.1.3): the newest one, taken (and forgotten) by the next
   * connection to that server — "clients SHOULD NOT reuse a token from a NEW_TOKEN frame for different connection
   * attempts"; that connection's own NEW_TOKEN frames bring the next one.
   */
  private readonly tokens = new Map<string, { token: Uint8Array; version: number }>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  /** A due-now deadline is queued with setImmediate. */
  private dueNowScheduled = false;
  /** Consecutive due-now turns (bounded by MAX_DUE_NOW_TURNS; reset by a real timer or a received datagram). */
  private dueNowTurns = 0;
  private scheduled = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;
  private sendsInFlight = 0;
  private sendsDone: (() => void) | undefined;
  /** Datagrams the socket failed to send (e.g. no route); QUIC recovers from them like from loss. */
  sendErrors = 0;

  private constructor(socket: Socket, options: EndpointOptions) {
    super();
    this.socket = socket;
    this.factory = options.factory ?? createConnectionFactory();
    this.clock = options.clock ?? (() => performance.now());
    this.provider = options.provider;
    this.core = new EndpointCore({
      provider: options.provider,
      cidLength: options.cidLength,
      versions: options.versions,
      resetTokens: new StatelessResetTokenGenerator({ key: options.statelessResetKey, provider: options.provider }),
      tokens: new AddressTokenMinter({
        key: options.tokenKey,
        provider: options.provider,
        retryLifetimeMs: options.retryTokenLifetimeMs,
        newTokenLifetimeMs: options.newTokenLifetimeMs,
      }),
    });
    this.core.onConnectionRemoved = (c) => {
      const w = this.wrappers.get(c as ConnectionCore);
      this.wrappers.delete(c as ConnectionCore);
      if (w) {
        w.processEvents();
        w.markClosed();
      }
    };
    socket.on('message', (msg: Buffer, rinfo: { address: string; port: number }) => {
      if (this.closed) return;
      this.dueNowTurns = 0;
      this.core.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { address: rinfo.address, port: rinfo.port }, this.clock());
      this.schedule();
    });
    socket.on('error', (err: Error) => this.emit('error', err));
    socket.unref();
  }

  /** Binds a UDP socket and returns the endpoint. */
  static async open(options: EndpointOptions): Promise<Endpoint> {
    const type = options.type ?? (options.host !== undefined && isIP(options.host) === 6 ? 'udp6' : 'udp4');
    const socket = createSocket({
      type,
      recvBufferSize: options.recvBufferSize ?? DEFAULT_SOCKET_BUFFER,
      sendBufferSize: options.sendBufferSize ?? DEFAULT_SOCKET_BUFFER,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 0, options.host ?? (type === 'udp6' ? '::1' : '127.0.0.1'), () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new Endpoint(socket, options);
  }

  /** The bound local address. */
  address(): RemoteAddress {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Live connections. */
  get connections(): QuicConnection[] {
    return [...this.wrappers.values()];
  }

  /**
   * Starts a client connection to an IP address (or "localhost"). The TLS servername defaults to `host` unless it
   * is an IP address. Use {@link Endpoint.connectByName} for DNS names. The connection presents the NEW_TOKEN token
   * an earlier connection to the same address and port received, if one is stored, and uses it up (one token, one
   * connection: RFC 9000 §8.1.3); its own 'newToken' events store the token for the next connection.
   */
  connect(host: string, port: number, options: ConnectionOptions = {}): QuicConnection {
    if (this.closed) throw new Error('endpoint is closed');
    const address = host === 'localhost' ? (this.socket.address().family === 'IPv6' ? '::1' : '127.0.0.1') : host;
    if (isIP(address) === 0) throw new TypeError(`connect() needs an IP address, got "${host}" (use connectByName)`);
    const servername = options.tls?.servername ?? (isIP(host) === 0 ? host : undefined);
    const ctx = this.context(options);
    const tokenKey = `${address}|${port}`;
    let wrapper: QuicConnection | undefined;
    this.core.connect({ address, port }, this.clock(), (out) => {
      const stored = this.tokens.get(tokenKey);
      this.tokens.delete(tokenKey); // single use (RFC 9000 §8.1.3)
      const core = this.factory.client(out, { ...ctx, servername, token: stored?.token, tokenVersion: stored?.version });
      wrapper = new QuicConnection(core, this, options.stream);
      wrapper.on('newToken', tokenRecorder(this.tokens, tokenKey));
      this.wrappers.set(core, wrapper);
      return core;
    });
    this.schedule();
    return wrapper as QuicConnection;
  }

  /** Resolves `host` with DNS (the socket's family) and connects; servername = host. */
  async connectByName(host: string, port: number, options: ConnectionOptions = {}): Promise<QuicConnection> {
    const family = this.socket.address().family === 'IPv6' ? 6 : 4;
    const { address } = await lookup(host, { family });
    const tls: TlsEngineOptions = { ...options.tls, servername: options.tls?.servername ?? host };
    return this.connect(address, port, { ...options, tls });
  }

  /** Accepts connections; each one is announced with a 'connection' event. */
  listen(options: ServerOptions = {}): void {
    if (this.closed) throw new Error('endpoint is closed');
    const ctx = this.context(options);
    this.preloadCredentials(options);
    this.core.listen({
      retry: options.retry,
      maxConnections: options.maxConnections,
      accept: (incoming) => {
        const core = this.factory.server(incoming, ctx);
        const wrapper = new QuicConnection(core, this, options.stream);
        this.wrappers.set(core, wrapper);
        queueMicrotask(() => this.emit('connection', wrapper));
        return core;
      },
    });
    this.updateRef();
  }

  /**
   * Parses the certificate chain and private key now, as node:tls does when it creates the secure context, rather
   * than on the first ClientHello: the import is cached per provider and key, so the first client no longer waits
   * for it (~200 ms for a P-256 key with a cold JIT). The provider is the one the connections' TLS engines resolve.
   * A bad key or chain is left for the handshake to report, as before.
   */
  private preloadCredentials(options: ServerOptions): void {
    const tls = options.tls;
    if (tls?.cert === undefined || tls.key === undefined) return;
    const provider = tls.provider ?? this.provider ?? options.connection?.provider ?? defaultProvider();
    try {
      loadCredentials(provider, tls.cert, tls.key);
    } catch {
      // reported by the handshake that uses these credentials
    }
  }

  /** ConnectionDriver: a connection has output. */
  kick(core: ConnectionCore): void {
    this.core.markDirty(core);
    this.schedule();
  }

  /**
   * Closes every connection (CONNECTION_CLOSE NO_ERROR, sent once, without waiting for the draining period), stops
   * the timer and closes the socket. Idempotent.
   */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.core.close(TransportErrorCode.NO_ERROR, 'endpoint closed');
    this.run();
    this.closed = true;
    this.core.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closePromise = (async () => {
      // let the final CONNECTION_CLOSE datagrams leave before the socket goes away
      while (this.sendsInFlight > 0) await new Promise<void>((resolve) => (this.sendsDone = resolve));
      await new Promise<void>((resolve) => this.socket.close(() => resolve()));
      await Promise.all([...this.keylogs.values()].map((k) => k.close()));
      this.emit('close');
    })();
    return this.closePromise;
  }

  private context(options: ConnectionOptions): ConnectionContext {
    let keylog: ((line: string) => void) | undefined;
    if (options.keylogFile) {
      let file = this.keylogs.get(options.keylogFile);
      if (!file) {
        file = new KeyLogFile(options.keylogFile);
        this.keylogs.set(options.keylogFile, file);
      }
      keylog = file.callback;
    }
    const dir = options.qlogDir;
    const now = this.clock;
    const qlog = dir
      ? (odcid: Uint8Array, vantagePoint: QlogVantagePoint) =>
          QlogFileSink.inDirectory(dir, { odcid: Buffer.from(odcid).toString('hex'), vantagePoint, referenceTime: now() })
      : undefined;
    return {
      options: { version: QUIC_VERSION_1, ...options, connection: this.clampDatagramSize(options.connection) },
      qlog,
      keylog,
      provider: this.provider,
      wakeup: (core: ConnectionCore) => this.kick(core),
    };
  }

  /**
   * A UDP payload larger than the socket can carry (65 507 bytes over IPv4, 65 527 over IPv6) fails every send with
   * EMSGSIZE, and a connection told to use it would never get a packet through: cap maxDatagramSize there.
   */
  private clampDatagramSize(c: ConnectionOptions['connection']): ConnectionOptions['connection'] {
    const limit = this.socket.address().family === 'IPv6' ? 65_527 : 65_507;
    if (c?.maxDatagramSize === undefined || c.maxDatagramSize <= limit) return c;
    return { ...c, maxDatagramSize: limit };
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closed) this.run();
    });
  }

  /** One turn: dispatch events, send what is due, re-arm the timer. */
  private run(): void {
    for (const w of this.wrappers.values()) w.processEvents();
    const now = this.clock();
    for (const t of this.core.flush(now)) {
      this.sendsInFlight++;
      const datagram = t.datagram;
      this.socket.send(datagram, t.remote.port, t.remote.address, (err) => {
        recycleDatagram(datagram);
        this.sendsInFlight--;
        if (err) this.sendErrors++;
        if (this.sendsInFlight === 0) this.sendsDone?.();
      });
    }
    for (const w of this.wrappers.values()) w.processEvents();
    this.armTimer();
    this.updateRef();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    if (this.closed) return;
    this.core.onTimeout(this.clock());
    this.run();
  }

  private armTimer(): void {
    const at = this.core.nextTimeout();
    if (at === undefined || this.closed) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = undefined;
      return;
    }
    const delay = at - this.clock();
    if (delay <= 0 && this.dueNowTurns < MAX_DUE_NOW_TURNS) {
      // Due now (a send() stopped at its datagram cap, a deadline passed): run on the next turn of the event loop —
      // setTimeout would wait at least 1 ms. A deadline that stays in the past falls back to the timer below.
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = undefined;
      if (!this.dueNowScheduled) {
        this.dueNowScheduled = true;
        this.dueNowTurns++;
        setImmediate(() => {
          this.dueNowScheduled = false;
          if (!this.closed) this.onTimer();
        });
      }
      return;
    }
    if (delay > 0) this.dueNowTurns = 0;
    if (this.timer && this.timerAt === at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.dueNowTurns = 0;
      this.onTimer();
    }, Math.max(0, Math.ceil(delay)));
    if (this.core.connectionCount === 0) this.timer.unref();
  }

  /** The socket keeps the process alive while connections exist or the endpoint listens. */
  private updateRef(): void {
    if (this.closed) return;
    if (this.core.connectionCount > 0 || this.core.listening) this.socket.ref();
    else this.socket.unref();
  }
}
