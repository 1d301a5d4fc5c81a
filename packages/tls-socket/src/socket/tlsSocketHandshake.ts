/**
 * The seed's tls_sk_handshake: run a TLS 1.3 handshake over a connected socket and get back the encrypted socket.
 * Also node:tls-shaped `connect()` / `createServer()` helpers. The only files of this package that open sockets.
 */
import { connect as netConnect, createServer as netCreateServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createTlsEngine, type TlsEngineOptions } from '@quichs/tls-hs';
import { TlsSocket, type TlsSocketOptions } from './tlsSocket.js';
import type { TlsConnection } from '../tlsConnection.js';

/** Options of {@link tlsSocketHandshake}: the engine's options (node:tls names) plus the role and socket options. */
export interface TlsHandshakeOptions extends TlsEngineOptions, TlsSocketOptions {
  /** Play the server role (the seed's TLS_F_SERV); default client. */
  readonly server?: boolean;
}

const wallClock = (): number => Date.now();

/**
 * Engine options with the wall clock when the caller gave none (certificate validity, tickets and 0-RTT need one), and
 * early data offered when there is early data to send.
 */
function engineOptions(options: TlsEngineOptions & TlsSocketOptions): TlsEngineOptions {
  const withClock = options.clock ? options : { ...options, clock: wallClock };
  return options.sendEarlyData !== undefined && options.earlyData === undefined ? { ...withClock, earlyData: true } : withClock;
}

/**
 * Runs the handshake over `socket` (connected) and resolves to the encrypted socket once it completes; rejects with the
 * TlsAlert (alert name in `.alert`) or socket error (e.g. code ETIMEDOUT) that ended it. The socket is destroyed then.
 */
export async function tlsSocketHandshake(socket: Duplex, options: TlsHandshakeOptions = {}): Promise<TlsSocket> {
  const engine = createTlsEngine(options.server ? 'server' : 'client', engineOptions(options));
  const tls = new TlsSocket(socket, engine, options);
  await tls.secure;
  return tls;
}

/** What {@link tlsSocketHandshakeNoKtls} hands back. */
export interface NoKtlsHandshake {
  /** The connection: {@link TlsConnection.apEncrypt} / {@link TlsConnection.apDecrypt}, or its sans-IO receive/write. */
  readonly connection: TlsConnection;
  /** The socket, untouched after the handshake, paused, and now the caller's (listen, then `resume()`). */
  readonly socket: Duplex;
  /** Bytes the peer sent after its last handshake record (still protected: records to decrypt, in order). */
  readonly unread: Uint8Array;
}

/**
 * The seed's tls_sk_handshake with TLS_F_NO_KTLS: runs the handshake over `socket`, then hands the socket back with
 * the connection for callers that move the encrypted records themselves (seed: tls_ap_encrypt / tls_ap_decrypt with
 * their own sequence numbers, both starting at 0). Rejects like {@link tlsSocketHandshake}; the socket is destroyed then.
 */
export async function tlsSocketHandshakeNoKtls(socket: Duplex, options: TlsHandshakeOptions = {}): Promise<NoKtlsHandshake> {
  const engine = createTlsEngine(options.server ? 'server' : 'client', engineOptions(options));
  const tls = new TlsSocket(socket, engine, { ...options, stopAfterHandshake: true });
  tls.on('error', () => undefined); // the rejection of `secure` carries it
  await tls.secure;
  const { connection, transport, unread } = tls.release();
  return { connection, socket: transport, unread };
}

/** Options of {@link connect}. */
export interface ConnectOptions extends TlsEngineOptions, TlsSocketOptions {
  /** Host to connect to (also the default servername unless it is an IP literal). */
  readonly host?: string;
  /** Port. */
  readonly port: number;
}

/** Connects over TCP and starts a TLS client handshake; listen for 'secureConnect' or await `socket.secure`. */
export function connect(options: ConnectOptions, onSecure?: () => void): TlsSocket {
  const host = options.host ?? 'localhost';
  const servername = options.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host);
  const tcp: Socket = netConnect(options.port, host);
  const engine = createTlsEngine('client', engineOptions({ ...options, servername }));
  const tls = new TlsSocket(tcp, engine, options);
  if (onSecure) tls.once('secureConnect', onSecure);
  return tls;
}

/**
 * A TCP server whose connections are TLS server sockets; emits 'secureConnection' with each {@link TlsSocket} once
 * its handshake completed, and 'tlsClientError' (error, socket) for a handshake that failed.
 */
export function createServer(options: TlsEngineOptions & TlsSocketOptions, onConnection?: (socket: TlsSocket) => void): Server {
  const server = netCreateServer((tcp) => {
    const engine = createTlsEngine('server', engineOptions(options));
    const tls = new TlsSocket(tcp, engine, options);
    // As with node:tls, a failed handshake is reported by the server ('tlsClientError'), not as the socket's error.
    const untilSecure = (): void => undefined;
    tls.on('error', untilSecure);
    tls.secure.then(
      () => {
        tls.off('error', untilSecure);
        server.emit('secureConnection', tls);
      },
      (e: Error) => server.emit('tlsClientError', e, tls),
    );
  });
  if (onConnection) server.on('secureConnection', onConnection);
  return server;
}
