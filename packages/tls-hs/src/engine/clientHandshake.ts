/**
 * The client side of the TLS 1.3 handshake (RFC 8446 §2, §4): ClientHello → (HelloRetryRequest → ClientHello2) →
 * ServerHello [RCVD] → EncryptedExtensions, CertificateRequest?, Certificate, CertificateVerify, Finished
 * [CONNECTED, our Certificate?/CertificateVerify?/Finished in out].
 */
import { TlsAlert } from '../alerts.js';
import { CryptoError } from '../crypto/errors.js';
import type { HashAlgorithm, KeyShare } from '../crypto/provider.js';
import { cipherSuiteByCode } from '../keyschedule/cipherSuite.js';
import { HandshakeType, ExtensionType, PskKeyExchangeMode, ProtocolVersion, LEGACY_VERSION, handshakeTypeName } from '../wire/constants.js';
import type { HandshakeMessage } from '../wire/handshakeMessage.js';
import { encodeClientHello, type ClientHello } from '../wire/clientHello.js';
import { parseServerHello, isHelloRetryRequest, downgradeSentinel, type ServerHello } from '../wire/serverHello.js';
import { parseEncryptedExtensions } from '../wire/encryptedExtensions.js';
import { parseCertificate as parseCertificateMessage } from '../wire/certificate.js';
import { parseCertificateRequest } from '../wire/certificateRequest.js';
import { findExtension, type Extension } from '../wire/extensions/extensionList.js';
import { checkExtensions } from '../wire/extensions/extensionRules.js';
import { encodeServerName, isValidSniHostName, parseServerNameAck } from '../wire/extensions/serverName.js';
import { encodeSupportedGroups } from '../wire/extensions/supportedGroups.js';
import { encodeSignatureAlgorithms, encodeSignatureAlgorithmsCert, parseSignatureAlgorithms } from '../wire/extensions/signatureAlgorithms.js';
import { encodeAlpn, parseAlpnSelected } from '../wire/extensions/applicationLayerProtocolNegotiation.js';
import { encodeSupportedVersionsClient, parseSupportedVersionsServer } from '../wire/extensions/supportedVersions.js';
import { encodeKeyShareClient, parseKeyShareHelloRetryRequest, parseKeyShareServer } from '../wire/extensions/keyShare.js';
import { encodePskKeyExchangeModes } from '../wire/extensions/pskKeyExchangeModes.js';
import { encodeCookie, parseCookie } from '../wire/extensions/cookie.js';
import { encodeEarlyDataIndication, parseEarlyDataIndication } from '../wire/extensions/earlyData.js';
import { parsePreSharedKeyServer } from '../wire/extensions/preSharedKey.js';
import { encodeEndOfEarlyData } from '../wire/endOfEarlyData.js';
import { encodeHandshake } from '../wire/handshakeMessage.js';
import { fillBinders, pskOffer, preSharedKeyPlaceholder, type OfferedPsk } from '../session/pskOffer.js';
import { quicTransportParametersExtension, quicTransportParametersOf } from '../wire/extensions/quicTransportParameters.js';
import { ownTransportParameters, type EngineConfig } from './engineConfig.js';
import { HandshakeCore } from './handshakeCore.js';
import { groupByCode, groupCode } from './namedGroups.js';
import { chooseSignatureScheme } from './signatureSchemes.js';
import { loadCredentials, type LoadedCredentials } from './credentials.js';
import { verifyPeerCertificates, type PeerIdentity } from './peerVerifier.js';
import { TlsState } from './tlsState.js';

type ClientStage = 'start' | 'wait_sh' | 'wait_ee' | 'wait_cert_cr' | 'wait_cert' | 'wait_cv' | 'wait_finished' | 'connected';

const MODE_CODES = { psk_dhe_ke: PskKeyExchangeMode.psk_dhe_ke, psk_ke: PskKeyExchangeMode.psk_ke } as const;

const EMPTY = new Uint8Array(0);
/** What a connected client keeps in place of its offer and key shares (never read or changed once connected). */
const NOTHING_OFFERED: ReadonlySet<number> = new Set<number>();
const NO_SHARES: ReadonlyMap<number, KeyShare> = new Map<number, KeyShare>();

