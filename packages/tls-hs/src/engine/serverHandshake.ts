/**
 * The server side of the TLS 1.3 handshake (RFC 8446 §2, §4): ClientHello → ServerHello [RCVD] (or
 * HelloRetryRequest [START]) → handshake(null): EncryptedExtensions, CertificateRequest?, Certificate,
 * CertificateVerify, Finished [WAIT] → client Certificate?, CertificateVerify?, Finished [CONNECTED].
 * An asynchronous SNICallback parks the handshake in PENDING until its promise settles.
 */
import { TlsAlert } from '../alerts.js';
import { CryptoError } from '../crypto/errors.js';
import type { KeyExchangeGroup } from '../crypto/provider.js';
import type { CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { HandshakeType, ExtensionType, ProtocolVersion, LEGACY_VERSION, handshakeTypeName } from '../wire/constants.js';
import type { HandshakeMessage } from '../wire/handshakeMessage.js';
import { parseClientHello, type ClientHello } from '../wire/clientHello.js';
import { encodeServerHello, HELLO_RETRY_REQUEST_RANDOM } from '../wire/serverHello.js';
import { encodeEncryptedExtensions } from '../wire/encryptedExtensions.js';
import { parseCertificate as parseCertificateMessage } from '../wire/certificate.js';
import { encodeCertificateRequest } from '../wire/certificateRequest.js';
import { findExtension, type Extension } from '../wire/extensions/extensionList.js';
import { checkExtensions } from '../wire/extensions/extensionRules.js';
import { parseServerName } from '../wire/extensions/serverName.js';
import { parseSupportedGroups } from '../wire/extensions/supportedGroups.js';
import { encodeSignatureAlgorithms, encodeSignatureAlgorithmsCert, parseSignatureAlgorithms, parseSignatureAlgorithmsCert } from '../wire/extensions/signatureAlgorithms.js';
import { encodeAlpn, parseAlpn } from '../wire/extensions/applicationLayerProtocolNegotiation.js';
import { encodeSupportedVersionsServer, parseSupportedVersionsClient } from '../wire/extensions/supportedVersions.js';
import { encodeKeyShareHelloRetryRequest, encodeKeyShareServer, parseKeyShareClient, type KeyShareEntry } from '../wire/extensions/keyShare.js';
import { encodeCookie, parseCookie } from '../wire/extensions/cookie.js';
import { quicTransportParametersExtension, quicTransportParametersOf } from '../wire/extensions/quicTransportParameters.js';
import { parsePskKeyExchangeModes } from '../wire/extensions/pskKeyExchangeModes.js';
import { encodePreSharedKeyServer, parsePreSharedKeyClient, truncatedClientHelloLength } from '../wire/extensions/preSharedKey.js';
import { encodeEarlyDataIndication, parseEarlyDataIndication } from '../wire/extensions/earlyData.js';
import { parseEndOfEarlyData } from '../wire/endOfEarlyData.js';
import { PskKeyExchangeMode } from '../wire/constants.js';
import { checkPskBinder, selectPsk, type PskChoice } from '../session/pskSelection.js';
import { decideEarlyData } from '../session/earlyData.js';
import type { PskMode } from '../session/externalPsk.js';
import type { KeySchedule } from '../keyschedule/keySchedule.js';
import { antiReplayOf, ownTransportParameters, ticketKeysOf, type EngineConfig } from './engineConfig.js';
import { HandshakeCore } from './handshakeCore.js';
import { groupByCode, groupCode } from './namedGroups.js';
import { chooseSignatureScheme, type SignatureSchemeInfo } from './signatureSchemes.js';
import { chainSignedWithin, loadCredentials, type LoadedCredentials } from './credentials.js';
import { verifyPeerCertificates, type PeerIdentity } from './peerVerifier.js';
import type { SniResult } from './options.js';
import { CertRequest, TlsState } from './tlsState.js';

type ServerStage =
  | 'wait_ch'
  | 'wait_ch2'
  | 'sni'
  | 'negotiated'
  | 'wait_eoed'
  | 'wait_cert'
  | 'wait_cv'
  | 'wait_finished'
  | 'connected';

/** What the ClientHello processing decided before credentials are chosen. */
interface Negotiation {
  readonly ch: ClientHello;
  readonly raw: Uint8Array;
  readonly suite: CipherSuiteParams;
  /** Group and client share for (EC)DHE; undefined for psk_ke. */
  readonly group: KeyExchangeGroup | undefined;
  readonly share: KeyShareEntry | undefined;
  readonly sigalgs: number[];
  readonly sigalgsCert: number[] | undefined;
  /** The PSK chosen (binder verified), if any. */
  readonly psk: PskChoice | undefined;
  /** Its key schedule at the early stage (from the binder check). */
  readonly pskSchedule: KeySchedule | undefined;
  /** The client offered PSK identities. */
  readonly pskOffered: boolean;
  /** The client sent early_data. */
  readonly earlyOffered: boolean;
}

const MODE_CODES = { psk_dhe_ke: PskKeyExchangeMode.psk_dhe_ke, psk_ke: PskKeyExchangeMode.psk_ke } as const;

const EMPTY = new Uint8Array(0);

function isThenable(v: unknown): v is PromiseLike<SniResult> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Server handshake state machine. */
export class ServerHandshake extends HandshakeCore {
  /** Role. */
  readonly role = 'server' as const;
  /** Settles when a pending SNICallback has settled (resolved immediately otherwise). */
  ready: Promise<void> = Promise.resolve();
  private stage: ServerStage = 'wait_ch';
  private hrrGroup: number | undefined;
  private cookie: Uint8Array | undefined;
  private negotiation: Negotiation | undefined;
  private sniOutcome: { done: boolean; value?: SniResult; error?: unknown } | undefined;
  private credentials: LoadedCredentials | undefined;
  private scheme: SignatureSchemeInfo | undefined;
  private sentCertRequest = false;
  private peer: PeerIdentity | undefined;
  private ackServerName = false;
  private psk: PskChoice | undefined;

  constructor(config: EngineConfig) {
    super(config);
  }

  /** Also drops the server's handshake-only state: credentials in use, the client's identity key, the cookie. */
  protected override releaseHandshakeState(): void {
    super.releaseHandshakeState();
    this.credentials = undefined;
    this.scheme = undefined;
    this.peer = undefined;
    this.cookie = undefined;
  }

  /** handshake(null): resume after a pending SNICallback, or send the flight after the ServerHello. */
  step(): void {
    if (this.stage === 'sni') {
      if (this.sniOutcome !== undefined && !this.sniOutcome.done) return;
      this.finishHello();
      return;
    }
    if (this.stage === 'negotiated') {
      this.sendServerFlight();
      return;
    }
    // nothing to produce in the other stages: handshake(null) just reports the state
  }

  /** Before processing input in RCVD, the flight must go out first (the caller skipped handshake(null)). */
  flushBeforeInput(): void {
    if (this.stage === 'negotiated') this.sendServerFlight();
  }

  protected onMessage(msg: HandshakeMessage): void {
    switch (this.stage) {
      case 'wait_ch':
      case 'wait_ch2':
        return this.expect(msg, HandshakeType.client_hello, () => this.onClientHello(msg));
      case 'wait_eoed':
        return this.expect(msg, HandshakeType.end_of_early_data, () => this.onEndOfEarlyData(msg));
      case 'wait_cert':
        return this.expect(msg, HandshakeType.certificate, () => this.onCertificate(msg));
      case 'wait_cv':
        return this.expect(msg, HandshakeType.certificate_verify, () => this.onCertificateVerify(msg));
      case 'wait_finished':
        return this.expect(msg, HandshakeType.finished, () => this.onFinished(msg));
      case 'connected':
        return this.onPostHandshake(msg);
      default:
        throw TlsAlert.of('unexpected_message', `${handshakeTypeName(msg.type)} while the server is ${this.stage}`);
    }
  }

  private expect(msg: HandshakeMessage, type: number, fn: () => void): void {
    if (msg.type !== type) {
      throw TlsAlert.of('unexpected_message', `expected ${handshakeTypeName(type)}, got ${handshakeTypeName(msg.type)}`);
    }
    fn();
  }

  private onClientHello(msg: HandshakeMessage): void {
    const c = this.config;
    const ch = parseClientHello(msg.body);
    const sv = findExtension(ch.extensions, ExtensionType.supported_versions);
    if (sv === undefined || !parseSupportedVersionsClient(sv.data).includes(ProtocolVersion.TLS1_3)) {
      throw TlsAlert.of('protocol_version', 'client does not offer TLS 1.3');
    }
    checkExtensions(ch.extensions, 'CH');
    // QUIC transport parameters are mandatory in QUIC mode (RFC 9001 §8.2)
    if (c.quic) {
      ownTransportParameters(c); // ours must exist before anything is sent
      this.peerTransportParameters = quicTransportParametersOf(ch.extensions).slice();
    }
    // RFC 9001 §8.4: a QUIC ClientHello has an empty legacy_session_id
    if (c.quic && ch.legacySessionId.length !== 0) {
      throw TlsAlert.of('illegal_parameter', 'QUIC ClientHello with a non-empty legacy_session_id');
    }
    this.peerExtensions = ch.extensions;
    this.clientRandom = ch.random.slice();

    // groups and shares (RFC 8446 §9.2: supported_groups and key_share go together)
    const sgExt = findExtension(ch.extensions, ExtensionType.supported_groups);
    const ksExt = findExtension(ch.extensions, ExtensionType.key_share);
    const saExt = findExtension(ch.extensions, ExtensionType.signature_algorithms);
    if ((sgExt === undefined) !== (ksExt === undefined)) {
      throw TlsAlert.of('missing_extension', 'ClientHello with only one of supported_groups and key_share');
    }
    const clientGroups = sgExt === undefined ? [] : parseSupportedGroups(sgExt.data);
    const shares = ksExt === undefined ? [] : parseKeyShareClient(ksExt.data);
    for (const s of shares) {
      if (!clientGroups.includes(s.group)) throw TlsAlert.of('illegal_parameter', 'key_share for a group not in supported_groups');
    }
    const canDhe = c.groups.some((g) => clientGroups.includes(groupCode(g)));

    // SNI (needed to match tickets)
    const sniExt = findExtension(ch.extensions, ExtensionType.server_name);
    this.serverName = sniExt === undefined ? undefined : parseServerName(sniExt.data).toLowerCase();

    // PSK (RFC 8446 §4.2.11) and early data (§4.2.10)
    const earlyExt = findExtension(ch.extensions, ExtensionType.early_data);
    if (earlyExt !== undefined) {
      parseEarlyDataIndication(earlyExt.data);
      if (this.stage === 'wait_ch2') throw TlsAlert.of('illegal_parameter', 'early_data in the second ClientHello');
    }
    const pskExt = findExtension(ch.extensions, ExtensionType.pre_shared_key);
    const modesExt = findExtension(ch.extensions, ExtensionType.psk_key_exchange_modes);
    const clientModes = modesExt === undefined ? [] : parsePskKeyExchangeModes(modesExt.data);
    this.ticketsWanted = c.pskModes.some((m) => clientModes.includes(MODE_CODES[m]));
    let psk: PskChoice | undefined;
    let pskSchedule: KeySchedule | undefined;
    let mode: PskMode | undefined;
    if (pskExt !== undefined) {
      if (modesExt === undefined) throw TlsAlert.of('missing_extension', 'pre_shared_key without psk_key_exchange_modes');
      const prefix = msg.raw.subarray(0, truncatedClientHelloLength(msg.raw)); // also: pre_shared_key must be last
      const offered = parsePreSharedKeyClient(pskExt.data);
      mode = c.pskModes.find((m) => clientModes.includes(MODE_CODES[m]) && (m === 'psk_ke' || canDhe));
      if (mode !== undefined) {
        psk = selectPsk({
          provider: c.provider,
          offered,
          suites: c.suites,
          clientSuites: ch.cipherSuites,
          fixedSuite: this.stage === 'wait_ch2' ? this.suite : undefined,
          psks: c.psks,
          pskCallback: c.pskCallback,
          ticketKeys: c.clock === undefined ? undefined : ticketKeysOf(c),
          now: c.clock?.(),
          tolerance: c.ticketAgeTolerance,
          serverName: this.serverName,
          acceptTicket: c.acceptTicket,
        });
      }
      if (psk !== undefined) {
        const th = this.stage === 'wait_ch2' ? this.transcript.digestWith(prefix) : c.provider.hash(psk.suite.hash, prefix);
        pskSchedule = checkPskBinder(c.provider, psk, th);
      }
    }

    // cipher suite: the PSK's, else server preference
    const suite = psk?.suite ?? c.suites.find((s) => ch.cipherSuites.includes(s.code));
    if (suite === undefined) throw TlsAlert.of('handshake_failure', 'no cipher suite in common');
    if (psk === undefined && saExt === undefined) throw TlsAlert.of('missing_extension', 'ClientHello without signature_algorithms');
    const sigalgs = saExt === undefined ? [] : parseSignatureAlgorithms(saExt.data);
    const sacExt = findExtension(ch.extensions, ExtensionType.signature_algorithms_cert);
    const sigalgsCert = sacExt === undefined ? undefined : parseSignatureAlgorithmsCert(sacExt.data);

    if (this.stage === 'wait_ch2') {
      if (this.suite !== suite) throw TlsAlert.of('illegal_parameter', 'second ClientHello changed the cipher suite choice');
      if (this.hrrGroup !== undefined && (shares.length !== 1 || shares[0].group !== this.hrrGroup)) {
        throw TlsAlert.of('illegal_parameter', 'second ClientHello does not carry exactly the requested key share');
      }
      const ck = findExtension(ch.extensions, ExtensionType.cookie);
      if (this.cookie !== undefined) {
        if (ck === undefined) throw TlsAlert.of('missing_extension', 'second ClientHello without the cookie');
        if (!c.provider.timingSafeEqual(parseCookie(ck.data), this.cookie)) {
          throw TlsAlert.of('illegal_parameter', 'second ClientHello echoes a different cookie');
        }
      }
    }

    // choose the group (not for psk_ke): the most preferred of ours the client sent a share for; else HRR for the
    // most preferred group both support
    let chosen: { group: KeyExchangeGroup | undefined; share: KeyShareEntry | undefined } = { group: undefined, share: undefined };
    if (psk === undefined || mode === 'psk_dhe_ke') {
      if (sgExt === undefined) throw TlsAlert.of('missing_extension', 'ClientHello without supported_groups/key_share and no usable PSK');
      for (const g of c.groups) {
        const share = shares.find((s) => s.group === groupCode(g));
        if (share !== undefined) {
          chosen = { group: g, share };
          break;
        }
      }
      if (chosen.group === undefined) {
        const g = c.groups.find((x) => clientGroups.includes(groupCode(x)));
        if (g === undefined) throw TlsAlert.of('handshake_failure', 'no key exchange group in common');
        if (this.stage === 'wait_ch2') throw TlsAlert.of('illegal_parameter', 'second ClientHello still without a usable share');
        if (earlyExt !== undefined) this.rejectEarlyData('hello-retry');
        this.sendHelloRetryRequest(ch, msg.raw, suite, groupCode(g));
        return;
      }
    }

    // ALPN (RFC 7301 §3.2; RFC 9001 §8.1)
    const alpnExt = findExtension(ch.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpnExt !== undefined && c.alpn.length > 0) {
      const offered = parseAlpn(alpnExt.data);
      const p = c.alpn.find((x) => offered.includes(x));
      if (p === undefined) throw TlsAlert.of('no_application_protocol', `none of the client's ALPN protocols is served`);
      this.alpnProtocol = p;
    } else if (alpnExt === undefined && c.quic && c.alpn.length > 0) {
      throw TlsAlert.of('no_application_protocol', 'QUIC client offered no application protocol');
    }

    if (psk !== undefined) this.pskMode = mode;
    this.negotiation = {
      ch,
      raw: msg.raw,
      suite,
      group: chosen.group,
      share: chosen.share,
      sigalgs,
      sigalgsCert,
      psk,
      pskSchedule,
      pskOffered: pskExt !== undefined,
      earlyOffered: earlyExt !== undefined,
    };
    this.stage = 'sni';
    if (c.sniCallback !== undefined) {
      let r: SniResult | PromiseLike<SniResult>;
      try {
        r = c.sniCallback(this.serverName ?? '');
      } catch (e) {
        throw TlsAlert.of('unrecognized_name', `SNICallback refused "${this.serverName ?? ''}"`, e);
      }
      if (isThenable(r)) {
        const outcome: { done: boolean; value?: SniResult; error?: unknown } = { done: false };
        this.sniOutcome = outcome;
        this.ready = Promise.resolve(r).then(
          (value) => {
            outcome.done = true;
            outcome.value = value;
          },
          (error: unknown) => {
            outcome.done = true;
            outcome.error = error ?? new Error('SNICallback rejected');
          },
        );
        this.state = TlsState.PENDING;
        return;
      }
      this.sniOutcome = { done: true, value: r };
    }
    this.finishHello();
  }

  /** After SNI: choose credentials, answer the key share, send the ServerHello. */
  private finishHello(): void {
    const c = this.config;
    const n = this.negotiation!;
    const outcome = this.sniOutcome;
    this.sniOutcome = undefined;
    if (outcome?.error !== undefined) {
      throw TlsAlert.of('unrecognized_name', `SNICallback refused "${this.serverName ?? ''}"`, outcome.error);
    }
    const fromSni = outcome?.value ?? undefined;
    if (c.strictSni && this.serverName !== undefined && fromSni === undefined && !c.serverNames.includes(this.serverName)) {
      throw TlsAlert.of('unrecognized_name', `no certificate for "${this.serverName}"`);
    }
    this.ackServerName = this.serverName !== undefined;
    if (n.psk === undefined) this.chooseCredentials(n, fromSni);
    this.respondToHello(n);
  }

  /** Certificate authentication: the chain (from SNICallback or the default) whose key the client can verify. */
  private chooseCredentials(n: Negotiation, fromSni: SniResult): void {
    const c = this.config;
    const candidates: LoadedCredentials[] = [];
    if (fromSni !== undefined && fromSni !== null) candidates.push(loadCredentials(c.provider, fromSni.cert, fromSni.key));
    if (c.cert !== undefined && c.key !== undefined) candidates.push(loadCredentials(c.provider, c.cert, c.key));
    if (candidates.length === 0) {
      if (c.psks.length > 0 || c.pskCallback !== undefined) {
        if (n.pskOffered) throw TlsAlert.of('unknown_psk_identity', 'none of the offered PSK identities is known');
        throw TlsAlert.of('handshake_failure', 'PSK-only server and the client offered no PSK');
      }
      throw TlsAlert.of('internal_error', 'server has no certificate');
    }
    // a chain whose CertificateVerify scheme the client accepts; among those, prefer one whose certificate
    // signatures are all in signature_algorithms_cert (or signature_algorithms), else the first (RFC 8446 §4.4.2.2)
    const certAlgs = n.sigalgsCert ?? n.sigalgs;
    let fallback: { cand: LoadedCredentials; scheme: SignatureSchemeInfo } | undefined;
    for (const cand of candidates) {
      const scheme = chooseSignatureScheme(cand.key, n.sigalgs, c.sigalgs);
      if (scheme === undefined) continue;
      fallback ??= { cand, scheme };
      if (chainSignedWithin(cand.chain, certAlgs)) {
        fallback = { cand, scheme };
        break;
      }
    }
    if (fallback !== undefined) {
      this.credentials = fallback.cand;
      this.scheme = fallback.scheme;
    }
    if (this.credentials === undefined) {
      throw TlsAlert.of('handshake_failure', 'no certificate fits the client\'s signature_algorithms');
    }
  }

  /** Key share answer, PSK early secrets, 0-RTT decision and the ServerHello. */
  private respondToHello(n: Negotiation): void {
    const c = this.config;
    let response: { publicKey: Uint8Array; sharedSecret: Uint8Array } | undefined;
    if (n.group !== undefined) {
      try {
        response = c.provider.respondKeyShare(n.group, n.share!.keyExchange);
      } catch (e) {
        if (e instanceof CryptoError) throw TlsAlert.of('illegal_parameter', `invalid client key share: ${e.message}`, e);
        throw e;
      }
      this.group = n.group;
    }
    if (this.suite === undefined) this.chooseSuite(n.suite);
    this.transcript.update(n.raw);
    const ext: Extension[] = [];
    if (response !== undefined) {
      ext.push({ type: ExtensionType.key_share, data: encodeKeyShareServer({ group: groupCode(n.group!), keyExchange: response.publicKey }) });
    }
    ext.push({ type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(ProtocolVersion.TLS1_3) });
    if (n.psk !== undefined) {
      ext.push({ type: ExtensionType.pre_shared_key, data: encodePreSharedKeyServer(n.psk.index) });
      this.usePsk(n.psk, n.pskSchedule!, n.earlyOffered);
    } else if (n.earlyOffered) {
      this.rejectEarlyData('ticket'); // no PSK (unknown, forged, expired ticket): nothing to take early data with
    }
    const sh = {
      legacyVersion: LEGACY_VERSION,
      random: c.random(32),
      legacySessionIdEcho: n.ch.legacySessionId,
      cipherSuite: n.suite.code,
      extensions: ext,
    };
    this.send('initial', HandshakeType.server_hello, encodeServerHello(sh));
    this.deriveHandshakeSecrets(response?.sharedSecret ?? null);
    this.negotiation = undefined;
    // over TCP accepted 0-RTT records (and EndOfEarlyData) come under the client early traffic key first
    this.readLevel = this.earlyDataStatus === 'accepted' && !c.quic ? 'early' : 'handshake';
    this.stage = 'negotiated';
    this.state = TlsState.RCVD;
  }

  /** Starts the key schedule from the chosen PSK (transcript = ClientHello) and decides on 0-RTT. */
  private usePsk(psk: PskChoice, ks: KeySchedule, earlyOffered: boolean): void {
    const c = this.config;
    this.psk = psk;
    this.pskIdentity = psk.ticket === undefined ? psk.external!.identity : undefined;
    this.resumed = psk.ticket !== undefined;
    if (psk.ticket !== undefined) {
      const t = psk.ticket.state;
      this.sessionAppData = t.appData;
      if (t.peerCertificate !== undefined) this.peerCertificates = [t.peerCertificate];
    }
    this.ks = ks; // the schedule that checked the binder goes on (its early secret is the PSK's)
    this.setSecret('early', ks.earlySecret!);
    const th = this.transcript.digest();
    if (!this.helloRetried) this.setSecretLazily('earlyExporter', () => ks.earlyExporterMasterSecret(th));
    if (!earlyOffered) return;
    const rejection = decideEarlyData({
      enabled: c.earlyData,
      helloRetried: this.helloRetried,
      pskIndex: psk.index,
      ticket: psk.ticket?.state,
      ticketId: psk.ticket?.id,
      binder: psk.binder,
      obfuscatedAge: psk.obfuscatedAge,
      suite: this.suite!.code,
      alpn: this.alpnProtocol,
      quic: c.quic,
      now: c.clock?.() ?? 0,
      tolerance: c.ticketAgeTolerance,
      accept: c.acceptEarlyData,
      antiReplay: antiReplayOf(c),
    });
    if (rejection !== undefined) {
      this.rejectEarlyData(rejection);
      return;
    }
    this.earlyDataStatus = 'accepted';
    this.maxEarlyDataSize = psk.ticket!.state.maxEarlyDataSize;
    this.setSecret('clientEarly', ks.clientEarlyTrafficSecret(th));
  }

  /** Refuses offered early data; over TCP the driver skips up to max_early_data_size of undecryptable records. */
  private rejectEarlyData(reason: NonNullable<ServerHandshake['earlyDataRejection']>): void {
    this.earlyDataStatus = 'rejected';
    this.earlyDataRejection = reason;
    this.maxEarlyDataSize = this.config.quic ? 0 : this.config.maxEarlyData;
  }

  private sendHelloRetryRequest(ch: ClientHello, raw: Uint8Array, suite: CipherSuiteParams, group: number): void {
    this.chooseSuite(suite);
    this.transcript.update(raw);
    this.transcript.replaceWithMessageHash();
    const ext: Extension[] = [
      { type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(ProtocolVersion.TLS1_3) },
      { type: ExtensionType.key_share, data: encodeKeyShareHelloRetryRequest(group) },
    ];
    if (this.config.hrrCookie) {
      this.cookie = this.config.random(32);
      ext.push({ type: ExtensionType.cookie, data: encodeCookie(this.cookie) });
    }
    const hrr = {
      legacyVersion: LEGACY_VERSION,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.code,
      extensions: ext,
    };
    this.send('initial', HandshakeType.server_hello, encodeServerHello(hrr));
    this.hrrGroup = group;
    this.helloRetried = true;
    this.stage = 'wait_ch2';
    this.state = TlsState.START;
  }

  private sendServerFlight(): void {
    const c = this.config;
    // the configured extra extensions first, in their order, then the engine's own (which win on a type clash)
    const own: Extension[] = [];
    if (this.ackServerName) own.push({ type: ExtensionType.server_name, data: EMPTY });
    if (this.alpnProtocol !== undefined) {
      own.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn([this.alpnProtocol]) });
    }
    if (this.earlyDataStatus === 'accepted') own.push({ type: ExtensionType.early_data, data: encodeEarlyDataIndication() });
    if (c.quic) own.push(quicTransportParametersExtension(ownTransportParameters(c)));
    const ext: Extension[] = c.extensions.filter((e) => !own.some((x) => x.type === e.type));
    ext.push(...own);
    this.send('handshake', HandshakeType.encrypted_extensions, encodeEncryptedExtensions({ extensions: ext }));
    // a PSK handshake authenticates with the PSK: no CertificateRequest, Certificate or CertificateVerify
    if (this.psk === undefined) {
      if (c.certRequest !== CertRequest.NONE) {
        const crExt: Extension[] = [{ type: ExtensionType.signature_algorithms, data: encodeSignatureAlgorithms(c.sigalgs) }];
        if (c.sigalgsCert !== undefined) {
          crExt.push({ type: ExtensionType.signature_algorithms_cert, data: encodeSignatureAlgorithmsCert(c.sigalgsCert) });
        }
        this.send('handshake', HandshakeType.certificate_request, encodeCertificateRequest({ requestContext: EMPTY, extensions: crExt }));
        this.sentCertRequest = true;
      }
      this.sendCertificate('handshake', EMPTY, this.credentials!.chain);
      this.sendCertificateVerify('handshake', this.credentials!.key, this.scheme!);
      this.signatureScheme = this.scheme!.code;
    }
    this.sendFinished('handshake', this.secrets.get('serverHandshake')!);
    this.deriveApplicationSecrets();
    if (this.readLevel === 'early') this.stage = 'wait_eoed';
    else this.stage = this.sentCertRequest ? 'wait_cert' : 'wait_finished';
    this.state = TlsState.WAIT;
  }

  private onEndOfEarlyData(msg: HandshakeMessage): void {
    parseEndOfEarlyData(msg.body);
    this.transcript.update(msg.raw);
    this.readLevel = 'handshake';
    this.stage = 'wait_finished';
  }

  private onCertificate(msg: HandshakeMessage): void {
    const cert = parseCertificateMessage(msg.body);
    if (cert.requestContext.length !== 0) throw TlsAlert.of('illegal_parameter', 'client Certificate with a wrong context');
    for (const e of cert.entries) checkExtensions(e.extensions, 'CT', new Set());
    this.transcript.update(msg.raw);
    if (cert.entries.length === 0) {
      if (this.config.certRequest === CertRequest.REQUIRED) {
        throw TlsAlert.of('certificate_required', 'client sent no certificate');
      }
      this.stage = 'wait_finished';
      return;
    }
    const chain = cert.entries.map((e) => e.data.slice());
    this.peerCertificates = chain;
    this.peer = verifyPeerCertificates(this.config, chain, 'clientAuth', undefined);
    this.stage = 'wait_cv';
  }

  private onCertificateVerify(msg: HandshakeMessage): void {
    this.clientSignatureScheme = this.receiveCertificateVerify(msg, this.peer!, this.config.sigalgs);
    this.stage = 'wait_finished';
  }

  private onFinished(msg: HandshakeMessage): void {
    this.receiveFinished(msg, this.secrets.get('clientHandshake')!);
    this.deriveResumptionSecret();
    this.readLevel = 'application';
    this.stage = 'connected';
    this.state = TlsState.CONNECTED;
    this.releaseHandshakeState();
    const c = this.config;
    const ticket = this.psk?.ticket;
    const count = ticket === undefined ? c.ticketCount : Math.max(c.resumedTicketCount, ticket.action === 'renew' ? 1 : 0);
    this.sendTickets(count);
  }
}
