/**
 * The options object of `createTlsEngine(role, options)`: node:tls names (key, cert, ca, ALPNProtocols, servername,
 * SNICallback, rejectUnauthorized, requestCert, ...) plus the sans-IO inputs (clock, rng, provider) and QUIC mode.
 * Everything here maps onto the same engine state as `set(TlsOpt.*, value)`.
 */
import type { Extension } from '../wire/extensions/extensionList.js';
import type { CryptoProvider, KeyExchangeGroup, PrivateKey, PublicKey } from '../crypto/provider.js';
import type { CertRequestValue, ExternalPsk } from './tlsState.js';
import type { PskCallback, PskMode } from '../session/externalPsk.js';
import type { TlsSession } from '../session/tlsSession.js';
import type { TicketKeyCallback, TicketKeyManager } from '../session/ticketKeyManager.js';
import type { AntiReplay } from '../session/antiReplay.js';
import type { EarlyDataOffer } from '../session/earlyData.js';
import type { TicketOffer } from '../session/pskSelection.js';

/** Certificate or key material: DER bytes, PEM text, or a list of either. */
export type PemOrDer = string | Uint8Array | readonly (string | Uint8Array)[];

/** A certificate chain with its private key (what an SNICallback selects). */
export interface TlsCredentials {
  /** Certificate chain, leaf first (PEM text with several blocks, or DER certificates). */
  readonly cert: PemOrDer;
  /** The leaf's private key (PEM, DER, or an imported PrivateKey). */
  readonly key: string | Uint8Array | PrivateKey;
}

/** What an SNICallback returns: credentials for that name, or null to keep the default ones. */
export type SniResult = TlsCredentials | null | undefined;

/**
 * Server name callback: called with the client's SNI host name (or '' when the client sent none). May be async.
 * Throwing (or rejecting) aborts the handshake with unrecognized_name.
 */
export type SniCallback = (serverName: string) => SniResult | Promise<SniResult>;

/**
 * Certificate verification override: called after path validation with the error (null when valid) and the peer
 * chain (DER, leaf first). Return true to accept, false to reject (keeps / raises the alert).
 */
export type PeerVerifyCallback = (error: Error | null, chain: readonly Uint8Array[]) => boolean;

/**
 * Replaces certificate-chain validation: gets the peer chain (DER, leaf first) and returns the leaf's public key,
 * or throws a TlsAlert. Useful for raw public keys, pinning, or tests.
 */
export type CertificateVerifier = (request: {
  /** The chain as sent, leaf first. */
  readonly chain: readonly Uint8Array[];
  /** What the peer authenticates as. */
  readonly purpose: 'serverAuth' | 'clientAuth';
  /** Host name or IP the client expects (server authentication only). */
  readonly hostname: string | undefined;
  /** Validation time, from the engine's clock. */
  readonly now: Date | undefined;
  /** Crypto provider. */
  readonly provider: CryptoProvider;
}) => PublicKey;

/** Options of a TLS engine. All optional; defaults in parentheses. */
export interface TlsEngineOptions {
  /** Crypto provider (the default node:crypto provider). */
  readonly provider?: CryptoProvider;
  /** Clock in milliseconds since the epoch, for certificate validity. Required when certificates are validated. */
  readonly clock?: () => number;
  /** Random bytes (provider.randomBytes). Tests inject a deterministic one. */
  readonly rng?: (length: number) => Uint8Array;

