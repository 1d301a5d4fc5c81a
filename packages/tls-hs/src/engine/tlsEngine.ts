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
import { asPlainBytes } from '../wire/bytes.js';

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
export type PostType = 'keyUpdate';

const EMPTY = new Uint8Array(0);

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
    let out: Uint8Array;
    if (flights.length === 0) out = EMPTY;
    else if (flights.length === 1) out = flights[0].data;
    else {
      out = new Uint8Array(flights.reduce((a, f) => a + f.data.length, 0));
      let o = 0;
      for (const f of flights) {
        out.set(f.data, o);
        o += f.data.length;
      }
    }
    return { state: this.core.state, out, flights };
  }

  /**
   * Post-handshake messages: 'keyUpdate' sends a KeyUpdate (TLS over TCP only) and moves our application write
   * secret forward; `requestPeer` asks the peer to update too. Returns the bytes to send (application level).
   */
  post(type: PostType, options: { requestPeer?: boolean } = {}): TlsFlight[] {
    if (this.failure !== undefined) throw this.failure;
    if (type !== 'keyUpdate') throw TlsAlert.of('internal_error', `post(${String(type)}) is not supported yet`);
    this.core.sendKeyUpdate(options.requestPeer ?? false);
    return this.core.takeFlights();
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
        c.psks = [...(value as TlsOptValues['psks'])];
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
}

/** Creates an engine; same as `new TlsEngine(role, options)`. */
export function createTlsEngine(role: 'client' | 'server', options: TlsEngineOptions = {}): TlsEngine {
  return new TlsEngine(role, options);
}
