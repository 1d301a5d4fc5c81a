/**
 * State and helpers shared by the client and server handshakes: the configuration, transcript, key schedule,
 * negotiated parameters, secrets (with key log), the handshake-message reassembler and the per-call output.
 */
import { TlsAlert } from '../alerts.js';
import type { KeyExchangeGroup, PrivateKey } from '../crypto/provider.js';
import type { CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { KeySchedule } from '../keyschedule/keySchedule.js';
import { Transcript } from '../keyschedule/transcript.js';
import { finishedVerifyData } from '../keyschedule/finishedKey.js';
import { nextTrafficSecret } from '../keyschedule/trafficKeys.js';
import { HandshakeType, handshakeTypeName } from '../wire/constants.js';
import { HandshakeReassembler, encodeHandshake, type HandshakeMessage } from '../wire/handshakeMessage.js';
import { encodeFinished, parseFinished } from '../wire/finished.js';
import { encodeCertificate } from '../wire/certificate.js';
import { certificateVerifySignedContent, encodeCertificateVerify, parseCertificateVerify } from '../wire/certificateVerify.js';
import { copyBytes, joinBytes } from '../wire/bytes.js';
import { encodeKeyUpdate, parseKeyUpdate } from '../wire/keyUpdate.js';
import { encodeNewSessionTicket, parseNewSessionTicket, type NewSessionTicket } from '../wire/newSessionTicket.js';
import { ExtensionType } from '../wire/constants.js';
import { findExtension, packExtensions, unpackExtensions, type Extension } from '../wire/extensions/extensionList.js';
import { checkExtensions } from '../wire/extensions/extensionRules.js';
import { parseMaxEarlyDataSize } from '../wire/extensions/earlyData.js';
import { resumptionPsk } from '../keyschedule/exporter.js';
import { QUIC_MAX_EARLY_DATA, TlsSession } from '../session/tlsSession.js';
import type { PskMode } from '../session/externalPsk.js';
import type { EarlyDataRejection, EarlyDataStatus } from '../session/earlyData.js';
import { issueTicket } from '../session/ticketIssuer.js';
import { ticketKeysOf } from './engineConfig.js';
import { CryptoError } from '../crypto/errors.js';
import type { EngineConfig } from './engineConfig.js';
import { keyLogLine, type KeyLogLabel } from './keyLog.js';
import { schemeFitsKey, signatureSchemeByCode, type SignatureSchemeInfo } from './signatureSchemes.js';
import type { PeerIdentity } from './peerVerifier.js';
import type { EncryptionLevel, SecretName, TlsFlight, TlsStateValue } from './tlsState.js';
import { TlsState } from './tlsState.js';

const KEYLOG_LABELS: Partial<Record<SecretName, KeyLogLabel>> = {
  clientEarly: 'CLIENT_EARLY_TRAFFIC_SECRET',
  earlyExporter: 'EARLY_EXPORTER_SECRET',
  clientHandshake: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  serverHandshake: 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  clientApplication: 'CLIENT_TRAFFIC_SECRET_0',
  serverApplication: 'SERVER_TRAFFIC_SECRET_0',
  exporter: 'EXPORTER_SECRET',
};

/** A session ticket received from the server. */
export interface ReceivedTicket {
  /** The NewSessionTicket message. */
  readonly ticket: NewSessionTicket;
  /** The resumption PSK's inputs: resumption master secret at the time of receipt. */
  readonly resumptionMasterSecret: Uint8Array;
  /** Suite of the connection. */
  readonly suite: CipherSuiteParams;
  /** The resumable session it makes (pass it back as the `session` option). */
  readonly session: TlsSession;
}

/** Base of {@link ClientHandshake} and {@link ServerHandshake}. */
export abstract class HandshakeCore {
  /** Configuration (shared with the public engine object). */
  readonly config: EngineConfig;
  /** Current state. */
  state: TlsStateValue = TlsState.START;
  /** The level the next incoming handshake bytes belong to. */
  readLevel: EncryptionLevel = 'initial';
  /** Negotiated suite. */
  suite: CipherSuiteParams | undefined;
  /** Negotiated group. */
  group: KeyExchangeGroup | undefined;
  /** Signature scheme of the server's CertificateVerify. */
  signatureScheme: number | undefined;
  /** Signature scheme of the client's CertificateVerify (mTLS). */
  clientSignatureScheme: number | undefined;
  /** Negotiated ALPN protocol. */
  alpnProtocol: string | undefined;
  /** Server name (client: what we sent; server: what the client sent). */
  serverName: string | undefined;
  /** Peer certificate chain (DER, leaf first), empty when none. */
  peerCertificates: Uint8Array[] = [];
  /** Peer's QUIC transport parameters. */
  peerTransportParameters: Uint8Array | undefined;
  /** Peer's extensions from ClientHello / EncryptedExtensions (for callers interested in unknown ones). */
  get peerExtensions(): readonly Extension[] {
    if (this.packedPeerExtensions !== undefined) {
      this.peerExtensionList = unpackExtensions(this.packedPeerExtensions);
      this.packedPeerExtensions = undefined;
    }
    return this.peerExtensionList;
  }

  set peerExtensions(list: readonly Extension[]) {
    this.peerExtensionList = list;
    this.packedPeerExtensions = undefined;
  }
  /** True after a HelloRetryRequest was sent / received. */
  helloRetried = false;
  /** ClientHello.random (key log). */
  clientRandom: Uint8Array | undefined;
  /** Tickets received (client). */
  readonly tickets: ReceivedTicket[] = [];
  /** PSK key exchange mode, when a PSK was used. */
  pskMode: PskMode | undefined;
  /** The identity of the PSK in use (a ticket or an external identity). */
  pskIdentity: Uint8Array | undefined;
  /** True when the PSK in use is a resumption ticket. */
  resumed = false;
  /** 0-RTT state. */
  earlyDataStatus: EarlyDataStatus = 'none';
  /** Server: why 0-RTT was refused. */
  earlyDataRejection: EarlyDataRejection | undefined;
  /** max_early_data_size that applies to this connection (0 when none). */
  maxEarlyDataSize = 0;
  /** Server: the client offered psk_key_exchange_modes we accept, so tickets may be sent. */
  protected ticketsWanted = false;
  /** Server: application data of the ticket this connection resumed. */
  sessionAppData: Uint8Array | undefined;
  private earlyDataReceived = 0;
  private postHandshakeInARow = 0;
  private ticketsIssued = 0;
  /** Secrets derived so far. */
  protected readonly secrets = new Map<SecretName, Uint8Array>();
  /** Secrets derived only when asked for (no key log): name → derivation. */
  private lazySecrets: Map<SecretName, () => Uint8Array> | undefined;
  protected transcript: Transcript;
  protected ks: KeySchedule | undefined;
  protected readonly reassembler: HandshakeReassembler;
  /** Output since the last takeFlights(): messages per level, joined into one array per level when taken. */
  private flights: { level: EncryptionLevel; parts: Uint8Array[] }[] = [];
  private peerExtensionList: readonly Extension[] = [];
  /** After the handshake: the peer's extensions as one block (views into the message they came in are dropped). */
  private packedPeerExtensions: Uint8Array | undefined;

  constructor(config: EngineConfig) {
    this.config = config;
    this.transcript = new Transcript(config.provider);
    this.reassembler = new HandshakeReassembler({ maxMessageSize: config.maxHandshakeMessageSize });
  }

  /** Role. */
  abstract readonly role: 'client' | 'server';
  /** Produces the first flight for handshake(null) in the START state (client) or continues pending work. */
  abstract step(): void;
  /** Handles one complete incoming handshake message. */
  protected abstract onMessage(msg: HandshakeMessage): void;

  /** Feeds bytes of the current read level and processes every complete message. */
  feed(bytes: Uint8Array): void {
    const msgs = this.reassembler.push(bytes);
    for (let i = 0; i < msgs.length; i++) {
      const levelBefore = this.readLevel;
      this.onMessage(msgs[i]);
      if (this.readLevel !== levelBefore && (i < msgs.length - 1 || this.reassembler.hasPending)) {
        throw TlsAlert.of('unexpected_message', `handshake data after ${handshakeTypeName(msgs[i].type)} crosses a key change`);
      }
      if (this.state === TlsState.PENDING && (i < msgs.length - 1 || this.reassembler.hasPending)) {
        throw TlsAlert.of('unexpected_message', 'handshake data after the ClientHello');
      }
    }
    if (this.state === TlsState.CONNECTED) this.reassembler.compact();
  }

  /**
   * Entering CONNECTED: drops what only the handshake needed — our encoded transport parameters, the key schedule,
   * the transcript hash, the reassembly buffer, the message buffers the peer's extensions were views into (kept as one packed
   * block, unpacked when asked for) — so an idle connection keeps negotiated values, secrets and what the getters
   * expose.
   */
  protected releaseHandshakeState(): void {
    this.config.transportParameters = undefined; // ours went out in the ClientHello / EncryptedExtensions
    this.ks = undefined; // every secret is derived (a PSK's lazy early exporter keeps its own schedule)
    this.transcript.release();
    this.reassembler.compact();
    if (this.peerExtensionList.length > 0) {
      this.packedPeerExtensions = packExtensions(this.peerExtensionList);
      this.peerExtensionList = [];
    }
  }

  /** Takes the output accumulated since the last call. */
  takeFlights(): TlsFlight[] {
    const f = this.flights;
    this.flights = [];
    return f.map(({ level, parts }) => ({ level, data: joinBytes(parts) }));
  }

  /** A secret by name, or undefined if not derived (yet). */
  secret(name: SecretName): Uint8Array | undefined {
    const v = this.secrets.get(name);
    if (v !== undefined) return v;
    const derive = this.lazySecrets?.get(name);
    if (derive === undefined) return undefined;
    this.lazySecrets!.delete(name);
    const s = derive();
    this.secrets.set(name, s);
    return s;
  }

  /**
   * A secret few connections ask for (the exporters; the resumption master secret when no ticket is sent or
   * received): derived at once when a key log wants its line, else on the first `secret(name)`.
   */
  protected setSecretLazily(name: SecretName, derive: () => Uint8Array): void {
    if (this.config.keylog !== undefined) {
      this.setSecret(name, derive());
      return;
    }
    this.secrets.delete(name);
    (this.lazySecrets ??= new Map()).set(name, derive);
  }

  /** The key schedule (from the moment the suite is known until CONNECTED). */
  get keySchedule(): KeySchedule | undefined {
    return this.ks;
  }

  /** Frames and queues a handshake message at `level`; adds it to the transcript; returns the raw bytes. */
  protected send(level: EncryptionLevel, type: number, body: Uint8Array, transcript = true): Uint8Array {
    return this.sendRaw(level, encodeHandshake(type, body), transcript);
  }

  /** Queues an already framed handshake message (e.g. a ClientHello whose binders were filled in). */
  protected sendRaw(level: EncryptionLevel, raw: Uint8Array, transcript = true): Uint8Array {
    if (transcript) this.transcript.update(raw);
    const last = this.flights[this.flights.length - 1];
    if (last !== undefined && last.level === level) last.parts.push(raw);
    else this.flights.push({ level, parts: [raw] });
    return raw;
  }

  /** Stores a secret and writes its key log line. */
  protected setSecret(name: SecretName, secret: Uint8Array): void {
    // Our own copy, as a plain array: at 32 or 48 bytes it lives on the JS heap (no backing store of its own), and it
    // does not keep a provider's larger buffer alive.
    const value = copyBytes(secret);
    this.lazySecrets?.delete(name);
    this.secrets.set(name, value);
    const label = KEYLOG_LABELS[name];
    if (label !== undefined && this.config.keylog !== undefined && this.clientRandom !== undefined) {
      this.config.keylog(keyLogLine(label, this.clientRandom, value));
    }
  }

  /** Fixes the suite: chooses the transcript hash and creates the key schedule. */
  protected chooseSuite(suite: CipherSuiteParams): void {
    this.suite = suite;
    this.transcript.setHash(suite.hash);
    this.ks ??= new KeySchedule(this.config.provider, suite.hash);
  }

  /**
   * Derives the handshake secrets from the (EC)DHE output (null for psk_ke); the transcript must end with the
   * ServerHello.
   */
  protected deriveHandshakeSecrets(shared: Uint8Array | null): void {
    const ks = this.ks!;
    if (ks.stage === 'init') {
      ks.early(null);
      this.setSecret('early', ks.earlySecret!);
    }
    this.setSecret('handshake', ks.handshake(shared));
    const th = this.transcript.digest();
    this.setSecret('clientHandshake', ks.clientHandshakeTrafficSecret(th));
    this.setSecret('serverHandshake', ks.serverHandshakeTrafficSecret(th));
  }

  /** Derives master and application secrets; the transcript must end with the server Finished. */
  protected deriveApplicationSecrets(): void {
    const ks = this.ks!;
    this.setSecret('master', ks.master());
    const th = this.transcript.digest();
    this.setSecret('clientApplication', ks.clientApplicationTrafficSecret(th));
    this.setSecret('serverApplication', ks.serverApplicationTrafficSecret(th));
    // few connections export keying material: derived on first use (or now, for the key log's EXPORTER_SECRET)
    this.setSecretLazily('exporter', ks.deferredFromMaster('exp master', th));
  }

  /**
   * Prepares the resumption master secret; the transcript must end with the client Finished, its last use. Derived
   * when a ticket is sent or received, or asked for by name.
   */
  protected deriveResumptionSecret(): void {
    this.setSecretLazily('resumption', this.ks!.deferredFromMaster('res master', this.transcript.finish()));
  }

  /** Builds our Finished (base key = our handshake traffic secret) and sends it. */
  protected sendFinished(level: EncryptionLevel, baseKey: Uint8Array): void {
    const vd = finishedVerifyData(this.config.provider, this.suite!.hash, baseKey, this.transcript.digest());
    this.send(level, HandshakeType.finished, encodeFinished({ verifyData: vd }));
  }

  /** Checks the peer's Finished in constant time (decrypt_error on mismatch), then adds it to the transcript. */
  protected receiveFinished(msg: HandshakeMessage, baseKey: Uint8Array): void {
    const { provider } = this.config;
    const fin = parseFinished(msg.body, this.suite!.hashLength);
    const expected = finishedVerifyData(provider, this.suite!.hash, baseKey, this.transcript.digest());
    if (!provider.timingSafeEqual(expected, fin.verifyData)) throw TlsAlert.of('decrypt_error', 'Finished verify_data mismatch');
    this.transcript.update(msg.raw);
  }

  /** Sends Certificate (+ CertificateVerify when `key` is given). */
  protected sendCertificate(
    level: EncryptionLevel,
    context: Uint8Array,
    chain: readonly Uint8Array[],
    extensionsForLeaf: readonly { type: number; data: Uint8Array }[] = [],
  ): void {
    const entries = chain.map((data, i) => ({ data, extensions: i === 0 ? extensionsForLeaf : [] }));
    this.send(level, HandshakeType.certificate, encodeCertificate({ requestContext: context, entries }));
  }

  /** Signs and sends CertificateVerify with `scheme`. */
  protected sendCertificateVerify(level: EncryptionLevel, key: PrivateKey, scheme: SignatureSchemeInfo): void {
    const content = certificateVerifySignedContent(this.transcript.digest(), this.role);
    const signature = this.config.provider.sign(key, scheme.params, content);
    this.send(level, HandshakeType.certificate_verify, encodeCertificateVerify({ scheme: scheme.code, signature }));
  }

  /**
   * Verifies the peer's CertificateVerify against the leaf key: the scheme must be one we offered (illegal_parameter)
   * and fit the key; a bad signature → decrypt_error. Adds the message to the transcript. Returns the scheme.
   */
  protected receiveCertificateVerify(msg: HandshakeMessage, peer: PeerIdentity, offered: readonly number[]): number {
    const cv = parseCertificateVerify(msg.body);
    const scheme = signatureSchemeByCode(cv.scheme);
    if (scheme === undefined || !offered.includes(cv.scheme)) {
      throw TlsAlert.of('illegal_parameter', `CertificateVerify with a signature scheme we did not offer (0x${cv.scheme.toString(16)})`);
    }
    if (!schemeFitsKey(scheme, peer.publicKey)) {
      throw TlsAlert.of('illegal_parameter', `CertificateVerify scheme ${scheme.name} does not fit the ${peer.publicKey.type} key`);
    }
    const peerRole = this.role === 'client' ? 'server' : 'client';
    const content = certificateVerifySignedContent(this.transcript.digest(), peerRole);
    try {
      this.config.provider.verify(peer.publicKey, scheme.params, content, cv.signature);
    } catch (e) {
      if (e instanceof CryptoError) throw TlsAlert.of('decrypt_error', 'CertificateVerify signature does not verify', e);
      throw e;
    }
    this.transcript.update(msg.raw);
    return cv.scheme;
  }

  /**
   * Post-handshake messages (RFC 8446 §4.6) once CONNECTED: NewSessionTicket (client; stored), KeyUpdate (TLS only;
   * QUIC forbids it → unexpected_message). Anything else → unexpected_message.
   */
  protected onPostHandshake(msg: HandshakeMessage): void {
    if (++this.postHandshakeInARow > this.config.maxConsecutivePostHandshake) {
      throw TlsAlert.of('unexpected_message', `more than ${this.config.maxConsecutivePostHandshake} post-handshake messages without application data`);
    }
    if (msg.type === HandshakeType.new_session_ticket && this.role === 'client') {
      this.onNewSessionTicket(parseNewSessionTicket(msg.body));
      return;
    }
    if (msg.type === HandshakeType.key_update && !this.config.quic) {
      const ku = parseKeyUpdate(msg.body);
      this.updatePeerTrafficSecret();
      if (ku.updateRequested) this.sendKeyUpdate(false);
      return;
    }
    throw TlsAlert.of('unexpected_message', `${handshakeTypeName(msg.type)} after the handshake`);
  }

  /** The driver saw non-empty application data: the post-handshake flood counter starts again. */
  applicationDataReceived(): void {
    this.postHandshakeInARow = 0;
  }

  /**
   * Server over TCP: accounts for `length` bytes of 0-RTT application data read under the client early traffic key;
   * beyond max_early_data_size → unexpected_message (RFC 8446 §4.2.10).
   */
  receiveEarlyData(length: number): void {
    if (this.role !== 'server' || this.earlyDataStatus !== 'accepted' || this.readLevel !== 'early') {
      throw TlsAlert.of('unexpected_message', 'early data outside an accepted 0-RTT flight');
    }
    this.earlyDataReceived += length;
    if (this.earlyDataReceived > this.maxEarlyDataSize) {
      throw TlsAlert.of('unexpected_message', `more than max_early_data_size (${this.maxEarlyDataSize}) bytes of early data`);
    }
  }

  /** Client: a NewSessionTicket becomes a {@link TlsSession} (stored, and given to `onSession`). */
  private onNewSessionTicket(ticket: NewSessionTicket): void {
    const c = this.config;
    checkExtensions(ticket.extensions, 'NST');
    const ed = findExtension(ticket.extensions, ExtensionType.early_data);
    const maxEarly = ed === undefined ? 0 : parseMaxEarlyDataSize(ed.data);
    if (c.quic && ed !== undefined && maxEarly !== QUIC_MAX_EARLY_DATA) {
      throw new TlsAlert(47, `QUIC NewSessionTicket with max_early_data_size ${maxEarly} (RFC 9001 §4.6.1 wants 0xffffffff)`, {
        quicTransportError: 0x0a,
      });
    }
    const suite = this.suite!;
    const rms = this.secret('resumption')!;
    // the session's ticket and PSK and the kept nonce in one buffer
    const psk = resumptionPsk(c.provider, suite.hash, rms, ticket.nonce);
    const t = ticket.ticket.length;
    const block = new Uint8Array(t + psk.length + ticket.nonce.length);
    block.set(ticket.ticket);
    block.set(psk, t);
    block.set(ticket.nonce, t + psk.length);
    const session = new TlsSession({
      ticket: block.subarray(0, t),
      psk: block.subarray(t, t + psk.length),
      suite: suite.code,
      lifetime: ticket.lifetime,
      ageAdd: ticket.ageAdd,
      receivedAt: c.clock?.(),
      maxEarlyDataSize: maxEarly,
      alpn: this.alpnProtocol,
      serverName: this.serverName,
      quic: c.quic,
      // the engine's own copy, shared by every session of this connection (none of them changes it)
      transportParameters: this.peerTransportParameters,
      peerCertificate: this.peerCertificates[0],
    });
    // the message as kept: no views into the buffer it arrived in (the ticket bytes are the session's)
    const kept: NewSessionTicket = {
      lifetime: ticket.lifetime,
      ageAdd: ticket.ageAdd,
      nonce: block.subarray(t + psk.length),
      ticket: session.ticket,
      extensions: ticket.extensions.length === 0 ? [] : unpackExtensions(packExtensions(ticket.extensions)),
    };
    this.tickets.push({ ticket: kept, resumptionMasterSecret: rms, suite, session });
    c.onSession?.(session);
  }

  /** Server: sends `count` NewSessionTickets at the application level (none without a clock or a PSK-capable client). */
  protected sendTickets(count: number): void {
    const c = this.config;
    const now = c.clock?.();
    if (now === undefined || !this.ticketsWanted) return;
    const ctx = {
      provider: c.provider,
      random: c.random,
      ticketKeys: ticketKeysOf(c),
      suite: this.suite!,
      resumptionMasterSecret: this.secret('resumption')!,
      now,
      lifetime: c.ticketLifetime,
      maxEarlyData: c.earlyData ? c.maxEarlyData : 0,
      quic: c.quic,
      alpn: this.alpnProtocol,
      serverName: this.serverName,
      appData: c.ticketAppData,
      peerCertificate: this.peerCertificates[0],
    };
    for (let i = 0; i < count; i++) {
      const nst = issueTicket(ctx, this.ticketsIssued);
      if (nst === undefined) return;
      this.ticketsIssued++;
      this.send('application', HandshakeType.new_session_ticket, encodeNewSessionTicket(nst), false);
    }
  }

  /** Server, after the handshake: `post('newSessionTicket')`. */
  postNewSessionTickets(count: number): void {
    if (this.role !== 'server') throw TlsAlert.of('internal_error', 'only a server sends NewSessionTicket');
    if (this.state !== TlsState.CONNECTED) throw TlsAlert.of('internal_error', 'NewSessionTicket before the handshake completed');
    if (this.config.clock === undefined) throw TlsAlert.of('internal_error', 'session tickets need a clock');
    if (!this.ticketsWanted) throw TlsAlert.of('internal_error', 'the client offered no PSK mode we accept: it cannot use tickets');
    this.sendTickets(count);
  }

  /** Sends a KeyUpdate and moves our write secret forward (TLS over TCP only). */
  sendKeyUpdate(requestPeer: boolean): void {
    if (this.config.quic) throw TlsAlert.of('internal_error', 'QUIC does not use TLS KeyUpdate');
    if (this.state !== TlsState.CONNECTED) throw TlsAlert.of('internal_error', 'KeyUpdate before the handshake completed');
    this.send('application', HandshakeType.key_update, encodeKeyUpdate({ updateRequested: requestPeer }), false);
    const name: SecretName = this.role === 'client' ? 'clientApplication' : 'serverApplication';
    this.secrets.set(name, nextTrafficSecret(this.config.provider, this.suite!, this.secrets.get(name)!));
  }

  private updatePeerTrafficSecret(): void {
    const name: SecretName = this.role === 'client' ? 'serverApplication' : 'clientApplication';
    this.secrets.set(name, nextTrafficSecret(this.config.provider, this.suite!, this.secrets.get(name)!));
  }
}
