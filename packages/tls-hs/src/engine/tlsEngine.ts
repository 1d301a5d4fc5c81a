/**
 * The public TLS 1.3 engine: `createTlsEngine(role, options)` / `new TlsEngine(role, options)`, with the seed's
 * message-level API — `handshake(msg | null) → { state, out, flights }`, `set/get` of option types, `secret(name)`,
 * bound `hkdfExtract` / `hkdfExpandLabel`, `post()` for post-handshake messages — and getters for what was negotiated.
 *
 * Sans-IO: bytes in, bytes out; no timers, sockets or global clock/RNG. No exception other than {@link TlsAlert}
 * escapes `handshake()`; after an alert the engine stays failed and repeats it.
 */
import type { Extension } from '../wire/extensions/extensionList.js';
import { TlsAlert } from '../alerts.js';
import { CryptoError } from '../crypto/errors.js';
import type { CryptoProvider, KeyExchangeGroup } from '../crypto/provider.js';
import type { CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { hkdfExpandLabel } from '../keyschedule/hkdfExpandLabel.js';
import { tlsExporter } from '../keyschedule/exporter.js';
import { ClientHandshake } from './clientHandshake.js';
import { ServerHandshake } from './serverHandshake.js';
import type { HandshakeCore, ReceivedTicket } from './handshakeCore.js';
import { createEngineConfig, type EngineConfig } from './engineConfig.js';
import type { TlsEngineOptions } from './options.js';
import {
  TlsOpt,
  TlsState,
  trafficSecretName,
  type HandshakeResult,
  type SecretName,
  type TlsFlight,
  type TlsOptName,
  type TlsStateValue,
  type EncryptionLevel,
  type ExternalPsk,
  type CertRequestValue,
} from './tlsState.js';
import type { PemOrDer } from './options.js';
import type { PrivateKey } from '../crypto/provider.js';
import { asPlainBytes, joinBytes } from '../wire/bytes.js';
import type { TlsSession } from '../session/tlsSession.js';
import type { PskMode } from '../session/externalPsk.js';
import type { EarlyDataRejection, EarlyDataStatus } from '../session/earlyData.js';
import { resolveExternalPsk } from '../session/externalPsk.js';

/** Value types of {@link TlsEngine.set} / {@link TlsEngine.get} per option. */
export interface TlsOptValues {
  /** Private key. */
  privateKey: string | Uint8Array | PrivateKey | undefined;
  /** External PSKs. */
  psks: readonly ExternalPsk[];
  /** Trust anchors. */
  ca: PemOrDer | undefined;
  /** Client certificate policy. */
  certRequest: CertRequestValue;
  /** Certificate chain. */
  certificateChain: PemOrDer | undefined;
  /** Extra extensions. */
  extensions: readonly Extension[];
  /** Early data flag. */
  earlyData: boolean;
}

/** Post-handshake message kinds for {@link TlsEngine.post}. */
export type PostType = 'keyUpdate' | 'newSessionTicket';

/** Options of {@link TlsEngine.post}. */
export interface PostOptions {
  /** keyUpdate: ask the peer to update its keys too (update_requested). */
  readonly requestPeer?: boolean;
  /** newSessionTicket: how many tickets (1). */
  readonly count?: number;
}

/** Maps anything thrown inside the handshake to a TlsAlert. */
export function toTlsAlert(e: unknown): TlsAlert {
  if (e instanceof TlsAlert) return e;
  if (e instanceof CryptoError) {
    switch (e.code) {
      case 'BAD_POINT':
        return TlsAlert.of('illegal_parameter', e.message, e);
      case 'BAD_SIGNATURE':
        return TlsAlert.of('decrypt_error', e.message, e);
      case 'AUTH_FAILED':
        return TlsAlert.of('bad_record_mac', e.message, e);
      case 'BAD_KEY':
        return TlsAlert.of('internal_error', `unusable key: ${e.message}`, e);
      default:
        return TlsAlert.of('internal_error', e.message, e);
    }
  }
  const msg = e instanceof Error ? e.message : String(e);
  return TlsAlert.of('internal_error', msg, e);
}

/** A TLS 1.3 handshake engine for one connection. */
export class TlsEngine {
  /** Role. */
  readonly role: 'client' | 'server';
  private readonly config: EngineConfig;
  private readonly core: HandshakeCore;
  private failure: TlsAlert | undefined;
  private started = false;

  constructor(role: 'client' | 'server', options: TlsEngineOptions = {}) {
    this.config = createEngineConfig(role, options);
    this.role = role;
    this.core = role === 'client' ? new ClientHandshake(this.config) : new ServerHandshake(this.config);
  }

  /** Current state. */
  get state(): TlsStateValue {
    return this.core.state;
  }

  /** The alert that failed this engine, if any. */
  get error(): TlsAlert | undefined {
    return this.failure;
  }

  /**
   * Settles when a pending asynchronous step (an async SNICallback) has settled; then call `handshake(null)`.
   * Already resolved when nothing is pending.
   */
  get ready(): Promise<void> {
    return this.core instanceof ServerHandshake ? this.core.ready : Promise.resolve();
  }

  /** The level the next incoming handshake bytes are expected at. */
  get readLevel(): EncryptionLevel {
    return this.core.readLevel;
  }

  /**
   * Drives the handshake. `msg` is raw handshake-message bytes of one encryption level (any split); `null` asks
   * the engine to produce its next flight (client: the ClientHello; server: the flight after the ServerHello, or
   * to resume after `ready`). Returns the new state and everything to send. Throws only {@link TlsAlert}.
   * When `level` is given (QUIC: the packet number space the CRYPTO data came from), bytes at any other level than
   * the one expected ({@link TlsEngine.readLevel}) are refused with unexpected_message.
   */
  handshake(msg: Uint8Array | null, level?: EncryptionLevel): HandshakeResult {
    if (this.failure !== undefined) throw this.failure;
    try {
      this.started = true;
      if (msg === null) {
        this.core.step();
      } else {
        if (!(msg instanceof Uint8Array)) throw TlsAlert.of('internal_error', 'handshake() input must be a Uint8Array');
        if (level !== undefined && level !== this.core.readLevel && msg.length > 0) {
          throw TlsAlert.of('unexpected_message', `handshake data at the ${level} level while expecting ${this.core.readLevel}`);
        }
        if (this.core.state === TlsState.PENDING) {
          throw TlsAlert.of('unexpected_message', 'handshake data while the ClientHello is still being processed');
        }
        if (this.core instanceof ServerHandshake) this.core.flushBeforeInput();
        if (this.role === 'client' && this.core.state === TlsState.START && !this.hasSentHello()) {
          throw TlsAlert.of('unexpected_message', 'client received handshake data before sending its ClientHello');
        }
        if (msg.length > 0) this.core.feed(asPlainBytes(msg));
      }
    } catch (e) {
      this.failure = toTlsAlert(e);
      throw this.failure;
    }
    return this.result();
  }

  private hasSentHello(): boolean {
    return this.core.clientRandom !== undefined;
  }

  private result(): HandshakeResult {
    const flights = this.core.takeFlights();
    return { state: this.core.state, out: joinBytes(flights.map((f) => f.data)), flights };
  }

  /**
   * Post-handshake messages, returned as application-level flights to send:
   * - 'keyUpdate' (TLS over TCP only) sends a KeyUpdate and moves our application write secret forward;
   *   `requestPeer` asks the peer to update too (its KeyUpdate then moves our read secret, `secret()` follows).
   * - 'newSessionTicket' (server) sends `count` more tickets (QUIC: in 1-RTT CRYPTO frames).
   * Throws TlsAlert internal_error when the message cannot be sent now (local misuse; the engine stays usable).
   */
  post(type: PostType, options: PostOptions = {}): TlsFlight[] {
    if (this.failure !== undefined) throw this.failure;
    if (type === 'keyUpdate') this.core.sendKeyUpdate(options.requestPeer ?? false);
    else if (type === 'newSessionTicket') {
      const count = options.count ?? 1;
      if (!Number.isInteger(count) || count < 1 || count > 255) throw new RangeError('count must be 1..255');
      this.core.postNewSessionTickets(count);
    } else throw TlsAlert.of('internal_error', `post(${String(type)}) is not a post-handshake message`);
    return this.core.takeFlights();
  }

  /**
   * Server over TCP, after accepting 0-RTT: report `length` bytes of early application data read under the client
   * early traffic key. More than max_early_data_size in total → TlsAlert unexpected_message (the engine fails).
   */
  receiveEarlyData(length: number): void {
    if (this.failure !== undefined) throw this.failure;
    try {
      this.core.receiveEarlyData(length);
    } catch (e) {
      this.failure = toTlsAlert(e);
      throw this.failure;
    }
  }

  /**
   * Drivers call this for every non-empty application data record read: post-handshake messages (KeyUpdate,
   * NewSessionTicket) are only accepted `maxConsecutivePostHandshake` in a row without application data.
   */
  applicationDataReceived(): void {
    this.core.applicationDataReceived();
  }

  /** Sets an option (before the handshake starts). */
  set<K extends TlsOptName>(opt: K, value: TlsOptValues[K]): void {
    if (this.started) throw new Error('options cannot change once the handshake has started');
    const c = this.config;
    switch (opt) {
      case TlsOpt.PRIVATE_KEY:
        c.key = value as TlsOptValues['privateKey'];
        break;
      case TlsOpt.PSKS:
        c.psks = (value as TlsOptValues['psks']).map(resolveExternalPsk);
        break;
      case TlsOpt.CA:
        c.ca = value as TlsOptValues['ca'];
        break;
      case TlsOpt.CERT_REQUEST:
        c.certRequest = value as TlsOptValues['certRequest'];
        break;
      case TlsOpt.CERTIFICATE_CHAIN:
        c.cert = value as TlsOptValues['certificateChain'];
        break;
      case TlsOpt.EXTENSIONS:
        c.extensions = [...(value as TlsOptValues['extensions'])];
        break;
      case TlsOpt.EARLY_DATA:
        c.earlyData = value as TlsOptValues['earlyData'];
        break;
      default:
        throw new RangeError(`unknown option ${String(opt)}`);
    }
  }

  /** Reads an option. */
  get<K extends TlsOptName>(opt: K): TlsOptValues[K] {
    const c = this.config;
    const values: TlsOptValues = {
      privateKey: c.key,
      psks: c.psks,
      ca: c.ca,
      certRequest: c.certRequest,
      certificateChain: c.cert,
      extensions: c.extensions,
      earlyData: c.earlyData,
    };
    if (!(opt in values)) throw new RangeError(`unknown option ${String(opt)}`);
    return values[opt];
  }

  /**
   * A secret by name (early / handshake / master / resumption secrets, every traffic secret, exporter), or undefined
   * while it is not derived yet. Application traffic secrets follow KeyUpdates.
   */
  secret(name: SecretName): Uint8Array | undefined {
    return this.core.secret(name);
  }

  /**
   * The current traffic secret for records of `level` in `direction` (see {@link trafficSecretName}); what a record
   * layer installs when {@link TlsEngine.readLevel} or a flight's level changes. Undefined when not derived.
   */
  trafficSecret(level: EncryptionLevel, direction: 'read' | 'write'): Uint8Array | undefined {
    const name = trafficSecretName(this.role, level, direction);
    return name === undefined ? undefined : this.core.secret(name);
  }

  /** HKDF-Extract with the negotiated hash (throws before the suite is known). */
  hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    return this.provider.hkdfExtract(this.requireSuite().hash, salt, ikm);
  }

  /** HKDF-Expand-Label with the negotiated hash (throws before the suite is known). */
  hkdfExpandLabel(secret: Uint8Array, label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array {
    return hkdfExpandLabel(this.provider, this.requireSuite().hash, secret, label, context, length);
  }

  /** TLS-Exporter (RFC 8446 §7.5) once the exporter master secret exists. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    const ems = this.core.secret('exporter');
    if (ems === undefined) throw new Error('exporter secret not available yet');
    return tlsExporter(this.provider, this.requireSuite().hash, ems, label, context, length);
  }

  /** TLS-Exporter with the early_exporter_master_secret (RFC 8446 §7.5), once a PSK handshake derived it. */
  exportEarlyKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    const ems = this.core.secret('earlyExporter');
    if (ems === undefined) throw new Error('early exporter secret not available (no PSK in this handshake)');
    const hash = this.core.suite?.hash ?? this.config.session?.cipherSuite.hash;
    return tlsExporter(this.provider, hash!, ems, label, context, length);
  }

  private requireSuite(): CipherSuiteParams {
    const s = this.core.suite;
    if (s === undefined) throw new Error('cipher suite not negotiated yet');
    return s;
  }

  /** The crypto provider in use. */
  get provider(): CryptoProvider {
    return this.config.provider;
  }

  /** True in QUIC mode. */
  get quic(): boolean {
    return this.config.quic;
  }

  /** Negotiated cipher suite. */
  get cipherSuite(): CipherSuiteParams | undefined {
    return this.core.suite;
  }

  /** Negotiated key-exchange group. */
  get group(): KeyExchangeGroup | undefined {
    return this.core.group;
  }

  /** Signature scheme of the server's CertificateVerify. */
  get signatureScheme(): number | undefined {
    return this.core.signatureScheme;
  }

  /** Signature scheme of the client's CertificateVerify (mutual TLS). */
  get clientSignatureScheme(): number | undefined {
    return this.core.clientSignatureScheme;
  }

  /** Negotiated ALPN protocol. */
  get alpnProtocol(): string | undefined {
    return this.core.alpnProtocol;
  }

  /** Server name: what the client sent (server) or asked for (client). */
  get serverName(): string | undefined {
    return this.core.serverName;
  }

  /** The peer's certificate chain (DER, leaf first); empty when none was sent. */
  get peerCertificates(): readonly Uint8Array[] {
    return this.core.peerCertificates;
  }

  /** The peer's QUIC transport parameters (encoded). */
  get peerTransportParameters(): Uint8Array | undefined {
    return this.core.peerTransportParameters;
  }

  /** The peer's ClientHello (server) or EncryptedExtensions (client) extensions. */
  get peerExtensions(): readonly Extension[] {
    return this.core.peerExtensions;
  }

  /** True when a HelloRetryRequest was part of this handshake. */
  get helloRetried(): boolean {
    return this.core.helloRetried;
  }

  /** Session tickets received (client). */
  get tickets(): readonly ReceivedTicket[] {
    return this.core.tickets;
  }

  /** Sessions received (client), oldest first; each was also given to `onSession`. */
  get sessions(): readonly TlsSession[] {
    return this.core.tickets.map((t) => t.session);
  }

  /** True when this handshake resumed a session (resumption PSK). */
  get resumed(): boolean {
    return this.core.resumed;
  }

  /** The PSK key exchange mode, when a PSK (external or resumption) was used. */
  get pskMode(): PskMode | undefined {
    return this.core.pskMode;
  }

  /** The external PSK identity in use (undefined for certificates and resumption). */
  get pskIdentity(): Uint8Array | undefined {
    return this.core.pskIdentity !== undefined && !this.core.resumed ? this.core.pskIdentity : undefined;
  }

  /**
   * 0-RTT: 'none' (not offered), 'offered' (client: early data may be sent with `secret('clientEarly')`; the answer
   * is not in yet), 'accepted' or 'rejected'. The server knows after the ClientHello (RCVD), the client after
   * EncryptedExtensions (or at once on a HelloRetryRequest / a ServerHello without the first PSK).
   */
  get earlyDataStatus(): EarlyDataStatus {
    return this.core.earlyDataStatus;
  }

  /**
   * The suite 0-RTT keys are made with (AEAD and hash for `secret('clientEarly')`): the session's on the client as
   * soon as early data is offered — before any ServerHello — and the negotiated one on a server that accepted it.
   */
  get earlyCipherSuite(): CipherSuiteParams | undefined {
    if (this.core.earlyDataStatus === 'none') return undefined;
    return this.role === 'client' ? this.config.session?.cipherSuite : this.core.suite;
  }

  /** Server: why offered early data was refused. */
  get earlyDataRejection(): EarlyDataRejection | undefined {
    return this.core.earlyDataRejection;
  }

  /**
   * max_early_data_size in force: client — the session's (do not send more); server over TCP — the accepted ticket's,
   * or after a rejection how much undecryptable early data to skip (RecordLayer.skipUndecryptable).
   */
  get maxEarlyDataSize(): number {
    return this.core.maxEarlyDataSize;
  }

  /** Server: the application data sealed in the ticket this connection resumed (e.g. QUIC transport parameters). */
  get sessionAppData(): Uint8Array | undefined {
    return this.core.sessionAppData;
  }
}

/** Creates an engine; same as `new TlsEngine(role, options)`. */
export function createTlsEngine(role: 'client' | 'server', options: TlsEngineOptions = {}): TlsEngine {
  return new TlsEngine(role, options);
}
