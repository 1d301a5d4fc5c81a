/**
 * Normalizes {@link TlsEngineOptions} into the engine's working configuration ({@link EngineConfig}); `set(TlsOpt.*)`
 * edits the same object. Bad option values raise TypeError / RangeError at creation time (programming errors),
 * never during the handshake.
 */
import type { Extension } from '../wire/extensions/extensionList.js';
import { TlsAlert } from '../alerts.js';
import { ExtensionType } from '../wire/constants.js';
import type { CryptoProvider, KeyExchangeGroup, PrivateKey } from '../crypto/provider.js';
import { defaultProvider } from '../crypto/default.js';
import { CIPHER_SUITES, cipherSuiteByCode, cipherSuiteByName, type CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { DEFAULT_KEY_SHARES, SUPPORTED_GROUPS, groupByName } from './namedGroups.js';
import { DEFAULT_SIGNATURE_SCHEMES, certificateSignatureSchemeCode, signatureSchemeByCode, signatureSchemeByName } from './signatureSchemes.js';
import type { CertificateVerifier, PemOrDer, SniCallback, TlsEngineOptions, PeerVerifyCallback } from './options.js';
import { CertRequest, type CertRequestValue } from './tlsState.js';
import { parsePskModes, resolveExternalPsk, type PskCallback, type PskMode, type ResolvedExternalPsk } from '../session/externalPsk.js';
import { TlsSession } from '../session/tlsSession.js';
import { defaultTicketKeyManager, type TicketKeyCallback } from '../session/ticketKeyManager.js';
import { defaultAntiReplay, type AntiReplay } from '../session/antiReplay.js';
import type { EarlyDataOffer } from '../session/earlyData.js';
import type { TicketOffer } from '../session/pskSelection.js';
import { MAX_TICKET_LIFETIME } from '../wire/newSessionTicket.js';

/** Our own certificate chain and key, as given (loaded lazily by credentials.ts). */
export interface CredentialSource {
  /** Chain, leaf first. */
  readonly cert: PemOrDer;
  /** Private key. */
  readonly key: string | Uint8Array | PrivateKey;
}

/** The engine's working configuration. */
export interface EngineConfig {
  /** Role. */
  readonly role: 'client' | 'server';
  /** Crypto provider. */
  provider: CryptoProvider;
  /** Clock (ms since the epoch); undefined means certificate validity cannot be checked. */
  clock: (() => number) | undefined;
  /** RNG. */
  random: (length: number) => Uint8Array;
  /** Cipher suites, preference order. */
  suites: readonly CipherSuiteParams[];
  /** Groups, preference order. */
  groups: readonly KeyExchangeGroup[];
  /** Client: groups to send shares for in the first ClientHello. */
  keyShares: readonly KeyExchangeGroup[];
  /** Signature schemes (codepoints), preference order. */
  sigalgs: readonly number[];
  /** Schemes accepted in the peer's certificate signatures (sent as signature_algorithms_cert), or undefined. */
  sigalgsCert: number[] | undefined;
  /** ALPN protocols. */
  alpn: readonly string[];
  /** Client: server name. */
  servername: string | undefined;
  /** Server: SNI callback. */
  sniCallback: SniCallback | undefined;
  /** Server: strict SNI. */
  strictSni: boolean;
  /** Server: names we serve. */
  serverNames: readonly string[];
  /** Verify the peer chain. */
  rejectUnauthorized: boolean;
  /** Server: client certificate policy. */
  certRequest: CertRequestValue;
  /** Verification override. */
  verify: PeerVerifyCallback | undefined;
  /** Replacement chain validation. */
  certificateVerifier: CertificateVerifier | undefined;
  /** Key log. */
  keylog: ((line: string) => void) | undefined;
  /** QUIC mode. */
  quic: boolean;
  /** Our transport parameters. */
  transportParameters: Uint8Array | undefined;
  /** Extra extensions. */
  extensions: readonly Extension[];
  /** External PSKs (validated). */
  psks: readonly ResolvedExternalPsk[];
  /** Server: external PSK lookup. */
  pskCallback: PskCallback | undefined;
  /** PSK modes, preference order. */
  pskModes: readonly PskMode[];
  /** Early data. */
  earlyData: boolean;
  /** Client: the session to resume. */
  session: TlsSession | undefined;
  /** Client: new-session callback. */
  onSession: ((session: TlsSession) => void) | undefined;
  /** Server: tickets after a full handshake. */
  ticketCount: number;
  /** Server: tickets after a resumed handshake. */
  resumedTicketCount: number;
  /** Server: ticket lifetime (s). */
  ticketLifetime: number;
  /** Server: ticket keys (callback form; resolved lazily to the process default). */
  ticketKeyCallback: TicketKeyCallback | undefined;
  /** Server: app data sealed into tickets. */
  ticketAppData: Uint8Array;
  /** Server over TCP: max_early_data_size. */
  maxEarlyData: number;
  /** Server: 0-RTT policy. */
  acceptEarlyData: ((offer: EarlyDataOffer) => boolean) | undefined;
  /** Server: resumption policy per offered ticket. */
  acceptTicket: ((offer: TicketOffer) => boolean) | undefined;
  /** Server: replay record (resolved lazily to the process default). */
  antiReplay: AntiReplay | undefined;
  /** Server: ticket age tolerance (ms). */
  ticketAgeTolerance: number;
  /** Post-handshake messages in a row without application data. */
  maxConsecutivePostHandshake: number;
  /** Server: HRR cookie. */
  hrrCookie: boolean;
  /** Largest handshake message. */
  maxHandshakeMessageSize: number;
  /** Our default credentials (cert + key), if any. */
  cert: PemOrDer | undefined;
  /** Our default private key, if any. */
  key: string | Uint8Array | PrivateKey | undefined;
  /** Trust anchors. */
  ca: PemOrDer | undefined;
}

function list<T>(v: readonly T[] | string | undefined): readonly (T | string)[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.split(/[:,\s]+/).filter((s) => s.length > 0);
  return v;
}

/** Parses a cipher suite preference (names or codepoints; a colon-separated string is accepted). */
export function parseSuites(v: readonly (string | number)[] | string | undefined): CipherSuiteParams[] {
  const l = list(v);
  if (l === undefined) return [...CIPHER_SUITES];
  const out: CipherSuiteParams[] = [];
  for (const x of l) {
    const s = typeof x === 'number' ? cipherSuiteByCode(x) : cipherSuiteByName(x);
    if (s === undefined) throw new RangeError(`unsupported cipher suite ${String(x)}`);
    if (!out.includes(s)) out.push(s);
  }
  if (out.length === 0) throw new RangeError('empty cipher suite list');
  return out;
}

/** Parses a group preference. */
export function parseGroups(v: readonly string[] | string | undefined, fallback: readonly KeyExchangeGroup[]): KeyExchangeGroup[] {
  const l = list(v);
  if (l === undefined) return [...fallback];
  const out: KeyExchangeGroup[] = [];
  for (const x of l) {
    const g = groupByName(x);
    if (g === undefined) throw new RangeError(`unsupported group ${x}`);
    if (!out.includes(g)) out.push(g);
  }
  return out;
}

/** Parses a signature scheme preference (names or codepoints). */
export function parseSigalgs(v: readonly (string | number)[] | string | undefined): number[] {
  const l = list(v);
  if (l === undefined) return [...DEFAULT_SIGNATURE_SCHEMES];
  const out: number[] = [];
  for (const x of l) {
    const s = typeof x === 'number' ? signatureSchemeByCode(x) : signatureSchemeByName(x);
    if (s === undefined) throw new RangeError(`unsupported signature scheme ${String(x)}`);
    if (!out.includes(s.code)) out.push(s.code);
  }
  if (out.length === 0) throw new RangeError('empty signature scheme list');
  return out;
}

function count(v: number | undefined, fallback: number, name: string, max = 255, min = 0): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in ${min}..${max}`);
  return v;
}

function ticketLifetime(v: number | undefined): number {
  return count(v, 7200, 'ticketLifetime', MAX_TICKET_LIFETIME, 1);
}

/** The server's ticket-key callback: the configured one, else the process-wide default manager's. */
export function ticketKeysOf(c: EngineConfig): TicketKeyCallback {
  c.ticketKeyCallback ??= defaultTicketKeyManager().callback;
  return c.ticketKeyCallback;
}

/** The server's 0-RTT replay record: the configured one, else the process-wide default. */
export function antiReplayOf(c: EngineConfig): AntiReplay {
  c.antiReplay ??= defaultAntiReplay();
  return c.antiReplay;
}

/** Parses a signature_algorithms_cert preference (names or codepoints, RSA PKCS#1 v1.5 included). */
export function parseSigalgsCert(v: readonly (string | number)[] | string | undefined): number[] | undefined {
  const l = list(v);
  if (l === undefined) return undefined;
  const out: number[] = [];
  for (const x of l) {
    const code = certificateSignatureSchemeCode(x);
    if (code === undefined) throw new RangeError(`unsupported certificate signature scheme ${String(x)}`);
    if (!out.includes(code)) out.push(code);
  }
  if (out.length === 0) throw new RangeError('empty certificate signature scheme list');
  return out;
}

// Defaults shared by every engine created without the option (frozen: configurations never change them in place).
const NONE: readonly never[] = Object.freeze([]);
const DEFAULT_SUITES: readonly CipherSuiteParams[] = Object.freeze([...CIPHER_SUITES]);
const DEFAULT_SIGALGS: readonly number[] = Object.freeze([...DEFAULT_SIGNATURE_SCHEMES]);
const DEFAULT_SHARES: readonly KeyExchangeGroup[] = Object.freeze(DEFAULT_KEY_SHARES.filter((g) => SUPPORTED_GROUPS.includes(g)));
const DEFAULT_PSK_MODES: readonly PskMode[] = Object.freeze(parsePskModes(undefined));
const NO_APP_DATA = new Uint8Array(0);

/** A copy of `v` — or the shared empty list when there is nothing to copy. */
function copyList<T>(v: readonly T[] | undefined): readonly T[] {
  return v === undefined || v.length === 0 ? NONE : [...v];
}

/** Builds the working configuration from the options object. */
export function createEngineConfig(role: 'client' | 'server', o: TlsEngineOptions = {}): EngineConfig {
  if (role !== 'client' && role !== 'server') throw new TypeError(`role must be "client" or "server"`);
  const provider = o.provider ?? defaultProvider();
  const groups: readonly KeyExchangeGroup[] = o.groups === undefined ? SUPPORTED_GROUPS : parseGroups(o.groups as readonly string[] | string, SUPPORTED_GROUPS);
  if (groups.length === 0) throw new RangeError('empty group list');
  let keyShares: readonly KeyExchangeGroup[] = o.keyShares === undefined
    ? (groups === SUPPORTED_GROUPS ? DEFAULT_SHARES : DEFAULT_KEY_SHARES.filter((g) => groups.includes(g)))
    : parseGroups(o.keyShares as readonly string[], []);
  for (const g of keyShares) if (!groups.includes(g)) throw new RangeError(`key share group ${g} is not in groups`);
  if (keyShares.length === 0) keyShares = [groups[0]];
  const rejectUnauthorized = o.rejectUnauthorized ?? true;
  const certRequest = o.certRequest ??
    (o.requestCert === true ? (rejectUnauthorized ? CertRequest.REQUIRED : CertRequest.OPTIONAL) : CertRequest.NONE);
  const alpn = copyList(o.ALPNProtocols);
  for (const p of alpn) {
    if (p.length === 0 || p.length > 255) throw new RangeError('ALPN protocol names must be 1..255 bytes');
  }
  return {
    role,
    provider,
    clock: o.clock,
    random: o.rng ?? ((n: number) => provider.randomBytes(n)),
    suites: o.ciphers === undefined ? DEFAULT_SUITES : parseSuites(o.ciphers),
    groups,
    keyShares,
    sigalgs: o.sigalgs === undefined ? DEFAULT_SIGALGS : parseSigalgs(o.sigalgs),
    sigalgsCert: parseSigalgsCert(o.sigalgsCert),
    alpn,
    servername: o.servername,
    sniCallback: o.SNICallback,
    strictSni: o.strictSNI ?? false,
    serverNames: copyList(o.serverNames),
    rejectUnauthorized,
    certRequest,
    verify: o.verify,
    certificateVerifier: o.certificateVerifier,
    keylog: o.keylog,
    quic: o.quic ?? false,
    transportParameters: o.transportParameters,
    extensions: copyList(o.extensions),
    psks: o.psks === undefined || o.psks.length === 0 ? NONE : o.psks.map(resolveExternalPsk),
    pskCallback: o.pskCallback,
    pskModes: o.pskModes === undefined ? DEFAULT_PSK_MODES : parsePskModes(o.pskModes),
    earlyData: o.earlyData ?? false,
    session: o.session instanceof Uint8Array ? TlsSession.fromBytes(o.session) : o.session,
    onSession: o.onSession,
    ticketCount: count(o.ticketCount, 2, 'ticketCount'),
    resumedTicketCount: count(o.resumedTicketCount, 1, 'resumedTicketCount'),
    ticketLifetime: ticketLifetime(o.ticketLifetime),
    ticketKeyCallback: o.ticketKeyCallback ?? o.ticketKeys?.callback,
    ticketAppData: o.ticketAppData ?? NO_APP_DATA,
    maxEarlyData: count(o.maxEarlyData, 16384, 'maxEarlyData', 0xfffffffe),
    acceptEarlyData: o.acceptEarlyData,
    acceptTicket: o.acceptTicket,
    antiReplay: o.antiReplay,
    ticketAgeTolerance: count(o.ticketAgeTolerance, 10_000, 'ticketAgeTolerance', 0x7fffffff),
    maxConsecutivePostHandshake: count(o.maxConsecutivePostHandshake, 32, 'maxConsecutivePostHandshake', 0x7fffffff, 1),
    hrrCookie: o.hrrCookie ?? false,
    maxHandshakeMessageSize: o.maxHandshakeMessageSize ?? 64 * 1024,
    cert: o.cert,
    key: o.key,
    ca: o.ca,
  };
}

/**
 * Our QUIC transport parameters: the `transportParameters` option, else an extra extension 0x39 set through
 * `extensions` / `set(TlsOpt.EXTENSIONS)` (the seed's way). A QUIC engine without either cannot start
 * (internal_error: a programming error surfaced at the first handshake() call).
 */
export function ownTransportParameters(c: EngineConfig): Uint8Array {
  const tp = c.transportParameters ?? c.extensions.find((e) => e.type === ExtensionType.quic_transport_parameters)?.data;
  if (tp === undefined) throw TlsAlert.of('internal_error', 'QUIC mode needs transport parameters (transportParameters or extension 0x39)');
  return tp;
}
