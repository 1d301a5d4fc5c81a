/**
 * The engine's public vocabulary: handshake states (the seed's START/RCVD/WAIT/CONNECTED), option types of
 * `set`/`get`, encryption levels, secret names and the result of `handshake()`.
 */

/**
 * Handshake states as returned by `handshake()`:
 * - START: client after producing ClientHello (or after an HRR answer); server after sending a HelloRetryRequest.
 * - RCVD: client after the ServerHello (handshake keys available); server after the ClientHello (ServerHello in out).
 * - WAIT: waiting for the peer's flight (server: after its flight, 1-RTT write keys available).
 * - CONNECTED: the peer's Finished verified.
 * - PENDING: an asynchronous callback (SNICallback) is running; await `engine.ready`, then call `handshake(null)`.
 */
export const TlsState = {
  START: 0,
  RCVD: 1,
  WAIT: 2,
  CONNECTED: 3,
  PENDING: 4,
} as const;

/** A TlsState value. */
export type TlsStateValue = (typeof TlsState)[keyof typeof TlsState];

/** Name of a state for logs. */
export function tlsStateName(state: TlsStateValue): string {
  return (['START', 'RCVD', 'WAIT', 'CONNECTED', 'PENDING'] as const)[state];
}

/** The option types of `set(opt, value)` / `get(opt)` (the seed's tls_config types). */
export const TlsOpt = {
  /** Our private key: DER (PKCS#8/SEC1/PKCS#1), PEM string, or an imported PrivateKey. */
  PRIVATE_KEY: 'privateKey',
  /** External PSKs: { identity, key, hash? }[] (hook for the sessions work). */
  PSKS: 'psks',
  /** Trust anchors: DER certificates or PEM. */
  CA: 'ca',
  /** Server: request a client certificate: CertRequest.NONE / OPTIONAL / REQUIRED. */
  CERT_REQUEST: 'certRequest',
  /** Our certificate chain, leaf first: DER certificates or PEM. */
  CERTIFICATE_CHAIN: 'certificateChain',
  /** Extra extensions to send, { type, data }[] (QUIC transport parameters ride here as 0x39). */
  EXTENSIONS: 'extensions',
  /** Early data flag (hook for the sessions work). */
  EARLY_DATA: 'earlyData',
} as const;

/** A TlsOpt value. */
export type TlsOptName = (typeof TlsOpt)[keyof typeof TlsOpt];

/** Client-certificate request policy of a server. */
export const CertRequest = { NONE: 0, OPTIONAL: 1, REQUIRED: 2 } as const;

/** A CertRequest value. */
export type CertRequestValue = (typeof CertRequest)[keyof typeof CertRequest];

/** Encryption level a handshake message is sent at (QUIC packet number space / TLS epoch). */
export type EncryptionLevel = 'initial' | 'early' | 'handshake' | 'application';

/** One chunk of handshake bytes to send, with its level. */
export interface TlsFlight {
  /** Level the bytes must be protected at (QUIC: CRYPTO frames of this space). */
  readonly level: EncryptionLevel;
  /** Whole handshake messages (4-byte header + body each). */
  readonly data: Uint8Array;
}

/** The result of one `handshake()` call. */
export interface HandshakeResult {
  /** State after this call. */
  readonly state: TlsStateValue;
  /** All handshake bytes produced by this call, concatenated (the seed's `out`). */
  readonly out: Uint8Array;
  /** The same bytes split by encryption level. */
  readonly flights: readonly TlsFlight[];
}

/** Names of the secrets `secret(name)` returns. */
export type SecretName =
  | 'early'
  | 'handshake'
  | 'master'
  | 'resumption'
  | 'clientEarly'
  | 'earlyExporter'
  | 'clientHandshake'
  | 'serverHandshake'
  | 'clientApplication'
  | 'serverApplication'
  | 'exporter';

/**
 * The traffic secret protecting records of `level` in one direction for `role` (early: the client's 0-RTT key;
 * undefined for the initial level, which is not protected over TCP).
 */
export function trafficSecretName(role: 'client' | 'server', level: EncryptionLevel, direction: 'read' | 'write'): SecretName | undefined {
  const who = direction === 'write' ? role : role === 'client' ? 'server' : 'client';
  if (level === 'early') return who === 'client' ? 'clientEarly' : undefined;
  if (level === 'handshake') return who === 'client' ? 'clientHandshake' : 'serverHandshake';
  if (level === 'application') return who === 'client' ? 'clientApplication' : 'serverApplication';
  return undefined;
}

/** An external pre-shared key (RFC 8446 §4.2.11); used by the sessions work. */
export interface ExternalPsk {
  /** PSK identity as sent on the wire. */
  readonly identity: Uint8Array;
  /** The key. */
  readonly key: Uint8Array;
  /** Hash the PSK is bound to (default sha256). */
  readonly hash?: 'sha256' | 'sha384';
}