/** True for an IPv4 or IPv6 literal (no SNI is sent for those, RFC 6066 §3). */
export function isIpLiteral(host: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true;
  return host.includes(':');
}

/** Client handshake state machine. */
export class ClientHandshake extends HandshakeCore {
  /** Role. */
  readonly role = 'client' as const;
  private stage: ClientStage = 'start';
  private shares = new Map<number, KeyShare>();
  private sessionId: Uint8Array = EMPTY;
  private offered = new Set<number>();
  private hrrSuite: number | undefined;
  private cookie: Uint8Array | undefined;
  private baseExtensions: Extension[] = [];
  private certRequest: { context: Uint8Array; sigalgs: number[] } | undefined;
  private peer: PeerIdentity | undefined;
  private random: Uint8Array = EMPTY;
  /** The PSKs offered in the current ClientHello. */
  private offer: OfferedPsk[] = [];
  /** The PSK the server selected. */
  private selected: OfferedPsk | undefined;
  /** The first ClientHello as sent (early exporter). */
  private firstHello: Uint8Array | undefined;

  constructor(config: EngineConfig) {
    super(config);
  }

  /** handshake(null): produce the ClientHello (first call); later calls produce nothing. */
  step(): void {
    if (this.stage !== 'start') return; // nothing to produce: handshake(null) just reports the state
    const c = this.config;
    this.random = c.random(32);
    this.clientRandom = this.random;
    this.sessionId = c.quic ? EMPTY : c.random(32);
    const ext: Extension[] = [];
    if (c.servername !== undefined && c.servername.length > 0 && !isIpLiteral(c.servername)) {
      const name = c.servername.endsWith('.') ? c.servername.slice(0, -1) : c.servername;
      if (!isValidSniHostName(name)) throw TlsAlert.of('internal_error', `servername "${c.servername}" is not a valid host name`);
      ext.push({ type: ExtensionType.server_name, data: encodeServerName(name) });
      this.serverName = name;
    }
    this.offer = this.currentOffer(undefined);
    // a client that offers only psk_ke declares it wants no (EC)DHE: no key shares when it has a PSK to offer
    const dhe = c.pskModes.includes('psk_dhe_ke') || this.offer.length === 0;
    ext.push({ type: ExtensionType.supported_versions, data: encodeSupportedVersionsClient([ProtocolVersion.TLS1_3]) });
    if (dhe) ext.push({ type: ExtensionType.supported_groups, data: encodeSupportedGroups(c.groups.map(groupCode)) });
    ext.push({ type: ExtensionType.signature_algorithms, data: encodeSignatureAlgorithms(c.sigalgs) });
    if (c.sigalgsCert !== undefined) {
      ext.push({ type: ExtensionType.signature_algorithms_cert, data: encodeSignatureAlgorithmsCert(c.sigalgsCert) });
    }
    if (c.alpn.length > 0) ext.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn(c.alpn) });
    ext.push({ type: ExtensionType.psk_key_exchange_modes, data: encodePskKeyExchangeModes(c.pskModes.map((m) => MODE_CODES[m])) });
    if (c.quic) ext.push(quicTransportParametersExtension(ownTransportParameters(c)));
    for (const e of c.extensions) {
      if (c.quic && e.type === ExtensionType.quic_transport_parameters) continue; // sent above
      if (ext.some((x) => x.type === e.type) || e.type === ExtensionType.key_share || e.type === ExtensionType.pre_shared_key ||
          e.type === ExtensionType.early_data || e.type === ExtensionType.cookie) {
        throw TlsAlert.of('internal_error', `extra extension ${e.type} collides with one the engine sends`);
      }
      ext.push(e);
    }
    this.baseExtensions = ext;
    if (dhe) for (const g of c.keyShares) this.shares.set(groupCode(g), c.provider.generateKeyShare(g));
    const early = c.earlyData && this.offer[0]?.session?.allowsEarlyData(c.quic) === true;
    this.firstHello = this.sendClientHello(early);
    if (early) this.startEarlyData(this.offer[0]);
    this.stage = 'wait_sh';
    this.state = TlsState.START;
  }

  /** The PSKs to offer now (after an HRR: only those of the HRR suite's hash). */
  private currentOffer(hash: HashAlgorithm | undefined): OfferedPsk[] {
    const c = this.config;
    return pskOffer({ provider: c.provider, session: c.session, psks: c.psks, suites: c.suites, serverName: this.serverName, now: c.clock?.(), hash });
  }

  /** Sends a ClientHello: base extensions, key_share, cookie, early_data, and pre_shared_key last with its binders. */
  private sendClientHello(early: boolean): Uint8Array {
    const ext = [...this.baseExtensions];
    if (this.shares.size > 0) {
      const entries = [...this.shares].map(([group, share]) => ({ group, keyExchange: share.publicKey }));
      ext.push({ type: ExtensionType.key_share, data: encodeKeyShareClient(entries) });
    }
    if (this.cookie !== undefined) ext.push({ type: ExtensionType.cookie, data: encodeCookie(this.cookie) });
    if (early) ext.push({ type: ExtensionType.early_data, data: encodeEarlyDataIndication() });
    if (this.offer.length > 0) ext.push(preSharedKeyPlaceholder(this.offer, this.config.provider));
    this.offered = new Set(ext.map((e) => e.type));
    const ch: ClientHello = {
      legacyVersion: LEGACY_VERSION,
      random: this.random,
      legacySessionId: this.sessionId,
      cipherSuites: this.config.suites.map((s) => s.code),
      extensions: ext,
    };
    const raw = encodeHandshake(HandshakeType.client_hello, encodeClientHello(ch));
    if (this.offer.length > 0) {
      const { provider } = this.config;
      fillBinders(provider, raw, this.offer, (hash, prefix) =>
        this.transcript.hash === undefined ? provider.hash(hash, prefix) : this.transcript.digestWith(prefix));
    }
    return this.sendRaw('initial', raw);
  }

  /** 0-RTT offered with the session's PSK: client_early_traffic_secret and the early exporter from Hash(ClientHello). */
  private startEarlyData(psk: OfferedPsk): void {
    const { provider } = this.config;
    const ks = psk.schedule;
    this.setSecret('early', ks.earlySecret!);
    const th = provider.hash(psk.hash, this.firstHello!);
    this.setSecret('clientEarly', ks.clientEarlyTrafficSecret(th));
    this.setSecretLazily('earlyExporter', () => ks.earlyExporterMasterSecret(th));
    this.earlyDataStatus = 'offered';
    this.maxEarlyDataSize = psk.session!.maxEarlyDataSize;
  }

  protected onMessage(msg: HandshakeMessage): void {
    switch (this.stage) {
      case 'wait_sh':
        return this.expect(msg, HandshakeType.server_hello, () => this.onServerHello(msg));
      case 'wait_ee':
        return this.expect(msg, HandshakeType.encrypted_extensions, () => this.onEncryptedExtensions(msg));
      case 'wait_cert_cr':
        if (msg.type === HandshakeType.certificate_request) return this.onCertificateRequest(msg);
        return this.expect(msg, HandshakeType.certificate, () => this.onCertificate(msg));
      case 'wait_cert':
        return this.expect(msg, HandshakeType.certificate, () => this.onCertificate(msg));
      case 'wait_cv':
        return this.expect(msg, HandshakeType.certificate_verify, () => this.onCertificateVerify(msg));
      case 'wait_finished':
        return this.expect(msg, HandshakeType.finished, () => this.onFinished(msg));
      case 'connected':
        return this.onPostHandshake(msg);
      default:
        throw TlsAlert.of('unexpected_message', `${handshakeTypeName(msg.type)} before the ClientHello was sent`);
    }
  }

  private expect(msg: HandshakeMessage, type: number, fn: () => void): void {
    if (msg.type !== type) {
      throw TlsAlert.of('unexpected_message', `expected ${handshakeTypeName(type)}, got ${handshakeTypeName(msg.type)}`);
    }
    fn();
  }

  private onServerHello(msg: HandshakeMessage): void {
    const sh = parseServerHello(msg.body);
    if (isHelloRetryRequest(sh)) return this.onHelloRetryRequest(msg, sh);
    const svExt = findExtension(sh.extensions, ExtensionType.supported_versions);
    if (svExt === undefined) {
      if (downgradeSentinel(sh.random) !== undefined) {
        throw TlsAlert.of('illegal_parameter', 'ServerHello carries a TLS downgrade sentinel');
      }
      throw TlsAlert.of('protocol_version', 'server did not select TLS 1.3 (no supported_versions)');
    }
    this.commonHelloChecks(sh, 'SH');
    const share = findExtension(sh.extensions, ExtensionType.key_share);
    const suite = cipherSuiteByCode(sh.cipherSuite)!;
    if (this.hrrSuite !== undefined && this.hrrSuite !== sh.cipherSuite) {
      throw TlsAlert.of('illegal_parameter', 'ServerHello cipher suite differs from the HelloRetryRequest');
    }
    const pskExt = findExtension(sh.extensions, ExtensionType.pre_shared_key);
    if (pskExt !== undefined) this.acceptSelectedPsk(parsePreSharedKeyServer(pskExt.data), suite, share !== undefined);
    else if (this.earlyDataStatus === 'offered') this.earlyDataStatus = 'rejected';
    let shared: Uint8Array | null = null;
    if (share !== undefined) {
      const entry = parseKeyShareServer(share.data);
      const ours = this.shares.get(entry.group);
      if (ours === undefined) throw TlsAlert.of('illegal_parameter', `ServerHello key_share for a group we did not share (0x${entry.group.toString(16)})`);
      try {
        shared = ours.complete(entry.keyExchange);
      } catch (e) {
        if (e instanceof CryptoError) throw TlsAlert.of('illegal_parameter', `invalid server key share: ${e.message}`, e);
        throw e;
      }
      this.group = groupByCode(entry.group);
    } else if (this.selected === undefined) {
      throw TlsAlert.of('missing_extension', 'ServerHello without key_share');
    }
    if (this.selected !== undefined) {
      // the schedule that computed the binder holds the PSK's early secret already
      const ks = this.selected.schedule;
      this.ks = ks;
      this.setSecret('early', ks.earlySecret!);
      if (!this.helloRetried && this.earlyDataStatus !== 'offered') {
        const hello = this.firstHello!;
        this.setSecretLazily('earlyExporter', () => ks.earlyExporterMasterSecret(this.config.provider.hash(suite.hash, hello)));
      }
    }
    this.chooseSuite(suite);
    this.transcript.update(msg.raw);
    this.deriveHandshakeSecrets(shared);
    this.shares.clear();
    this.readLevel = 'handshake';
    this.stage = 'wait_ee';
    this.state = TlsState.RCVD;
  }

  /**
   * The server chose PSK `index` (RFC 8446 §4.2.11): it must be one we offered, of the suite's hash, in a mode we
   * offered (key_share in the ServerHello ⇔ psk_dhe_ke). 0-RTT only survives with the first PSK.
   */
  private acceptSelectedPsk(index: number, suite: { hash: string }, withShare: boolean): void {
    const psk = this.offer[index];
    if (psk === undefined) throw TlsAlert.of('illegal_parameter', `ServerHello selected PSK ${index} of ${this.offer.length} offered`);
    if (psk.hash !== suite.hash) throw TlsAlert.of('illegal_parameter', 'ServerHello suite hash differs from the selected PSK\'s');
    const mode = withShare ? 'psk_dhe_ke' : 'psk_ke';
    if (!this.config.pskModes.includes(mode)) throw TlsAlert.of('illegal_parameter', `server used PSK mode ${mode} we did not offer`);
    this.selected = psk;
    this.pskMode = mode;
    this.pskIdentity = psk.identity;
    this.resumed = psk.kind === 'resumption';
    if (psk.session?.peerCertificate !== undefined) this.peerCertificates = [psk.session.peerCertificate];
    if (this.earlyDataStatus === 'offered' && index !== 0) this.earlyDataStatus = 'rejected';
  }

  /** Checks shared by ServerHello and HelloRetryRequest. */
  private commonHelloChecks(sh: ServerHello, context: 'SH' | 'HRR'): void {
    if (!this.config.provider.timingSafeEqual(sh.legacySessionIdEcho, this.sessionId)) {
      throw TlsAlert.of('illegal_parameter', 'legacy_session_id_echo does not match');
    }
    if (!this.config.suites.some((s) => s.code === sh.cipherSuite)) {
      throw TlsAlert.of('illegal_parameter', `server chose a cipher suite we did not offer (0x${sh.cipherSuite.toString(16)})`);
    }
    checkExtensions(sh.extensions, context, this.offered);
    const v = parseSupportedVersionsServer(findExtension(sh.extensions, ExtensionType.supported_versions)!.data);
    if (v !== ProtocolVersion.TLS1_3) throw TlsAlert.of('illegal_parameter', `server selected version 0x${v.toString(16)}`);
  }

  private onHelloRetryRequest(msg: HandshakeMessage, hrr: ServerHello): void {
    if (this.helloRetried) throw TlsAlert.of('unexpected_message', 'second HelloRetryRequest');
    if (findExtension(hrr.extensions, ExtensionType.supported_versions) === undefined) {
      throw TlsAlert.of('missing_extension', 'HelloRetryRequest without supported_versions');
    }
    this.commonHelloChecks(hrr, 'HRR');
    const ks = findExtension(hrr.extensions, ExtensionType.key_share);
    const ck = findExtension(hrr.extensions, ExtensionType.cookie);
    if (ks === undefined && ck === undefined) {
      throw TlsAlert.of('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    }
    let newGroup: number | undefined;
    if (ks !== undefined) {
      newGroup = parseKeyShareHelloRetryRequest(ks.data);
      const g = groupByCode(newGroup);
      if (g === undefined || !this.config.groups.includes(g)) {
        throw TlsAlert.of('illegal_parameter', `HelloRetryRequest selected a group we do not support (0x${newGroup.toString(16)})`);
      }
      if (this.shares.has(newGroup)) {
        throw TlsAlert.of('illegal_parameter', 'HelloRetryRequest selected a group we already sent a share for');
      }
    }
    this.cookie = ck === undefined ? undefined : parseCookie(ck.data);
    this.helloRetried = true;
    this.hrrSuite = hrr.cipherSuite;
    this.chooseSuite(cipherSuiteByCode(hrr.cipherSuite)!);
    this.transcript.replaceWithMessageHash();
    this.transcript.update(msg.raw);
    if (newGroup !== undefined) {
      this.shares.clear();
      this.shares.set(newGroup, this.config.provider.generateKeyShare(groupByCode(newGroup)!));
    }
    // RFC 8446 §4.1.2: no early_data; PSKs of another hash dropped, ages and binders recomputed
    if (this.earlyDataStatus === 'offered') this.earlyDataStatus = 'rejected';
    this.offer = this.currentOffer(this.suite!.hash);
    this.sendClientHello(false);
    this.state = TlsState.START;
  }

  private onEncryptedExtensions(msg: HandshakeMessage): void {
    const ee = parseEncryptedExtensions(msg.body);
    checkExtensions(ee.extensions, 'EE', this.offered);
    this.peerExtensions = ee.extensions;
    const sni = findExtension(ee.extensions, ExtensionType.server_name);
    if (sni !== undefined) parseServerNameAck(sni.data);
    const alpn = findExtension(ee.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpn !== undefined) {
      const p = parseAlpnSelected(alpn.data);
      if (!this.config.alpn.includes(p)) throw TlsAlert.of('illegal_parameter', `server selected ALPN "${p}" we did not offer`);
      this.alpnProtocol = p;
    } else if (this.config.quic && this.config.alpn.length > 0) {
      throw TlsAlert.of('no_application_protocol', 'QUIC server did not select an application protocol');
    }
    if (this.config.quic) this.peerTransportParameters = quicTransportParametersOf(ee.extensions).slice();
    const ed = findExtension(ee.extensions, ExtensionType.early_data);
    if (ed !== undefined) {
      parseEarlyDataIndication(ed.data);
      if (this.earlyDataStatus !== 'offered') throw TlsAlert.of('illegal_parameter', 'server accepted early data that cannot be accepted');
      const session = this.selected!.session!;
      if (this.alpnProtocol !== session.alpn || this.suite!.code !== session.suite) {
        throw TlsAlert.of('illegal_parameter', 'server accepted early data with another ALPN or suite than the session\'s');
      }
      this.earlyDataStatus = 'accepted';
    } else if (this.earlyDataStatus === 'offered') {
      this.earlyDataStatus = 'rejected';
    }
    this.transcript.update(msg.raw);
    this.stage = this.selected !== undefined ? 'wait_finished' : 'wait_cert_cr';
    this.state = TlsState.WAIT;
  }

  private onCertificateRequest(msg: HandshakeMessage): void {
    const cr = parseCertificateRequest(msg.body);
    checkExtensions(cr.extensions, 'CR');
    if (cr.requestContext.length !== 0) throw TlsAlert.of('illegal_parameter', 'handshake CertificateRequest with a non-empty context');
    const sigalgs = parseSignatureAlgorithms(findExtension(cr.extensions, ExtensionType.signature_algorithms)!.data);
    this.certRequest = { context: cr.requestContext.slice(), sigalgs };
    this.transcript.update(msg.raw);
    this.stage = 'wait_cert';
  }

  private onCertificate(msg: HandshakeMessage): void {
    const cert = parseCertificateMessage(msg.body);
    if (cert.requestContext.length !== 0) throw TlsAlert.of('illegal_parameter', 'server Certificate with a non-empty context');
    if (cert.entries.length === 0) throw TlsAlert.of('decode_error', 'server sent an empty Certificate');
    for (const e of cert.entries) checkExtensions(e.extensions, 'CT', this.offered);
    const chain = cert.entries.map((e) => e.data.slice());
    this.peerCertificates = chain;
    this.peer = verifyPeerCertificates(this.config, chain, 'serverAuth', this.config.servername);
    this.transcript.update(msg.raw);
    this.stage = 'wait_cv';
  }

  private onCertificateVerify(msg: HandshakeMessage): void {
    this.signatureScheme = this.receiveCertificateVerify(msg, this.peer!, this.config.sigalgs);
    this.stage = 'wait_finished';
  }

  private onFinished(msg: HandshakeMessage): void {
    this.receiveFinished(msg, this.secrets.get('serverHandshake')!);
    this.deriveApplicationSecrets();
    // over TCP an accepted 0-RTT flight ends with EndOfEarlyData under the early key (not in QUIC, RFC 9001 §8.3)
    if (this.earlyDataStatus === 'accepted' && !this.config.quic) {
      this.send('early', HandshakeType.end_of_early_data, encodeEndOfEarlyData());
    }
    if (this.certRequest !== undefined) this.sendClientCertificate(this.certRequest);
    this.sendFinished('handshake', this.secrets.get('clientHandshake')!);
    this.deriveResumptionSecret();
    this.readLevel = 'application';
    this.stage = 'connected';
    this.state = TlsState.CONNECTED;
    this.releaseHandshakeState();
  }

  /**
   * Also drops the client's handshake-only state: the ClientHello and its extensions, the PSK offer, the server's
   * identity key, HRR cookie and CertificateRequest.
   */
  protected override releaseHandshakeState(): void {
    super.releaseHandshakeState();
    this.baseExtensions = [];
    this.firstHello = undefined;
    this.offered = NOTHING_OFFERED as Set<number>;
    this.shares = NO_SHARES as Map<number, KeyShare>;
    this.offer = [];
    this.selected = undefined;
    this.peer = undefined;
    this.cookie = undefined;
    this.certRequest = undefined;
  }

  private sendClientCertificate(req: { context: Uint8Array; sigalgs: number[] }): void {
    let creds: LoadedCredentials | undefined;
    if (this.config.cert !== undefined && this.config.key !== undefined) {
      creds = loadCredentials(this.config.provider, this.config.cert, this.config.key);
    }
    const scheme = creds === undefined ? undefined : chooseSignatureScheme(creds.key, req.sigalgs, this.config.sigalgs);
    if (creds === undefined || scheme === undefined) {
      this.sendCertificate('handshake', req.context, []);
      return;
    }
    this.sendCertificate('handshake', req.context, creds.chain);
    this.sendCertificateVerify('handshake', creds.key, scheme);
    this.clientSignatureScheme = scheme.code;
  }
}