  /** Our private key. */
  readonly key?: string | Uint8Array | PrivateKey;
  /** Our certificate chain, leaf first. */
  readonly cert?: PemOrDer;
  /** Trust anchors for the peer's chain. */
  readonly ca?: PemOrDer;
  /** Client: the server's host name for SNI and certificate checks (IP literals: no SNI, IP SAN check). */
  readonly servername?: string;
  /** Server: select credentials by SNI (may be async). */
  readonly SNICallback?: SniCallback;
  /** Server: fail with unrecognized_name when the client's SNI matches none of `serverNames` / SNICallback refuses. */
  readonly strictSNI?: boolean;
  /** Server: the names this server answers for (used with strictSNI). */
  readonly serverNames?: readonly string[];
  /** ALPN protocols in preference order (client: offered; server: accepted, server preference wins). */
  readonly ALPNProtocols?: readonly string[];
  /** Verify the peer's certificate chain against `ca` (true). */
  readonly rejectUnauthorized?: boolean;
  /** Server: ask for a client certificate (false); with rejectUnauthorized it becomes required. */
  readonly requestCert?: boolean;
  /** Server: explicit client-certificate policy (overrides requestCert). */
  readonly certRequest?: CertRequestValue;
  /** Verification override hook. */
  readonly verify?: PeerVerifyCallback;
  /** Replaces chain validation entirely (see {@link CertificateVerifier}). */
  readonly certificateVerifier?: CertificateVerifier;
  /** Cipher suites by IANA name or codepoint, preference order (all three). */
  readonly ciphers?: readonly (string | number)[] | string;
  /** Groups by name, preference order (X25519MLKEM768, x25519, secp256r1, secp384r1). */
  readonly groups?: readonly (KeyExchangeGroup | string)[] | string;
  /** Client: the groups to send key shares for (X25519MLKEM768 and x25519, filtered by `groups`). */
  readonly keyShares?: readonly (KeyExchangeGroup | string)[];
  /** Signature schemes by name or codepoint, preference order. */
  readonly sigalgs?: readonly (string | number)[] | string;
  /**
   * Schemes accepted in the peer's certificate signatures, by IANA name or codepoint (RSA PKCS#1 v1.5 allowed here):
   * sent as signature_algorithms_cert (client: ClientHello; server: CertificateRequest), and a validated peer path
   * with a certificate signed otherwise is refused with unsupported_certificate. Default: not sent, every scheme we
   * can verify is accepted.
   */
  readonly sigalgsCert?: readonly (string | number)[] | string;
  /** NSS key log callback: one line per secret, no newline. */
  readonly keylog?: (line: string) => void;
  /** QUIC mode: transport parameters required, empty session id, no middlebox compatibility. */
  readonly quic?: boolean;
  /** Our QUIC transport parameters (encoded), sent as extension 0x39. */
  readonly transportParameters?: Uint8Array;
  /** Extra extensions to send in ClientHello / EncryptedExtensions. */
  readonly extensions?: readonly Extension[];
  /**
   * External PSKs (RFC 8446 §4.2.11), each with its identity and hash. Client: all are offered (after a resumption
   * ticket). Server: the identities it accepts (see also `pskCallback`). A PSK handshake sends no certificates.
   */
  readonly psks?: readonly ExternalPsk[];
  /** Server: look up an external PSK by the identity the client offered. */
  readonly pskCallback?: PskCallback;
  /**
   * PSK key exchange modes in preference order (['psk_dhe_ke']). Client: the modes offered (a client offering only
   * psk_ke sends no key shares when it has a PSK to offer). Server: the modes it accepts.
   */
  readonly pskModes?: readonly PskMode[];
  /**
   * Early data (0-RTT). Client: offer 0-RTT when the `session` allows it (see `earlyDataStatus`). Server: issue
   * tickets that allow 0-RTT and accept it (subject to `acceptEarlyData`, the ticket checks and anti-replay).
   */
  readonly earlyData?: boolean;
  /** Client: the session to resume (a {@link TlsSession} or its `toBytes()`), node:tls's `session` option. */
  readonly session?: TlsSession | Uint8Array;
  /** Client: called with every new session a NewSessionTicket gives (node:tls's 'session' event). */
  readonly onSession?: (session: TlsSession) => void;
  /** Server: NewSessionTickets sent after a full handshake (2). Needs a `clock`; without one none are sent. */
  readonly ticketCount?: number;
  /** Server: NewSessionTickets sent after a resumed handshake (1); a ticket-key 'renew' answer sends at least one. */
  readonly resumedTicketCount?: number;
  /** Server: ticket_lifetime in seconds (7200; at most 604800, RFC 8446 §4.6.1). */
  readonly ticketLifetime?: number;
  /**
   * Server: the ticket-key manager (node:tls's `ticketKeys`); default: the process-wide
   * {@link defaultTicketKeyManager}. Share one (or its `export()`) between servers so they resume each other's tickets.
   */
  readonly ticketKeys?: TicketKeyManager;
  /** Server: the ticket-key callback (seed 004): use / renew / reject per key name; overrides `ticketKeys`. */
  readonly ticketKeyCallback?: TicketKeyCallback;
  /** Server: opaque bytes sealed into every ticket issued (e.g. QUIC transport parameters), shown to `acceptEarlyData`. */
  readonly ticketAppData?: Uint8Array;
  /** Server over TCP: max_early_data_size put in tickets and enforced (16384). QUIC always uses 0xffffffff. */
  readonly maxEarlyData?: number;
  /** Server: per-connection 0-RTT policy, asked after every other check passed; false rejects the early data. */
  readonly acceptEarlyData?: (offer: EarlyDataOffer) => boolean;
  /**
   * Server: resumption policy, asked for each of our tickets the client offers once it opened and passed the
   * engine's checks (lifetime, server name), with the ticket's `appData`. False ignores that ticket as if it were
   * unknown: the PSK is not used (nor its 0-RTT) and, unless another offered PSK fits, a full handshake follows.
   * QUIC connections use it to refuse tickets issued on another QUIC version (RFC 9369 §5).
   */
  readonly acceptTicket?: (offer: TicketOffer) => boolean;
  /** Server: the 0-RTT replay record (default: the process-wide {@link defaultAntiReplay}). */
  readonly antiReplay?: AntiReplay;
  /** Server: how far the client's ticket age may differ from ours before 0-RTT is refused, in ms (10000). */
  readonly ticketAgeTolerance?: number;
  /**
   * KeyUpdates (and other post-handshake messages) accepted in a row without application data in between (32);
   * more → unexpected_message. Drivers report application data with `applicationDataReceived()`.
   */
  readonly maxConsecutivePostHandshake?: number;
  /** Server: send a cookie in HelloRetryRequest and require it back (false). */
  readonly hrrCookie?: boolean;
  /** Largest handshake message accepted (64 KiB). */
  readonly maxHandshakeMessageSize?: number;
}
