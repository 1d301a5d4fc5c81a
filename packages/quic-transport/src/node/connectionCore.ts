/**
 * The sans-IO connection surface the Node layer (QuicConnection, QuicStream, the UDP Endpoint) drives. It extends
 * what the endpoint needs ({@link EndpointConnection}) with events and the stream API; the sans-IO `Connection`
 * (packages/quic-transport/src/connection) implements it directly.
 */
import type { EncryptionLevel as TlsLevel, TlsSession } from '@quichs/tls-hs';
import type { EndpointConnection } from '../endpoint/endpointCore.js';
import type { QuicError, ZeroRttRejectedError } from '../errors.js';

/** Names of the TLS engine states (the seed's TLS_ST_*), as reported by {@link ConnectionCoreEvent} 'tlsState'. */
export type TlsStateName = 'START' | 'RCVD' | 'WAIT' | 'CONNECTED' | 'PENDING';

/** Events polled from a connection core. */
export type ConnectionCoreEvent =
  | {
      /** The seed's switch got this state back from `tls.handshake()` (one event per call, in order). */
      type: 'tlsState';
      /** The state. */
      state: TlsStateName;
      /** Level of the CRYPTO bytes that went in (the level being produced for a `handshake(null)` call). */
      level: TlsLevel;
      /** When (the `now` of the receive / send call that ran the switch, ms on the caller's clock). */
      time: number;
    }
  | {
      /** The handshake completed (1-RTT keys installed). */
      type: 'handshakeCompleted';
      /** Negotiated ALPN protocol. */
      alpn?: string;
      /** Negotiated TLS cipher suite name or code. */
      suite?: string | number;
      /** Key exchange group. */
      group?: string;
      /** True for a PSK resumption. */
      resumed?: boolean;
      /** True when 0-RTT data was accepted. */
      earlyDataAccepted?: boolean;
      /** The QUIC version in use (after any version negotiation). */
      version?: number;
    }
  | { /** The peer opened a stream. */ type: 'streamOpened'; /** Stream ID. */ streamId: number }
  | { /** Data (or FIN / reset) can be read. */ type: 'streamReadable'; /** Stream ID. */ streamId: number }
  | { /** Send buffer space / flow-control credit is available. */ type: 'streamWritable'; /** Stream ID. */ streamId: number }
  | {
      /** The stream is finished in both directions, or was reset. */
      type: 'streamClosed';
      /** Stream ID. */
      streamId: number;
      /** Application error code when the peer reset the stream / sent STOP_SENDING. */
      errorCode?: number;
      /**
       * Set when this side ended the stream without the application asking: a {@link ZeroRttRejectedError} for each
       * stream opened in 0-RTT when the server rejected 0-RTT and selected another ALPN than the session's (RFC 9001
       * §4.6.2; it follows 'handshakeCompleted'). The stream is reset (its data was not sent again); a Node stream is
       * destroyed with this error.
       */
      error?: QuicError;
    }
  | {
      /** The peer raised its MAX_STREAMS: {@link ConnectionCore.openStream} may succeed again. */
      type: 'streamsAvailable';
      /** Which kind of stream. */
      bidirectional: boolean;
    }
  | {
      /**
       * Client: the server sent a NEW_TOKEN token; pass it (`token`, with `tokenVersion`) to the next connection to
       * the same server.
       */
      type: 'newToken';
      /** The token. */
      token: Uint8Array;
      /** The QUIC version of this connection, which the token is bound to (RFC 9369 §5). */
      version: number;
    }
  | {
      /** Client: a resumable session from a NewSessionTicket; pass it as `tls.session` to resume (and for 0-RTT). */
      type: 'session';
      /** The session (serialize with `toBytes()`); its `quicVersion` is this connection's version (RFC 9369 §5). */
      session: TlsSession;
    }
  | {
      /** The connection is closed (error undefined for a clean NO_ERROR / application 0 close). */
      type: 'connectionClosed';
      /** Why. */
      error?: QuicError;
    };

/** Result of {@link ConnectionCore.readStream}. */
export interface StreamReadResult {
  /** Bytes read (may be empty when only `fin` is reported). */
  data: Uint8Array;
  /** True when the end of the stream was reached. */
  fin: boolean;
}

/** Counters a connection can report. */
export interface ConnectionCoreStats {
  /** Smoothed RTT (ms). */
  smoothedRtt?: number;
  /** Congestion window (bytes). */
  congestionWindow?: number;
  /** Bytes in flight. */
  bytesInFlight?: number;
  /** Packets sent. */
  packetsSent?: number;
  /** Packets received. */
  packetsReceived?: number;
  /** Packets declared lost. */
  packetsLost?: number;
  /** Further numeric counters. */
  [key: string]: number | undefined;
}

/** A sans-IO connection as the Node layer uses it. */
export interface ConnectionCore extends EndpointConnection {
  /** Client or server. */
  readonly role: 'client' | 'server';
  /** Next event, or undefined. */
  pollEvent(): ConnectionCoreEvent | undefined;
  /** Opens a stream; returns its ID. Throws QuicError(STREAM_LIMIT_ERROR) when the peer's limit is reached. */
  openStream(bidirectional: boolean): number;
  /** Queues bytes; returns how many were accepted (fewer under backpressure: wait for streamWritable). */
  writeStream(streamId: number, data: Uint8Array): number;
  /** Sends FIN after the queued bytes. */
  endStream(streamId: number): void;
  /** Reads available in-order bytes, or undefined when nothing is readable now. */
  readStream(streamId: number): StreamReadResult | undefined;
  /** Abandons sending (RESET_STREAM). */
  resetStream(streamId: number, errorCode: number): void;
  /** Asks the peer to stop sending (STOP_SENDING). */
  stopSending(streamId: number, errorCode: number): void;
  /** Closes with an application error code (CONNECTION_CLOSE 0x1d) when `application`, else a transport code. */
  close(errorCode: number, reason: string, application?: boolean): void;
  /** Optional counters. */
  stats?(): ConnectionCoreStats;
  /** Optional: starts a 1-RTT key update (QUIC); false when it is queued until the previous one is acknowledged. */
  updateKeys?(): boolean;
}
