/**
 * What the trace analyzer learned about one QUIC connection from the relay's datagrams (and the key logs): the
 * evidence the case judges read, as quic-interop-runner reads its pcaps through tshark.
 */
import type { TransportParameters } from '@quichs/quic-transport';

/** The encryption levels of QUIC packets. */
export type Level = 'initial' | 'zeroRtt' | 'handshake' | 'oneRtt';

/** Client or server. */
export type Side = 'client' | 'server';

/** Per-level packet counters. */
export type LevelCounts = Record<Level, number>;

/** Key update progress of one sender. */
export interface KeyPhaseProgress {
  /** Highest 1-RTT key generation decrypted (0 = never updated). */
  generation: number;
  /** Relay time (ms) of the first packet of generation n, for n = 0 … generation. */
  firstAt: number[];
}

/** One observed connection. */
export interface ConnectionTrace {
  /** 0-based, in order of the first client packet. */
  index: number;
  /** Relay flow (client address) it ran on. */
  flow: number;
  /** Time of its first packet (ms since the relay opened). */
  firstAt: number;
  /** The client's source connection ID (hex, '' for zero-length). */
  clientCid: string;
  /** Connection IDs the server used as SCID or issued (hex). */
  serverCids: string[];
  /** Version of the client's first packet. */
  firstClientVersion: number;
  /** Distinct long-header versions sent by the client, in order of appearance. */
  clientVersions: number[];
  /** Distinct long-header versions sent by the server, in order of appearance. */
  serverVersions: number[];
  /** Versions listed in a Version Negotiation packet sent to this connection's client CID, if any. */
  versionNegotiation: number[] | undefined;
  /** Retry packets sent to this connection. */
  retries: { t: number; scid: string; token: string }[];
  /** Distinct tokens carried by the client's Initial packets, in order ('' = no token). */
  clientInitialTokens: string[];
  /** The ClientHello. */
  clientHello:
    | { random: string; cipherSuites: number[]; alpn: string[]; pskOffered: boolean; earlyDataOffered: boolean }
    | undefined;
  /** True if the server sent a HelloRetryRequest. */
  helloRetryRequest: boolean;
  /** The (final) ServerHello. */
  serverHello: { cipherSuite: number; pskAccepted: boolean } | undefined;
  /** EncryptedExtensions (needs the handshake secrets). */
  encryptedExtensions:
    | {
        alpn: string | undefined;
        earlyDataAccepted: boolean;
        transportParameters: TransportParameters | undefined;
        /** IDs of every transport parameter the server sent (shows draft codepoints such as 0xff73db). */
        transportParameterIds: number[];
      }
    | undefined;
  /** Number of certificates in the server's Certificate message (undefined: none seen). */
  serverCertificates: number | undefined;
  /** The server sent a CertificateRequest. */
  certificateRequest: boolean;
  /** Number of certificates in the client's Certificate message (undefined: none sent). */
  clientCertificates: number | undefined;
  /** The client sent a CertificateVerify. */
  clientCertificateVerify: boolean;
  /** The server's Finished was seen. */
  serverFinished: boolean;
  /** The client's Finished was seen. */
  clientFinished: boolean;
  /** NewSessionTicket messages from the server. */
  sessionTickets: number;
  /** HANDSHAKE_DONE seen from the server. */
  handshakeDone: boolean;
  /** Tokens of NEW_TOKEN frames (hex). */
  newTokens: string[];
  /** STREAM frames in the client's 0-RTT packets (decrypted). */
  zeroRttStreamFrames: number;
  /** Client-initiated bidirectional stream IDs seen. */
  clientBidiStreams: number;
  /** MAX_STREAMS (bidi) frames sent by the server. */
  serverMaxStreamsBidi: number;
  /**
   * Stream data each sender carried in decrypted 1-RTT packets: per stream the highest end offset of its STREAM
   * frames, summed over streams (retransmissions do not count twice).
   */
  oneRttStreamData: Record<Side, number>;
  /** 1-RTT key updates per sender. */
  keyPhases: Record<Side, KeyPhaseProgress>;
  /** CONNECTION_CLOSE frames seen. */
  closes: { side: Side; application: boolean; code: number; reason: string }[];
  /** Packets sent (dropped ones included) per sender and level; plus Retry/VN/unknown-version packets. */
  packets: Record<Side, LevelCounts & { retry: number; versionNegotiation: number; unknownVersion: number }>;
  /** Packets of this connection that could not be decrypted, per sender and level. */
  undecryptable: Record<Side, LevelCounts>;
  /** Key log labels that were needed but missing. */
  missingSecrets: string[];
  /** Datagrams the relay dropped, per sender. */
  dropped: Record<Side, number>;
  /** True when the handshake completed (client Finished or HANDSHAKE_DONE decrypted, else 1-RTT both ways). */
  handshakeCompleted: boolean;
  /** How `handshakeCompleted` was decided. */
  completionEvidence: 'decrypted' | 'inferred' | 'none';
}

/** Everything the analyzer found. */
export interface TraceReport {
  /** Connections in order of appearance. */
  connections: ConnectionTrace[];
  /** Version Negotiation packets seen (server to client). */
  versionNegotiations: { t: number; versions: number[] }[];
  /** Datagrams per direction. */
  datagrams: { c2s: number; s2c: number; dropped: number };
  /** Packets not attributable to any connection. */
  unattributed: number;
  /** One line per packet (time, direction, connection, type, version, number, frames), for failure logs. */
  listing: string[];
}
