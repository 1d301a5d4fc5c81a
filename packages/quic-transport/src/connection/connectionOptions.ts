/**
 * Options of a sans-IO {@link Connection} (packages/quic-transport/src/connection/connection.ts). Everything that
 * touches the outside world comes in here: the TLS engine options, randomness, the qlog sink and the key log.
 * Time is never read: every entry point takes `now` (ms).
 */
import type { CryptoProvider, TlsEngineOptions } from '@quichs/tls-hs';
import type { TransportParametersInit } from '../frame/transportParameters.js';
import type { QlogSink } from '../observability/qlogSink.js';
import type { CongestionControlName } from '../recovery/congestion/congestionController.js';
import type { AeadLimitOverrides } from './keyUpdate.js';
import type { ZeroRttRejectedError } from '../errors.js';

/** Options shared by client and server connections. */
export interface ConnectionCoreOptions {
  /**
   * TLS engine options (node:tls names: key, cert, ca, ALPNProtocols, servername, rejectUnauthorized, requestCert,
   * ciphers, groups, clock, rng …). `quic` and `transportParameters` are set by the connection.
   *
   * Client 0-RTT (`session` + `earlyData`): streams opened before the handshake completes carry their data in 0-RTT.
   * If the server rejects 0-RTT, that data is sent again in 1-RTT within the server's new limits — unless the server
   * selected another ALPN than the session's (RFC 9001 §4.6.2: the data was written for the other protocol). Then
   * those streams are reset instead (code 0, so the server closes them too) and each reports a
   * {@link ZeroRttRejectedError}: the 'streamClosed' event's `error`, after 'handshakeCompleted'; the error a Node
   * stream is destroyed with.
   */
  tls?: TlsEngineOptions;
  /** Our transport parameters (limits); connection IDs, reset token and version_information are filled in. */
  transportParameters?: TransportParametersInit;
  /**
   * Client: the QUIC version of the first Initial. Default: the version the `tls.session` to resume remembers
   * (`TlsSession.quicVersion`, when it is among `versions`), else v1. Tickets are bound to the version of the
   * connection that issued them (RFC 9369 §5: the negotiated one after compatible version negotiation): a session of
   * another version than the one an attempt uses (this option, or a Version Negotiation restart) is not offered — a
   * full handshake follows, without 0-RTT. Sessions from the 'session' event carry their connection's version.
   */
  version?: number;
  /**
   * Versions we support, in preference order. A client answers Version Negotiation with them (its `version` always
   * comes first; default: then the other of v1 / v2). A server given this list switches a client to the first
   * compatible version the client also lists (RFC 9368 compatible version negotiation); without it the server keeps
   * the client's version and lists the endpoint's versions in its version_information.
   */
  versions?: readonly number[];
  /** Congestion controller (default 'newreno'). */
  congestionControl?: CongestionControlName;
  /** End slow start on RTT growth, HyStart++ (RFC 9406), in either controller (default true). */
  hystart?: boolean;
  /** Largest UDP payload we send (default 1200; capped by the peer's max_udp_payload_size). */
  maxDatagramSize?: number;
  /** RTT assumed before the first sample, ms (default 333, RFC 9002 §6.2.2). */
  initialRtt?: number;
  /** Pace packets (RFC 9002 §7.7; default true). */
  pacing?: boolean;
  /**
   * Send-buffer high-water mark of each stream: unsent plus unacknowledged bytes (default 1 MiB). It grows with the
   * congestion window (to twice the window) up to {@link ConnectionCoreOptions.maxStreamSendBuffer}.
   */
  streamSendBuffer?: number;
  /** Autotuning cap of each stream's send buffer (default 16 MiB; never below `streamSendBuffer`). */
  maxStreamSendBuffer?: number;
  /** Autotuning cap of each stream's receive window (default 16 MiB). */
  maxStreamWindow?: number;
  /** Autotuning cap of the connection receive window (default 32 MiB). */
  maxConnectionWindow?: number;
  /** CRYPTO reassembly limit per level (default 64 KiB; never below it). */
  cryptoBufferLimit?: number;
  /** qlog sink for this connection. */
  qlog?: QlogSink;
  /** NSS key log callback (SSLKEYLOGFILE lines). */
  keylog?: (line: string) => void;
  /** Crypto provider (default: tls-hs defaultProvider()). */
  provider?: CryptoProvider;
  /** Random bytes (default provider.randomBytes): connection IDs, PATH_CHALLENGE data. */
  rng?: (length: number) => Uint8Array;
  /** Lower AEAD limits (tests, hardening). */
  aeadLimits?: AeadLimitOverrides;
  /**
   * Called when the connection has work after an asynchronous step (an async SNICallback finished): the driver
   * should poll `send()` / `nextTimeout()` again.
   */
  onWakeup?: () => void;
}

/** Options of a client connection. */
export interface ClientConnectionCoreOptions extends ConnectionCoreOptions {
  /** An address validation token from a previous connection's NEW_TOKEN frame (RFC 9000 §8.1.3). */
  token?: Uint8Array;
  /**
   * The QUIC version of the connection `token` came from (the 'newToken' event's `version`; default: the version
   * this connection starts in). The token is sent only in Initials of that version (RFC 9369 §5) — not when the
   * connection starts in, or Version Negotiation moves it to, another one.
   */
  tokenVersion?: number;
  /** Length of the random first DCID (8..20, default 8). */
  initialDcidLength?: number;
  /** The first DCID itself (8..20 bytes; default random) — e.g. to name the qlog trace before connecting. */
  initialDcid?: Uint8Array;
}

/** Options of a server connection (NEW_TOKEN tokens are minted through the endpoint's IncomingConnection). */
export type ServerConnectionCoreOptions = ConnectionCoreOptions;
