/**
 * The sans-IO QUIC connection (RFC 9000, 9001, 9002, 9368, 9369), client or server: `receive(datagram, remote, now)`,
 * `send(now)` → datagrams, `nextTimeout()` / `onTimeout(now)`, `pollEvent()`, a stream API and `close()`. No sockets,
 * timers, clock or global randomness: the caller passes time in and the options carry the RNG, the TLS engine
 * options, the qlog sink and the key log.
 *
 * The handshake is driven through the seed's switch ({@link tlsSwitch}): CRYPTO bytes of each level go into
 * `tls.handshake()` and the returned state decides which keys to install and what to send. Around it: one
 * {@link PacketNumberSpace} per space, quic-crypto's key store (Initial / 0-RTT / Handshake / 1-RTT with key
 * update), loss detection and congestion control from recovery/, streams and flow control from stream/, connection
 * IDs, path validation, anti-amplification, idle timeout and the closing / draining states.
 *
 * Nothing thrown escapes `receive()`, `send()` or `onTimeout()`: malformed input is dropped or closes the connection
 * with the right transport error (a bug in this code closes it with INTERNAL_ERROR).
 */
import {
  defaultProvider,
  parseClientHello,
  quicTransportParametersOf,
  TlsAlert,
  TlsEngine,
  TlsSession,
  type CryptoProvider,
  type EarlyDataOffer,
  type EncryptionLevel as TlsLevel,
  type TicketOffer,
  type TlsFlight,
  type TlsStateValue,
  tlsStateName,
} from '@quichs/tls-hs';
import {
  initialKeys,
  INITIAL_CIPHER_SUITE,
  PacketProtectionError,
  PacketProtector,
  QuicKeyStore,
  verifyRetryIntegrity,
  type KeyPhaseManager,
  type UnprotectedOneRttPacket,
  type UnprotectedPacket,
} from '@quichs/quic-crypto';
import type { ConnectionIdHooks, IncomingConnection, OutgoingConnection } from '../endpoint/endpointCore.js';
import type { RemoteAddress } from '../endpoint/transmit.js';
import { QuicError, TransportErrorCode, ZeroRttRejectedError } from '../errors.js';
import type { AckFrame } from '../frame/ackFrame.js';
import type { Frame } from '../frame/frame.js';
import { FrameType } from '../frame/frameType.js';
import { isPacketAckEliciting, isProbingFrame, parseFrames } from '../frame/parseFrames.js';
import {
  decodeTransportParameters,
  defaultTransportParameters,
  encodeTransportParameters,
  type TransportParameters,
} from '../frame/transportParameters.js';
import { varintSize } from '../frame/varint.js';
import type { ConnectionCore, ConnectionCoreEvent, StreamReadResult, TlsStateName } from '../node/connectionCore.js';
import { parsePacketHeader, type LongHeader, type PacketHeader, type RetryHeader, type ShortHeader, type VersionNegotiationHeader } from '../packet/packetHeader.js';
import { matchStatelessReset } from '../packet/statelessReset.js';
import type { FramePacketType } from '../packet/packetType.js';
import { isReservedVersion, QUIC_VERSION_1, QUIC_VERSION_2 } from '../packet/version.js';
import { LossDetection } from '../recovery/lossDetection.js';
import { Pacer } from '../recovery/pacer.js';
import { decodeAckDelay } from '../recovery/rttEstimator.js';
import type { PnSpace, SentPacket } from '../recovery/sentPacket.js';
import { DEFAULT_CRYPTO_BUFFER_LIMIT } from '../stream/reassemblyBuffer.js';
import { StreamManager } from '../stream/streamManager.js';
import { AmplificationLimit } from './amplificationLimit.js';
import { CloseState } from './closeState.js';
import { LocalConnectionIds, PeerConnectionIds } from './connectionIds.js';
import type { ClientConnectionCoreOptions, ConnectionCoreOptions, ServerConnectionCoreOptions } from './connectionOptions.js';
import { emptyConnectionStats, type ConnectionStats } from './connectionStats.js';
import { ConnectionQlog } from './connectionQlog.js';
import { CONTROL_FRAME_ROOM, writeAck, writeCrypto, writeStreamFrames } from './frameWriters.js';
import { IdleTimer } from './idleTimer.js';
import { KeyUpdateController } from './keyUpdate.js';
import { MIN_INITIAL_DATAGRAM, PacketBuilder, type HeaderContext, type PacketPlan } from './packetBuilder.js';
import { PacketNumberSpace } from './packetNumberSpace.js';
import { PathValidation } from './pathValidation.js';
import type { SentFrames } from './sentFrames.js';
import { tlsSwitch, type TlsSwitchHost } from './tlsSwitch.js';
import { acceptPeerTransportParameters, localTransportParameters, streamLimitsOf } from './transportParameterNegotiation.js';
import { decodeSession, encodeTicketAppData, loweredRememberedLimit, sessionStartVersion, ticketTransportParameters, ticketVersion } from './resumption.js';
import { chooseCompatibleVersion, isCompatibleVersion, onVersionNegotiation } from './versionNegotiation.js';

const EMPTY = new Uint8Array(0);
/**
 * Application error code of the RESET_STREAM / STOP_SENDING frames for 0-RTT streams reset because the server selected
 * another ALPN (no code of the new protocol can be assumed; see {@link ZeroRttRejectedError}).
 */
const ZERO_RTT_ALPN_RESET_CODE = 0;
/** Most datagrams one `send()` call returns; more are announced through `nextTimeout()` = now. */
const MAX_DATAGRAMS_PER_SEND = 64;
/** Packets kept while their keys are not installed yet (RFC 9001 §5.7 allows buffering a few). */
const MAX_BUFFERED_PACKETS = 8;
/** Below this send budget (anti-amplification) no packet is built, so no ACK deadline is armed either. */
const MIN_SEND_BUDGET = 128;
/** Longest reason phrase we send. */
const MAX_REASON_LENGTH = 120;
/** Default send buffer of a stream (unsent + unacknowledged bytes), before autotuning. */
const DEFAULT_STREAM_SEND_BUFFER = 1024 * 1024;
/** Default autotuning cap of a stream's send buffer. */
const DEFAULT_MAX_STREAM_SEND_BUFFER = 16 * 1024 * 1024;

type Spaces = Record<PnSpace, PacketNumberSpace>;
/** Coalescing order of the levels in a datagram (RFC 9000 §12.2). */
const SEND_LEVELS = ['initial', 'handshake', 'zeroRtt', 'oneRtt'] as const;
type SendLevel = 'initial' | 'handshake' | 'zeroRtt' | 'oneRtt';

interface CloseFrameInfo {
  code: number;
  frameType: number;
  reason: string;
  application: boolean;
}

/** The earlier of two optional deadlines. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return b === undefined || (a !== undefined && a <= b) ? a : b;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameAddress(a: RemoteAddress, b: RemoteAddress): boolean {
  return a.port === b.port && a.address === b.address;
}

function spaceOfLevel(level: SendLevel): PnSpace {
  return level === 'initial' ? 'initial' : level === 'handshake' ? 'handshake' : 'application';
}

function tlsLevelOf(level: SendLevel): TlsLevel {
  return level === 'initial' ? 'initial' : level === 'handshake' ? 'handshake' : level === 'zeroRtt' ? 'early' : 'application';
}

function truncateReason(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? reason.slice(0, MAX_REASON_LENGTH) : reason;
}

/** What differs between a client and a server at construction. */
interface ConnectionSetup {
  role: 'client' | 'server';
  remote: RemoteAddress;
  version: number;
  localCid: IncomingConnection['localCid'];
  cids: ConnectionIdHooks;
  /** The peer's first CID (server: client's SCID; client: our random first DCID until the server answers). */
  peerCid: Uint8Array;
  /** DCID the Initial keys derive from. */
  initialDcid: Uint8Array;
  now: number;
  options: ConnectionCoreOptions;
  addressValidated: boolean;
  /** Server: the endpoint's accepted versions. */
  versions?: readonly number[];
}

/** A QUIC connection. Create one with {@link Connection.client} or {@link Connection.server}. */
export class Connection implements ConnectionCore, TlsSwitchHost {
  /** Client or server. */
  readonly role: 'client' | 'server';
  /** The peer's current address. */
  remote: RemoteAddress;

  private readonly options: ConnectionCoreOptions;
  private readonly provider: CryptoProvider;
  private readonly versions: readonly number[];
  private readonly switchVersions: boolean;
  private readonly qlog: ConnectionQlog;
  private readonly builder: PacketBuilder;
  private readonly localCids: LocalConnectionIds;
  private readonly peerCids: PeerConnectionIds;
  private readonly cidHooks: ConnectionIdHooks;
  private readonly amplification: AmplificationLimit;
  private readonly path = new PathValidation();
  private readonly closeState = new CloseState();
  private readonly idle: IdleTimer;
  private readonly keyUpdates: KeyUpdateController;
  private readonly pacer: Pacer;
  private readonly pacing: boolean;
  private readonly events: ConnectionCoreEvent[] = [];
  private readonly statsRecord: ConnectionStats = emptyConnectionStats();
  private readonly finReported = new Set<number>();
  private readonly writeWaiters = new Set<number>();
  private mintNewToken: ((now: number, version: number) => Uint8Array) | undefined;

  // Handshake state (recreated when Version Negotiation restarts the attempt).
  private tlsEngine: TlsEngine | undefined;
  private keys!: QuicKeyStore;
  private loss!: LossDetection<SentFrames>;
  private spaces!: Spaces;
  private version: number;
  /** Version of the first Initial of this attempt (client) / of the client's Initial (server). */
  private originalVersion: number;
  private afterVersionNegotiation = false;
  private compatibleSwitchDone = false;
  /** Server after compatible VN: the original version's Initial read keys (RFC 9369 §4.1). */
  private originalInitialRead: PacketProtector | undefined;
  private initialKeysDcid: Uint8Array;

  /** Our full transport parameters (set once the TLS engine is created). */
  private local: TransportParameters;
  private peerParams: TransportParameters | undefined;
  private readonly streams: StreamManager;
  /** Autotuning cap of a stream's send buffer (see {@link Connection.sendBufferLimit}). */
  private readonly maxSendBuffer: number;
  private maxSendSize: number;

  // Client state.
  private originalDcid: Uint8Array;
  private retrySourceCid: Uint8Array | undefined;
  private token: Uint8Array = EMPTY;
  /** Client: the server transport parameters remembered with the session, applied to 0-RTT. */
  private rememberedParams: TransportParameters | undefined;
  /** Client: the session the application gave to resume (`tls.session`), decoded. */
  private resumeSession: TlsSession | undefined;
  /** The NEW_TOKEN token the application gave, with the QUIC version it came from (RFC 9369 §5). */
  private givenToken: { token: Uint8Array; version: number } | undefined;
  private peerInitialScid: Uint8Array | undefined;
  /**
   * Client: the largest packet number of this attempt's 0-RTT packets (-1: none). 0-RTT and 1-RTT share the
   * application space and every 0-RTT packet precedes the first 1-RTT one, so after a rejection an ACK reaching
   * down to it acknowledges packets the server never processed (RFC 9001 §4.6.2).
   */
  private zeroRttLargestPn = -1;
  private receivedFromPeer = false;
  private sentHandshakePacket = false;
  // Server state.
  private clientHello: Uint8Array = EMPTY;
  private readonly serverInitialDcid: Uint8Array | undefined;

  private handshakeCompleteFlag = false;
  private handshakeConfirmedFlag = false;
  private handshakeDonePending = false;
  private newTokenPending: Uint8Array | undefined;
  private pingPending = false;
  /** A key update the application asked for, waiting for RFC 9001 §6.1 to allow it. */
  private keyUpdateQueued = false;
  private readonly installed = new Set<string>();
  private closeFrame: CloseFrameInfo | undefined;
  private buffered: { packet: Uint8Array; level: SendLevel }[] = [];
  private retryBuffered = false;
  private pacingDeadline: number | undefined;
  private sendAgainAt: number | undefined;
  private previousRemote: RemoteAddress | undefined;
  private now: number;
  private closedEventSent = false;
  /** Server: when the 0-RTT read keys go (RFC 9001 §4.9.3: some time after the handshake, for reordered packets). */
  private zeroRttDiscardAt: number | undefined;

  private constructor(setup: ConnectionSetup) {
    const o = setup.options;
    this.role = setup.role;
    this.remote = { address: setup.remote.address, port: setup.remote.port };
    this.options = o;
    this.now = setup.now;
    this.provider = o.provider ?? o.tls?.provider ?? defaultProvider();
    this.version = setup.version;
    this.originalVersion = setup.version;
    // Default preference: the version in use first. A server lists the endpoint's versions in version_information
    // but switches versions (compatible negotiation) only when given its own preference list.
    const preferred = o.versions ?? setup.versions ?? [setup.version, ...[QUIC_VERSION_1, QUIC_VERSION_2].filter((v) => v !== setup.version)];
    this.versions = setup.role === 'client' ? [setup.version, ...preferred.filter((v) => v !== setup.version)] : preferred;
    this.switchVersions = setup.role === 'server' && o.versions !== undefined;
    this.qlog = new ConnectionQlog(o.qlog);
    const capacity = Math.max(MIN_INITIAL_DATAGRAM, Math.floor(o.maxDatagramSize ?? MIN_INITIAL_DATAGRAM));
    this.builder = new PacketBuilder(capacity);
    this.builder.logFrames = this.qlog.enabled;
    this.maxSendSize = capacity;
    this.cidHooks = setup.cids;
    this.localCids = new LocalConnectionIds(setup.cids, setup.localCid);
    this.local = localTransportParameters(o.transportParameters, { role: setup.role, initialSourceConnectionId: setup.localCid.cid });
    this.peerCids = new PeerConnectionIds(setup.peerCid, this.local.activeConnectionIdLimit);
    this.amplification = new AmplificationLimit(setup.addressValidated);
    this.idle = new IdleTimer(this.local.maxIdleTimeout, setup.now);
    this.keyUpdates = new KeyUpdateController(o.aeadLimits);
    this.pacing = o.pacing ?? true;
    this.pacer = new Pacer({ maxDatagramSize: capacity });
    this.initialKeysDcid = setup.initialDcid;
    this.originalDcid = setup.initialDcid;
    this.streams = new StreamManager({
      role: setup.role,
      local: streamLimitsOf(this.local),
      sendHighWaterMark: o.streamSendBuffer ?? DEFAULT_STREAM_SEND_BUFFER,
      maxStreamWindow: o.maxStreamWindow ?? 16 * 1024 * 1024,
      maxConnectionWindow: o.maxConnectionWindow ?? 32 * 1024 * 1024,
    });
    this.maxSendBuffer = Math.max(o.streamSendBuffer ?? DEFAULT_STREAM_SEND_BUFFER, o.maxStreamSendBuffer ?? DEFAULT_MAX_STREAM_SEND_BUFFER);
    this.mintNewToken = undefined;
    this.serverInitialDcid = setup.role === 'server' ? setup.initialDcid : undefined;
    this.initHandshakeState(setup.version, setup.initialDcid);
  }

  /**
   * A client connection to `out.remote`: picks a random first DCID, creates the TLS engine and queues the
   * ClientHello (sent by the first `send()`).
   */
  static client(out: OutgoingConnection, options: ClientConnectionCoreOptions = {}): Connection {
    const provider = options.provider ?? options.tls?.provider ?? defaultProvider();
    const rng = options.rng ?? ((n: number) => provider.randomBytes(n));
    const dcidLength = Math.min(20, Math.max(8, options.initialDcidLength ?? 8));
    const given = options.initialDcid;
    if (given !== undefined && (given.length < 8 || given.length > 20)) throw new RangeError('initialDcid must be 8..20 bytes');
    const dcid = Uint8Array.from(given ?? rng(dcidLength));
    const session = decodeSession(options.tls?.session);
    const conn = new Connection({
      role: 'client',
      remote: out.remote,
      version: options.version ?? sessionStartVersion(session, options.versions) ?? QUIC_VERSION_1,
      localCid: out.localCid,
      cids: out.cids,
      peerCid: dcid,
      initialDcid: dcid,
      now: out.now,
      options,
      addressValidated: true,
    });
    conn.resumeSession = session;
    if (options.token !== undefined) {
      conn.givenToken = { token: Uint8Array.from(options.token), version: (options.tokenVersion ?? conn.version) >>> 0 };
      conn.useGivenToken();
    }
    conn.startClient();
    return conn;
  }

  /** A server connection for a client Initial the endpoint accepted. */
  static server(incoming: IncomingConnection, options: ServerConnectionCoreOptions = {}): Connection {
    const conn = new Connection({
      role: 'server',
      remote: incoming.remote,
      version: incoming.version,
      localCid: incoming.localCid,
      cids: incoming.cids,
      peerCid: Uint8Array.from(incoming.peerCid),
      initialDcid: Uint8Array.from(incoming.initialDcid),
      now: incoming.now,
      options,
      addressValidated: incoming.addressValidated,
      versions: incoming.versions,
    });
    conn.originalDcid = Uint8Array.from(incoming.originalDcid);
    conn.retrySourceCid = incoming.retrySourceCid === undefined ? undefined : Uint8Array.from(incoming.retrySourceCid);
    conn.mintNewToken = incoming.mintNewToken;
    conn.qlog.connectionStateUpdated(incoming.now, 'attempted');
    return conn;
  }

  // ------------------------------------------------------------------------------------------ handshake state

  private initHandshakeState(version: number, initialDcid: Uint8Array): void {
    const o = this.options;
    this.version = version;
    // A reserved first version (sent to provoke Version Negotiation) is protected like v1, as other stacks do.
    const keyVersion = isReservedVersion(version) ? QUIC_VERSION_1 : version;
    this.keys = new QuicKeyStore({ role: this.role, version: keyVersion, provider: this.provider });
    this.keys.installInitial(initialDcid);
    this.initialKeysDcid = initialDcid;
    this.loss = new LossDetection<SentFrames>({
      role: this.role,
      congestion: o.congestionControl ?? 'newreno',
      hystart: o.hystart,
      maxDatagramSize: this.builder.capacity,
      initialRtt: o.initialRtt,
    });
    const cryptoBufferLimit = Math.max(DEFAULT_CRYPTO_BUFFER_LIMIT, o.cryptoBufferLimit ?? DEFAULT_CRYPTO_BUFFER_LIMIT);
    const make = (id: PnSpace): PacketNumberSpace =>
      new PacketNumberSpace({ id, keys: this.keys, loss: this.loss, maxAckDelay: this.local.maxAckDelay, cryptoBufferLimit });
    this.spaces = { initial: make('initial'), handshake: make('handshake'), application: make('application') };
    this.zeroRttLargestPn = -1;
    this.installed.clear();
    this.qlog.keysInstalled(this.now, 'initial', 'tls');
  }

  private createTls(versionInformation: { chosenVersion: number; availableVersions: number[] }): TlsEngine {
    const ids =
      this.role === 'client'
        ? { role: this.role, initialSourceConnectionId: this.localCids.initial.cid, versionInformation }
        : {
            role: this.role,
            initialSourceConnectionId: this.localCids.initial.cid,
            originalDestinationConnectionId: this.originalDcid,
            retrySourceConnectionId: this.retrySourceCid,
            statelessResetToken: this.localCids.initial.statelessResetToken,
            versionInformation,
          };
    this.local = localTransportParameters(this.options.transportParameters, ids);
    const tls = this.options.tls ?? {};
    const keylog = this.options.keylog ?? tls.keylog;
    const encoded = encodeTransportParameters(this.local);
    const server = this.role === 'server';
    const userOnSession = tls.onSession;
    this.tlsEngine = new TlsEngine(this.role, {
      ...tls,
      provider: tls.provider ?? this.provider,
      keylog,
      quic: true,
      transportParameters: encoded,
      // what a later resumption / 0-RTT attempt with a ticket from this connection is checked against
      ticketAppData: server ? encodeTicketAppData(this.version, encoded) : tls.ticketAppData,
      acceptEarlyData: server ? (offer) => this.acceptEarlyData(offer) : tls.acceptEarlyData,
      acceptTicket: server ? (offer) => this.acceptTicket(offer) : tls.acceptTicket,
      session: server || this.resumeSession === undefined ? tls.session : this.sessionToOffer(),
      onSession: server
        ? tls.onSession
        : (session) => {
            // RFC 9369 §5: the ticket belongs to this connection's (negotiated) version.
            const versioned = new TlsSession({ ...session, quicVersion: this.version });
            this.events.push({ type: 'session', session: versioned });
            userOnSession?.(versioned);
          },
    });
    this.qlog.parameters(this.now, 'local', this.local);
    return this.tlsEngine;
  }

  private startClient(): void {
    this.createTls({ chosenVersion: this.version, availableVersions: [...this.versions] });
    this.qlog.connectionStateUpdated(this.now, 'attempted');
    tlsSwitch(this, null, 'initial');
  }

  /**
   * Client: the Initials carry the application's NEW_TOKEN token only on a connection of the version it came from
   * (RFC 9369 §5: "Clients MUST NOT use a session ticket or token from a QUIC version 1 connection to initiate a QUIC
   * version 2 connection, and vice versa").
   */
  private useGivenToken(): void {
    const given = this.givenToken;
    this.token = given !== undefined && given.version === this.version ? given.token : EMPTY;
  }

  /**
   * Client: the session to offer in this attempt — the application's, unless it remembers another QUIC version
   * than the one this attempt uses (RFC 9369 §5; a session of unknown version is offered, the server checks it).
   */
  private sessionToOffer(): TlsSession | undefined {
    const session = this.resumeSession;
    if (session === undefined) return undefined;
    return session.quicVersion === undefined || session.quicVersion === this.version ? session : undefined;
  }

  /** RFC 9000 §6.2: start over with another version after a Version Negotiation packet. */
  private restartWithVersion(version: number): void {
    this.afterVersionNegotiation = true;
    this.originalVersion = version;
    const dcid = Uint8Array.from(this.rng(this.originalDcid.length));
    this.originalDcid = dcid;
    this.peerCids.setInitial(dcid);
    this.initHandshakeState(version, dcid);
    this.useGivenToken();
    if (this.rememberedParams !== undefined) {
      // 0-RTT data of the abandoned attempt went with its packets (and its loss detection): the streams start over,
      // under no limits until this attempt's 0-RTT (remembered limits again) or handshake provides some.
      this.rememberedParams = undefined;
      this.streams.rewindLocalStreams(streamLimitsOf(defaultTransportParameters()));
    }
    this.createTls({ chosenVersion: version, availableVersions: [...this.versions] });
    tlsSwitch(this, null, 'initial');
  }

  /** Random bytes from the injected RNG, else the provider's (a method, not a closure kept per connection). */
  private rng(length: number): Uint8Array {
    const rng = this.options.rng;
    return rng !== undefined ? rng(length) : this.provider.randomBytes(length);
  }

  /** The TLS engine (exists from the start on a client, once the ClientHello is complete on a server). */
  get tls(): TlsEngine {
    /* c8 ignore next -- the switch only runs once the engine exists */
    if (this.tlsEngine === undefined) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'TLS engine not created yet');
    return this.tlsEngine;
  }

  // ------------------------------------------------------------------------------------------ TLS switch host

  /** @internal Reports each state the switch saw as a 'tlsState' event (the demo prints them). */
  tlsStateSeen(state: TlsStateValue, level: TlsLevel): void {
    this.events.push({ type: 'tlsState', state: tlsStateName(state) as TlsStateName, level, time: this.now });
  }

  /** @internal Queues TLS output in the CRYPTO stream of each flight's level. */
  sendCrypto(flights: readonly TlsFlight[]): void {
    for (const f of flights) {
      const space = f.level === 'initial' ? this.spaces.initial : f.level === 'handshake' ? this.spaces.handshake : f.level === 'application' ? this.spaces.application : undefined;
      if (space === undefined || space.discarded) continue; // 'early' carries no CRYPTO in QUIC
      space.crypto.write(f.data);
    }
  }

  /** @internal Installs keys of a level from the engine's secrets (once per level). */
  installKeys(level: 'zeroRtt' | 'handshake' | 'oneRtt'): void {
    if (this.installed.has(level)) return;
    const tls = this.tls;
    const client = this.role === 'client';
    const suite = level === 'zeroRtt' ? tls.earlyCipherSuite : tls.cipherSuite;
    /* c8 ignore next -- the engine reports these states only once the suite is known */
    if (suite === undefined) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'no cipher suite negotiated');
    if (level === 'zeroRtt') {
      const secret = tls.secret('clientEarly');
      /* c8 ignore next */
      if (secret === undefined) return;
      this.keys.install('zeroRtt', client ? 'write' : 'read', suite.code, secret);
      if (client) this.applyRememberedTransportParameters();
    } else if (level === 'handshake') {
      const c = tls.secret('clientHandshake');
      const s = tls.secret('serverHandshake');
      /* c8 ignore next */
      if (c === undefined || s === undefined) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'handshake secrets missing');
      this.keys.install('handshake', 'read', suite.code, client ? s : c);
      this.keys.install('handshake', 'write', suite.code, client ? c : s);
      this.loss.onHandshakeKeysAvailable(this.now);
    } else {
      const c = tls.secret('clientApplication');
      const s = tls.secret('serverApplication');
      /* c8 ignore next */
      if (c === undefined || s === undefined) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'application secrets missing');
      this.keys.installOneRtt(suite.code, client ? s : c, client ? c : s);
    }
    this.installed.add(level);
    this.qlog.keysInstalled(this.now, level, 'tls');
    this.retryBuffered = true;
  }

  /** @internal Server: the engine accepted the client's 0-RTT. */
  earlyDataAccepted(): boolean {
    return this.role === 'server' && this.tls.earlyDataStatus === 'accepted';
  }

  /** @internal Client: the ClientHello offers 0-RTT (a resumable session that allows it, and `tls.earlyData`). */
  earlyDataOffered(): boolean {
    return this.role === 'client' && this.tls.earlyDataStatus === 'offered' && !this.installed.has('zeroRtt');
  }

  /**
   * Client 0-RTT uses the server's limits remembered with the session (RFC 9000 §7.4.1): flow control and stream
   * counts, so streams can be opened and written before the handshake completes.
   */
  private applyRememberedTransportParameters(): void {
    const encoded = this.sessionToOffer()?.transportParameters;
    if (encoded === undefined) return;
    let p: TransportParameters;
    try {
      p = decodeTransportParameters(encoded, 'server');
    } catch {
      return; // a corrupt remembered value: 0-RTT then carries no stream data
    }
    this.rememberedParams = p;
    this.streams.setPeerLimits(streamLimitsOf(p));
  }

  /**
   * Client, 0-RTT accepted: the server must not have lowered a limit our 0-RTT data may have relied on (RFC 9000
   * §7.4.1); if it did, the connection fails with PROTOCOL_VIOLATION.
   */
  private checkRememberedLimits(now: TransportParameters): void {
    const then = this.rememberedParams;
    const lowered = then === undefined ? undefined : loweredRememberedLimit(now, then);
    if (lowered !== undefined) {
      throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, `server accepted 0-RTT but lowered ${lowered} (RFC 9000 §7.4.1)`);
    }
  }

  /**
   * Server 0-RTT policy (RFC 9000 §7.4.1, RFC 9369 §5): the ticket must come from this QUIC version, and none of
   * the limits the client may rely on may have shrunk since the ticket was issued; then the application decides.
   */
  private acceptEarlyData(offer: EarlyDataOffer): boolean {
    if (ticketVersion(offer.appData) !== this.version) return false;
    const then = ticketTransportParameters(offer.appData);
    if (then === undefined || loweredRememberedLimit(this.local, then) !== undefined) return false;
    const policy = this.options.tls?.acceptEarlyData;
    return policy === undefined || policy(offer);
  }

  /**
   * Server resumption policy (RFC 9369 §5): a ticket issued on a connection of another QUIC version is ignored, so
   * the handshake falls back to a full one without 0-RTT; then the application's `acceptTicket` decides.
   */
  private acceptTicket(offer: TicketOffer): boolean {
    if (ticketVersion(offer.appData) !== this.version) return false;
    const policy = this.options.tls?.acceptTicket;
    return policy === undefined || policy(offer);
  }

  /** @internal Client: handshake complete (TLS CONNECTED). */
  handshakeCompleted(): void {
    if (this.handshakeCompleteFlag) return;
    const encoded = this.tls.peerTransportParameters;
    if (encoded === undefined) {
      throw new QuicError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, 'server sent no transport parameters');
    }
    this.applyPeerTransportParameters(
      acceptPeerTransportParameters(encoded, {
        role: 'client',
        peerInitialSourceConnectionId: this.peerInitialScid ?? EMPTY,
        originalDestinationConnectionId: this.originalDcid,
        retrySourceConnectionId: this.retrySourceCid,
        version: this.version,
        versions: this.versions,
        afterVersionNegotiation: this.afterVersionNegotiation,
      }),
    );
    if (this.installed.has('zeroRtt')) {
      // RFC 9001 §4.9.3: no 0-RTT once 1-RTT keys exist.
      this.keys.discard('zeroRtt');
      this.qlog.keysDiscarded(this.now, 'zeroRtt');
      const peer = this.peerParams!;
      if (this.tls.earlyDataStatus === 'accepted') {
        this.checkRememberedLimits(peer);
      } else {
        // RFC 9001 §4.6.2: the server saw none of it and its limits may be lower now — the streams start over in
        // 1-RTT within the new limits (streams beyond the new MAX_STREAMS wait for it).
        const space = this.spaces.application;
        for (const p of this.loss.removePackets('application', (q) => q.frames.zeroRtt, this.now)) this.requeue(space, p.frames);
        this.streams.rewindLocalStreams(streamLimitsOf(peer));
        const sessionAlpn = this.sessionToOffer()?.alpn;
        const alpn = this.tls.alpnProtocol;
        if (sessionAlpn !== alpn) {
          // ... but data written for another application protocol is not replayed: those streams are reset.
          const ended = this.streams.resetLocalStreams(ZERO_RTT_ALPN_RESET_CODE);
          this.completeHandshake();
          for (const id of ended) {
            this.writeWaiters.delete(id);
            const error = new ZeroRttRejectedError(id, ZERO_RTT_ALPN_RESET_CODE, sessionAlpn, alpn);
            this.events.push({ type: 'streamClosed', streamId: id, error });
          }
          return;
        }
      }
    }
    this.completeHandshake();
  }

  /** @internal Server: handshake complete and confirmed (TLS CONNECTED). */
  handshakeConfirmed(): void {
    if (this.handshakeConfirmedFlag) return;
    this.completeHandshake();
    this.handshakeDonePending = true;
    if (this.mintNewToken !== undefined) this.newTokenPending = this.mintNewToken(this.now, this.version);
    this.mintNewToken = undefined; // one token per connection: the endpoint's minter is not needed any more
    if (this.installed.has('zeroRtt')) this.zeroRttDiscardAt = this.now + 3 * this.ptoDuration();
    this.confirmHandshake();
  }

  /** @internal The TLS engine waits on an asynchronous callback. */
  tlsPending(level: TlsLevel): void {
    const tls = this.tls;
    void tls.ready.then(() => {
      if (this.closeState.isClosed) return;
      this.guard(() => tlsSwitch(this, null, level));
      this.options.onWakeup?.();
    });
  }

  /**
   * @internal A TLS alert: CONNECTION_CLOSE with CRYPTO_ERROR (0x0100 + alert) — or with the transport error the
   * alert carries where RFC 9001 wants one instead (PROTOCOL_VIOLATION for a bad NewSessionTicket, §4.6.1).
   */
  closeWithTlsAlert(alert: TlsAlert): void {
    if (alert.remote) return;
    const code = alert.quicTransportError ?? TransportErrorCode.CRYPTO_ERROR + alert.code;
    this.closeWithError(new QuicError(code, alert.message, { frameType: FrameType.CRYPTO, cause: alert }));
  }

  private completeHandshake(): void {
    if (this.handshakeCompleteFlag) return;
    this.handshakeCompleteFlag = true;
    const tls = this.tls;
    this.qlog.connectionStateUpdated(this.now, 'handshake_complete');
    this.events.push({
      type: 'handshakeCompleted',
      alpn: tls.alpnProtocol,
      suite: tls.cipherSuite?.name,
      group: tls.group,
      resumed: tls.resumed,
      earlyDataAccepted: tls.earlyDataStatus === 'accepted',
      version: this.version,
    });
  }

  private confirmHandshake(): void {
    if (this.handshakeConfirmedFlag) return;
    this.handshakeConfirmedFlag = true;
    this.spaces.handshake.discard(this.now);
    this.qlog.keysDiscarded(this.now, 'handshake');
    this.loss.onHandshakeConfirmed(this.now);
    this.qlog.connectionStateUpdated(this.now, 'handshake_confirmed');
    if (this.peerParams !== undefined) this.localCids.replenish(this.peerParams.activeConnectionIdLimit);
  }

  private applyPeerTransportParameters(p: TransportParameters): void {
    this.peerParams = p;
    this.streams.setPeerLimits(streamLimitsOf(p));
    this.loss.setMaxAckDelay(p.maxAckDelay, this.now);
    this.idle.setPeerTimeout(p.maxIdleTimeout);
    if (this.role === 'client' && p.statelessResetToken !== undefined) this.peerCids.setInitialToken(Uint8Array.from(p.statelessResetToken));
    this.maxSendSize = Math.min(this.builder.capacity, p.maxUdpPayloadSize);
    this.qlog.parameters(this.now, 'remote', p);
  }

  /**
   * Server: the ClientHello is read before the TLS engine exists, so that the version can be chosen from the
   * client's version_information (RFC 9368 compatible negotiation) and our transport parameters can name it.
   */
  private onServerInitialCrypto(bytes: Uint8Array): void {
    const buf = new Uint8Array(this.clientHello.length + bytes.length);
    buf.set(this.clientHello);
    buf.set(bytes, this.clientHello.length);
    this.clientHello = buf;
    if (buf.length < 4) return;
    if (buf[0] !== 1) {
      this.closeWithTlsAlert(TlsAlert.of('unexpected_message', `expected a ClientHello, got handshake type ${buf[0]}`));
      return;
    }
    const length = (buf[1] << 16) | (buf[2] << 8) | buf[3];
    if (buf.length < 4 + length) return;
    let encoded: Uint8Array;
    try {
      encoded = quicTransportParametersOf(parseClientHello(buf.subarray(4, 4 + length)).extensions);
    } catch (e) {
      if (e instanceof TlsAlert) return this.closeWithTlsAlert(e);
      return this.closeWithTlsAlert(TlsAlert.of('decode_error', 'malformed ClientHello'));
    }
    const peer = acceptPeerTransportParameters(encoded, {
      role: 'server',
      peerInitialSourceConnectionId: this.peerCids.current,
      version: this.originalVersion,
      versions: this.versions,
      afterVersionNegotiation: false,
    });
    const negotiated = this.switchVersions ? chooseCompatibleVersion(this.originalVersion, this.versions, peer.versionInformation) : this.originalVersion;
    if (negotiated !== this.version) this.switchServerVersion(negotiated);
    this.applyPeerTransportParameters(peer);
    this.createTls({ chosenVersion: this.version, availableVersions: [...this.versions] });
    this.clientHello = EMPTY;
    tlsSwitch(this, buf, 'initial');
  }

  private switchServerVersion(version: number): void {
    this.originalInitialRead = this.keys.protector('initial', 'read');
    this.keys.setVersion(version);
    this.keys.installInitial(this.initialKeysDcid);
    this.version = version;
    this.compatibleSwitchDone = true;
  }

  // ------------------------------------------------------------------------------------------ receive

  /** Processes one UDP datagram from `remote`. Never throws. */
  receive(datagram: Uint8Array, remote: RemoteAddress, now: number): void {
    this.now = now;
    this.guard(() => this.receiveDatagram(datagram, remote, now));
  }

  /** Runs `fn`; a QuicError closes the connection with it, anything else with INTERNAL_ERROR. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof QuicError) this.closeWithError(e);
      else if (e instanceof PacketProtectionError && e.code === 'KEY_UPDATE_ERROR') {
        this.closeWithError(new QuicError(TransportErrorCode.KEY_UPDATE_ERROR, e.message));
      } else {
        this.closeWithError(new QuicError(TransportErrorCode.INTERNAL_ERROR, e instanceof Error ? e.message : String(e), { cause: e }));
      }
    }
  }

  private receiveDatagram(datagram: Uint8Array, remote: RemoteAddress, now: number): void {
    const phase = this.closeState.phase;
    if (phase === 'drained') return;
    this.statsRecord.datagramsReceived++;
    this.statsRecord.bytesReceived += datagram.length;
    if (phase === 'draining') return;
    if (phase === 'closing') {
      this.closeState.onPacketWhileClosing();
      return;
    }
    const fromCurrentPath = sameAddress(remote, this.remote);
    if (!fromCurrentPath && (this.role === 'client' || !this.handshakeConfirmedFlag)) {
      // RFC 9000 §9: clients ignore unknown server addresses; no migration before the handshake is confirmed.
      this.statsRecord.packetsDropped++;
      return;
    }
    if (fromCurrentPath) this.amplification.onReceived(datagram.length);
    let offset = 0;
    let firstDcid: Uint8Array | undefined;
    let processed = 0;
    let undecryptableShort = false;
    while (offset < datagram.length && !this.closeState.isClosed) {
      const h = parsePacketHeader(datagram, offset, { shortDcidLength: this.localCids.cidLength });
      if (h.kind === 'drop') {
        this.statsRecord.packetsDropped++;
        if ((datagram[offset] & 0x80) === 0) undecryptableShort = true;
        break;
      }
      if (h.kind === 'versionNegotiation') {
        if (offset === 0) this.onVersionNegotiationPacket(h);
        break;
      }
      if (h.kind === 'retry') {
        if (offset === 0) this.onRetryPacket(datagram, h);
        break;
      }
      if (h.kind === 'unknownVersion') {
        this.statsRecord.packetsDropped++;
        break;
      }
      if (firstDcid === undefined) firstDcid = h.dcid;
      else if (!equalBytes(firstDcid, h.dcid)) {
        // RFC 9000 §12.2: a coalesced packet for another connection ID is ignored.
        this.statsRecord.packetsDropped++;
        offset = h.end;
        continue;
      }
      const result = this.receivePacket(datagram, h, remote, datagram.length, now);
      if (result === 'processed') processed++;
      else if (result === 'undecryptable' && h.kind === 'short') undecryptableShort = true;
      offset = h.end;
    }
    if (processed === 0 && undecryptableShort && this.isStatelessReset(datagram)) return this.onStatelessReset(now);
    if (this.retryBuffered) this.processBuffered(now);
    this.keyUpdates.checkIntegrity(this.keys);
    if (this.role === 'server') this.loss.setAmplificationBlocked(this.amplification.budget < MIN_INITIAL_DATAGRAM, now);
  }

  private processBuffered(now: number): void {
    this.retryBuffered = false;
    const pending = this.buffered;
    this.buffered = [];
    for (const b of pending) {
      if (this.closeState.isClosed) return;
      const h = parsePacketHeader(b.packet, 0, { shortDcidLength: this.localCids.cidLength });
      if (h.kind !== 'long' && h.kind !== 'short') continue;
      this.receivePacket(b.packet, h, this.remote, MIN_INITIAL_DATAGRAM, now);
    }
    if (this.retryBuffered) this.processBuffered(now);
  }

  private levelOf(h: LongHeader | ShortHeader): SendLevel {
    return h.kind === 'short' ? 'oneRtt' : h.type;
  }

  /** One packet of a datagram: version and key checks, unprotection, duplicate check, frames. */
  private receivePacket(
    datagram: Uint8Array,
    h: LongHeader | ShortHeader,
    remote: RemoteAddress,
    datagramLength: number,
    now: number,
  ): 'processed' | 'dropped' | 'undecryptable' | 'buffered' {
    const level = this.levelOf(h);
    const packet = datagram.subarray(h.start, h.end);
    const pnOffset = h.pnOffset - h.start;
    let initialReader: PacketProtector | undefined;
    let pendingSwitch: number | undefined;
    if (h.kind === 'long') {
      if (h.version !== this.version) {
        if (this.role === 'server' && h.version === this.originalVersion && level === 'initial' && this.originalInitialRead !== undefined) {
          initialReader = this.originalInitialRead;
        } else if (this.role === 'client' && level === 'initial' && this.canSwitchTo(h.version)) {
          pendingSwitch = h.version;
          initialReader = new PacketProtector(INITIAL_CIPHER_SUITE, initialKeys(h.version, this.initialKeysDcid, this.provider).server, {
            provider: this.provider,
          });
        } else {
          return this.dropPacket(h, now, 'unsupported_version');
        }
      }
      if (level === 'zeroRtt' && this.role === 'client') return this.dropPacket(h, now, 'unexpected_packet');
      if (level === 'initial') {
        if (this.role === 'server' && datagramLength < MIN_INITIAL_DATAGRAM) return this.dropPacket(h, now, 'initial_too_small');
        if (this.role === 'client' && this.peerInitialScid !== undefined && !equalBytes(this.peerInitialScid, h.scid)) {
          return this.dropPacket(h, now, 'unexpected_source_connection_id');
        }
      }
    }
    const space = this.spaces[spaceOfLevel(level)];
    if (space.discarded) return this.dropPacket(h, now, 'key_unavailable');
    const readable = initialReader !== undefined || this.keys.has(level, 'read');
    const tooEarly = level === 'oneRtt' && this.role === 'server' && !this.handshakeCompleteFlag;
    if (!readable || tooEarly) {
      if (level !== 'initial' && this.buffered.length < MAX_BUFFERED_PACKETS && !(level === 'zeroRtt' && this.handshakeCompleteFlag)) {
        this.buffered.push({ packet: new Uint8Array(packet), level }); // a copy, also of a node Buffer
        return 'buffered';
      }
      return this.dropPacket(h, now, 'key_unavailable');
    }

    let r: UnprotectedPacket;
    try {
      const largest = space.received.largest;
      if (initialReader !== undefined) r = initialReader.unprotect(packet, pnOffset, largest);
      else if (level === 'oneRtt') {
        const kpm = this.keys.oneRttKeys();
        kpm.retainPreviousKeysFor = 3 * this.ptoDuration();
        r = kpm.unprotect(packet, pnOffset, largest, now);
      } else r = this.keys.unprotect(level, packet, pnOffset, largest);
    } catch (e) {
      if (e instanceof PacketProtectionError && e.code === 'RESERVED_BITS') {
        throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'reserved header bits are not zero');
      }
      if (e instanceof PacketProtectionError) {
        this.dropPacket(h, now, 'decryption_failure');
        return 'undecryptable';
      }
      throw e;
    }
    if (space.received.isDuplicate(r.packetNumber)) return this.dropPacket(h, now, 'duplicate');
    if (pendingSwitch !== undefined) this.switchClientVersion(pendingSwitch);

    const packetType: FramePacketType = level;
    const frames = parseFrames(r.payload, packetType, { receiver: this.role });
    if (this.role === 'client' && level === 'initial' && this.peerInitialScid === undefined) {
      this.peerInitialScid = Uint8Array.from((h as LongHeader).scid);
      this.peerCids.setInitial(this.peerInitialScid);
    }
    this.receivedFromPeer = true;
    const ackEliciting = isPacketAckEliciting(frames);
    if (!sameAddress(remote, this.remote) && r.packetNumber > space.received.largest && !frames.every(isProbingFrame)) {
      this.migrate(remote, datagramLength, now);
    }
    if (this.qlog.enabled) {
      this.qlog.packetReceived(now, { packetType: level, packetNumber: r.packetNumber, dcid: h.dcid, scid: h.kind === 'long' ? h.scid : undefined, length: packet.length }, frames);
    }
    if (level === 'oneRtt' && (r as UnprotectedOneRttPacket).keyUpdated) {
      this.qlog.keysInstalled(this.now, 'oneRtt', 'remote_update', this.keys.oneRttKeys().readKeyUpdates);
      this.statsRecord.keyUpdates = this.keys.oneRttKeys().writeKeyUpdates;
    }
    for (const f of frames) {
      if (this.closeState.isClosed) break;
      this.onFrame(f, level, space, r, h.dcid, now);
    }
    space.received.onPacketReceived(r.packetNumber, ackEliciting, now);
    this.idle.onPacketReceived(now);
    this.statsRecord.packetsReceived++;
    if (this.role === 'server' && level === 'handshake') this.onServerHandshakePacket(now);
    return 'processed';
  }

  private canSwitchTo(version: number): boolean {
    return !this.compatibleSwitchDone && !this.receivedFromPeer && this.versions.includes(version) && isCompatibleVersion(this.version, version);
  }

  /** Client: the server chose a compatible version (RFC 9368 §2.3): Initial keys and long headers switch to it. */
  private switchClientVersion(version: number): void {
    this.compatibleSwitchDone = true;
    this.version = version;
    this.keys.setVersion(version);
    this.keys.installInitial(this.initialKeysDcid);
  }

  /** Server: the client's Handshake packet validates its address and ends the Initial space (RFC 9001 §4.9.1). */
  private onServerHandshakePacket(now: number): void {
    this.amplification.validate();
    if (!this.spaces.initial.discarded) {
      this.spaces.initial.discard(now);
      this.originalInitialRead = undefined;
      this.qlog.keysDiscarded(this.now, 'initial');
      if (this.serverInitialDcid !== undefined) this.cidHooks.retire(this.serverInitialDcid);
    }
  }

  private dropPacket(h: PacketHeader, now: number, trigger: string): 'dropped' {
    this.statsRecord.packetsDropped++;
    if (this.qlog.enabled && (h.kind === 'long' || h.kind === 'short')) {
      this.qlog.packetDropped(now, { packetType: this.levelOf(h), dcid: h.dcid, length: h.end - h.start }, trigger);
    }
    return 'dropped';
  }

  private migrate(remote: RemoteAddress, datagramLength: number, now: number): void {
    if (this.role !== 'server') return;
    this.previousRemote = this.remote;
    this.remote = { address: remote.address, port: remote.port };
    this.amplification.reset();
    this.amplification.onReceived(datagramLength);
    this.path.startChallenge(this.remote, Uint8Array.from(this.rng(8)), now + 3 * this.ptoDuration());
  }

  // ------------------------------------------------------------------------------------------ VN, Retry, reset

  /** Client: a Version Negotiation packet (RFC 9000 §6.2, RFC 9368 §4). */
  private onVersionNegotiationPacket(h: VersionNegotiationHeader): void {
    if (this.role !== 'client' || this.receivedFromPeer || this.afterVersionNegotiation) return;
    if (!equalBytes(h.dcid, this.localCids.initial.cid) || !equalBytes(h.scid, this.originalDcid)) return;
    if (this.qlog.enabled) this.qlog.packetReceived(this.now, { packetType: 'versionNegotiation', length: h.end - h.start }, []);
    const outcome = onVersionNegotiation(this.version, h.versions, this.versions);
    if (outcome.action === 'ignore') return;
    if (outcome.action === 'abandon') {
      const list = outcome.offered.map((v) => `0x${v.toString(16)}`).join(', ');
      this.abandon(new QuicError(TransportErrorCode.VERSION_NEGOTIATION_ERROR, `no common QUIC version (server offers ${list})`, { remote: true }));
      return;
    }
    this.restartWithVersion(outcome.version);
  }

  /** Client: a Retry packet (RFC 9000 §8.1.2, §17.2.5; RFC 9001 §5.8). */
  private onRetryPacket(datagram: Uint8Array, h: RetryHeader): void {
    if (this.role !== 'client' || this.receivedFromPeer || this.retrySourceCid !== undefined) return;
    if (h.version !== this.version) return;
    if (!equalBytes(h.dcid, this.localCids.initial.cid) || equalBytes(h.scid, this.peerCids.current)) return;
    if (!verifyRetryIntegrity(h.version, this.peerCids.current, datagram.subarray(h.start, h.end), this.provider)) {
      this.statsRecord.packetsDropped++;
      return;
    }
    if (this.qlog.enabled) this.qlog.packetReceived(this.now, { packetType: 'retry', scid: h.scid, token: h.token, length: h.end - h.start }, []);
    const scid = Uint8Array.from(h.scid);
    this.retrySourceCid = scid;
    this.token = Uint8Array.from(h.token);
    this.peerCids.setInitial(scid);
    this.keys.installInitial(scid);
    this.initialKeysDcid = scid;
    for (const p of this.loss.onRetry(this.now)) this.requeue(this.spaces[p.space], p.frames);
    this.spaces.initial.crypto.requeueUnacked();
  }

  private isStatelessReset(datagram: Uint8Array): boolean {
    return matchStatelessReset(datagram, this.peerCids.resetTokens) !== null;
  }

  /**
   * Endpoint hook: `datagram` could not be routed by its DCID; if it ends with a reset token the peer gave us, the
   * peer lost our state (RFC 9000 §10.3.1): enter draining and report the connection closed.
   */
  handleStatelessReset(datagram: Uint8Array, now: number): boolean {
    if (this.closeState.phase === 'drained' || this.closeState.phase === 'draining') return false;
    if (!this.isStatelessReset(datagram)) return false;
    this.now = now;
    this.onStatelessReset(now);
    return true;
  }

  private onStatelessReset(now: number): void {
    this.closeState.startDraining(now, this.ptoDuration());
    this.emitClosed(new QuicError(TransportErrorCode.NO_ERROR, 'stateless reset', { remote: true }));
    this.qlog.connectionStateUpdated(now, 'draining');
  }

  // ------------------------------------------------------------------------------------------ frames

  private onFrame(f: Frame, level: SendLevel, space: PacketNumberSpace, r: UnprotectedPacket, dcid: Uint8Array, now: number): void {
    switch (f.type) {
      case FrameType.PADDING:
      case FrameType.PING:
        return;
      case FrameType.ACK:
      case FrameType.ACK_ECN:
        return this.onAckFrame(f, space, r, now);
      case FrameType.CRYPTO: {
        const bytes = space.crypto.onCryptoFrame(f.offset, f.data);
        if (bytes === undefined) return;
        if (this.role === 'server' && this.tlsEngine === undefined) return this.onServerInitialCrypto(bytes);
        return tlsSwitch(this, bytes, tlsLevelOf(level));
      }
      case FrameType.NEW_TOKEN:
        if (f.token.length === 0) throw new QuicError(TransportErrorCode.FRAME_ENCODING_ERROR, 'empty NEW_TOKEN', { frameType: FrameType.NEW_TOKEN });
        this.events.push({ type: 'newToken', token: Uint8Array.from(f.token), version: this.version });
        return;
      case FrameType.STREAM:
        this.statsRecord.streamBytesReceived += f.data.length;
        return this.streams.onStreamFrame(f);
      case FrameType.RESET_STREAM:
        return this.streams.onResetStream(f);
      case FrameType.STOP_SENDING:
        return this.streams.onStopSending(f);
      case FrameType.MAX_DATA:
        return this.streams.onMaxData(f.maximum);
      case FrameType.MAX_STREAM_DATA:
        return this.streams.onMaxStreamData(f);
      case FrameType.MAX_STREAMS_BIDI:
      case FrameType.MAX_STREAMS_UNI:
        return this.streams.onMaxStreams(f.type === FrameType.MAX_STREAMS_BIDI ? 'bidi' : 'uni', f.maximum);
      case FrameType.DATA_BLOCKED:
        return this.streams.onDataBlocked(f.limit);
      case FrameType.STREAM_DATA_BLOCKED:
        return this.streams.onStreamDataBlocked({ streamId: f.streamId, maximum: f.limit });
      case FrameType.STREAMS_BLOCKED_BIDI:
      case FrameType.STREAMS_BLOCKED_UNI:
        return this.streams.onStreamsBlocked(f.type === FrameType.STREAMS_BLOCKED_BIDI ? 'bidi' : 'uni', f.limit);
      case FrameType.NEW_CONNECTION_ID:
        return this.peerCids.onNewConnectionId(f);
      case FrameType.RETIRE_CONNECTION_ID:
        return this.localCids.onRetire(f.sequenceNumber, dcid);
      case FrameType.PATH_CHALLENGE:
        return this.path.onChallenge(f.data);
      case FrameType.PATH_RESPONSE: {
        const validated = this.path.onResponse(f.data);
        if (validated !== undefined && sameAddress(validated, this.remote)) {
          this.amplification.validate();
          this.previousRemote = undefined;
        }
        return;
      }
      case FrameType.CONNECTION_CLOSE:
      case FrameType.CONNECTION_CLOSE_APP:
        return this.onPeerClose(f, now);
      case FrameType.HANDSHAKE_DONE:
        // parseFrames refuses it from a client; on the client it confirms the handshake (RFC 9001 §4.1.2).
        if (!this.handshakeCompleteFlag) {
          throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'HANDSHAKE_DONE before the handshake completed', { frameType: FrameType.HANDSHAKE_DONE });
        }
        return this.confirmHandshake();
      case FrameType.DATAGRAM:
        throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'DATAGRAM frame without max_datagram_frame_size', { frameType: 0x30 });
    }
  }

  private onAckFrame(f: AckFrame, space: PacketNumberSpace, r: UnprotectedPacket, now: number): void {
    if (space.id === 'application' && this.zeroRttLargestPn >= 0) this.checkAckOfRejectedZeroRtt(f);
    if (space.id === 'application' && r.keyPhase !== undefined) this.keys.oneRttKeys().checkAckKeyPhase(r.keyPhase, f.largest);
    const exponent = this.peerParams?.ackDelayExponent ?? 3;
    const result = this.loss.onAckReceived(space.id, f.ranges, decodeAckDelay(f.ackDelay, exponent), now, f.ecn);
    const kpm = space.id === 'application' && this.keys.has('oneRtt', 'read') ? this.keys.oneRttKeys() : undefined;
    for (const p of result.newlyAcked) this.onPacketAcked(space, p, kpm);
    if (this.keyUpdateQueued && kpm !== undefined && this.keyUpdates.canUpdate(kpm, this.handshakeConfirmedFlag)) this.startKeyUpdate(kpm);
    for (const p of result.lost) this.onPacketLost(space, p, 'reordering_threshold');
    if (this.qlog.enabled && result.newlyAcked.length > 0) this.qlog.metrics(now, this.loss);
  }

  /**
   * Client, 0-RTT rejected: an acknowledgment for a 0-RTT packet is a PROTOCOL_VIOLATION (RFC 9001 §4.6.2 SHOULD) —
   * a rejecting server processes none of them. Accepted 0-RTT packets are acknowledged normally.
   */
  private checkAckOfRejectedZeroRtt(f: AckFrame): void {
    if (this.role !== 'client' || this.tls.earlyDataStatus !== 'rejected') return;
    const smallest = f.ranges[f.ranges.length - 1].smallest;
    if (smallest > this.zeroRttLargestPn) return;
    throw new QuicError(
      TransportErrorCode.PROTOCOL_VIOLATION,
      `ACK for packet ${smallest}, a 0-RTT packet (0-RTT packets 0..${this.zeroRttLargestPn}), after the server rejected 0-RTT`,
      { frameType: f.type },
    );
  }

  private onPacketAcked(space: PacketNumberSpace, p: SentPacket<SentFrames>, kpm: KeyPhaseManager | undefined): void {
    const f = p.frames;
    if (f.ackLargest >= 0) space.received.onAckAcknowledged(f.ackLargest);
    if (f.crypto !== undefined) for (const c of f.crypto) space.crypto.onAcked(c.offset, c.length);
    if (f.stream !== undefined) for (const s of f.stream) this.streams.onStreamFrameAcked(s);
    if (f.control !== undefined) for (const c of f.control) this.streams.onControlFrameAcked(c);
    kpm?.onPacketAcknowledged(p.pn);
  }

  private onPacketLost(space: PacketNumberSpace, p: SentPacket<SentFrames>, trigger: 'reordering_threshold' | 'time_threshold'): void {
    this.statsRecord.packetsLost++;
    if (this.qlog.enabled) this.qlog.packetLost(this.now, space.id === 'application' ? 'oneRtt' : space.id, p.pn, trigger);
    this.requeue(space, p.frames);
  }

  /** Puts the retransmittable content of a lost (or Retry-dropped) packet back in the send queues. */
  private requeue(space: PacketNumberSpace, f: SentFrames): void {
    if (f.crypto !== undefined && !space.discarded) for (const c of f.crypto) space.crypto.onLost(c.offset, c.length);
    if (f.stream !== undefined) for (const s of f.stream) this.streams.onStreamFrameLost(s);
    if (f.control !== undefined) for (const c of f.control) this.streams.onControlFrameLost(c);
    if (f.handshakeDone) this.handshakeDonePending = true;
    if (f.newToken !== undefined && this.newTokenPending === undefined) this.newTokenPending = f.newToken;
    if (f.newConnectionIds !== undefined) for (const seq of f.newConnectionIds) this.localCids.onNewConnectionIdLost(seq);
    if (f.retireConnectionIds !== undefined) for (const seq of f.retireConnectionIds) this.peerCids.onRetireLost(seq);
    if (f.pathChallenge !== undefined) this.path.onChallengeLost(f.pathChallenge);
  }

  private onPeerClose(f: Extract<Frame, { type: 0x1c | 0x1d }>, now: number): void {
    const application = f.type === FrameType.CONNECTION_CLOSE_APP;
    const error =
      f.errorCode === 0
        ? undefined
        : new QuicError(f.errorCode, f.reason || 'closed by peer', {
            application,
            remote: true,
            frameType: f.type === FrameType.CONNECTION_CLOSE ? f.frameType : 0,
          });
    this.closeState.startDraining(now, this.ptoDuration());
    this.qlog.connectionStateUpdated(now, 'draining');
    this.emitClosed(error);
  }

  // ------------------------------------------------------------------------------------------ close

  /**
   * Closes the connection: CONNECTION_CLOSE with `errorCode` — an application error (frame 0x1d) when
   * `application`, else a transport error (0x1c) — then the closing state for three PTOs. Before the handshake an
   * application close is sent as APPLICATION_ERROR in Initial/Handshake packets (RFC 9000 §10.2.3).
   */
  close(errorCode: number, reason: string, application = false): void {
    if (this.closeState.isClosed) return;
    this.startClosing({ code: errorCode, frameType: 0, reason: truncateReason(reason), application });
    this.emitClosed(errorCode === 0 ? undefined : new QuicError(errorCode, reason || 'closed', { application }));
  }

  private closeWithError(e: QuicError): void {
    if (this.closeState.isClosed) return;
    this.startClosing({ code: e.code, frameType: e.frameType, reason: truncateReason(e.message), application: e.application });
    this.emitClosed(e);
  }

  private startClosing(info: CloseFrameInfo): void {
    this.closeFrame = info;
    this.closeState.startClosing(this.now, this.ptoDuration());
    this.qlog.connectionStateUpdated(this.now, 'closing');
  }

  /** Ends the attempt without sending anything (no common version, idle timeout). */
  private abandon(error: QuicError | undefined): void {
    this.closeState.drain();
    this.emitClosed(error);
    this.onDrained();
  }

  private emitClosed(error: QuicError | undefined): void {
    if (this.closedEventSent) return;
    this.closedEventSent = true;
    this.closeState.error = error;
    this.drainStreamEvents();
    this.events.push({ type: 'connectionClosed', error });
  }

  private onDrained(): void {
    this.qlog.connectionStateUpdated(this.now, 'closed');
    this.localCids.retireAll();
    if (this.serverInitialDcid !== undefined) this.cidHooks.retire(this.serverInitialDcid);
    this.qlog.close();
  }

  /** True once the connection is closed and its closing / draining period is over (the endpoint forgets it). */
  isDrained(): boolean {
    return this.closeState.phase === 'drained';
  }

  /** True once closing, draining or drained. */
  get isClosed(): boolean {
    return this.closeState.isClosed;
  }

  /** Why the connection closed (undefined while open or after a clean close). */
  get closeError(): QuicError | undefined {
    return this.closeState.error;
  }

  // ------------------------------------------------------------------------------------------ timers

  /** The earliest time `onTimeout` must run, or undefined. */
  nextTimeout(): number | undefined {
    const phase = this.closeState.phase;
    if (phase === 'drained') return undefined;
    if (phase !== 'open') return this.closeState.deadline;
    let t = earliest(this.loss.timeout, this.idle.deadline(this.ptoDuration()));
    if (this.amplification.budget >= MIN_SEND_BUDGET) {
      const sp = this.spaces;
      if (this.ackDeadlineOf(sp.initial)) t = earliest(t, sp.initial.received.ackDeadline);
      if (this.ackDeadlineOf(sp.handshake)) t = earliest(t, sp.handshake.received.ackDeadline);
      if (this.ackDeadlineOf(sp.application)) t = earliest(t, sp.application.received.ackDeadline);
    }
    if (this.keys.has('oneRtt', 'read')) t = earliest(t, this.keys.oneRttKeys().nextTimeout());
    t = earliest(t, this.path.timeout);
    t = earliest(t, this.zeroRttDiscardAt);
    t = earliest(t, this.pacingDeadline);
    return earliest(t, this.sendAgainAt);
  }

  /** True when `s` owes an ACK that can be sent (its write keys are there). */
  private ackDeadlineOf(s: PacketNumberSpace): boolean {
    return !s.discarded && s.received.ackDeadline !== undefined && this.canSendAt(s.id);
  }

  private canSendAt(space: PnSpace): boolean {
    return this.keys.has(space === 'initial' ? 'initial' : space === 'handshake' ? 'handshake' : 'oneRtt', 'write');
  }

  /** Runs the timers that are due at `now`. Never throws. */
  onTimeout(now: number): void {
    this.now = now;
    this.guard(() => this.runTimers(now));
  }

  private runTimers(now: number): void {
    const phase = this.closeState.phase;
    if (phase === 'drained') return;
    if (phase !== 'open') {
      this.closeState.onTimeout(now);
      if (this.isDrained()) this.onDrained();
      return;
    }
    const idleAt = this.idle.deadline(this.ptoDuration());
    if (idleAt !== undefined && now >= idleAt) {
      this.abandon(new QuicError(TransportErrorCode.NO_ERROR, 'idle timeout'));
      return;
    }
    if (this.pacingDeadline !== undefined && now >= this.pacingDeadline) this.pacingDeadline = undefined;
    if (this.sendAgainAt !== undefined && now >= this.sendAgainAt) this.sendAgainAt = undefined;
    if (this.keys.has('oneRtt', 'read')) this.keys.oneRttKeys().onTimeout(now);
    if (this.zeroRttDiscardAt !== undefined && now >= this.zeroRttDiscardAt) {
      this.zeroRttDiscardAt = undefined;
      this.keys.discard('zeroRtt');
      this.qlog.keysDiscarded(this.now, 'zeroRtt');
    }
    if (this.path.onTimeout(now) && this.previousRemote !== undefined) {
      // The new path did not validate: go back to the last validated one (RFC 9000 §9.3.2).
      this.remote = this.previousRemote;
      this.previousRemote = undefined;
      this.amplification.validate();
    }
    const action = this.loss.onTimeout(now);
    if (action.kind === 'lost') {
      const space = this.spaces[action.space];
      for (const p of action.lost) this.onPacketLost(space, p, 'time_threshold');
    } else if (action.kind === 'probe') {
      this.statsRecord.ptoCount++;
      const space = this.spaces[action.space];
      space.probes = action.packets;
      if (space.id !== 'application') space.crypto.requeueUnacked();
      // RFC 9002 §6.2.4: with Initial data in flight the Handshake flight is probed too (and vice versa) when
      // coalescing is possible — resend whatever handshake data is outstanding.
      for (const other of [this.spaces.initial, this.spaces.handshake]) {
        if (other !== space && !other.discarded && other.crypto.hasUnacked) other.crypto.requeueUnacked();
      }
    }
  }

  /** The current probe timeout (with the peer's max_ack_delay once the handshake is confirmed). */
  private ptoDuration(): number {
    return this.loss.rtt.pto(this.handshakeConfirmedFlag ? (this.peerParams?.maxAckDelay ?? 25) : 0);
  }

  // ------------------------------------------------------------------------------------------ send

  /** The datagrams to send now (to {@link Connection.remote}). Never throws. */
  send(now: number): Uint8Array[] {
    this.now = now;
    const out: Uint8Array[] = [];
    this.guard(() => this.sendDatagrams(now, out));
    if (this.closeState.phase === 'closing' && this.closeState.closeDatagram === undefined) this.guard(() => this.sendClose(now, out));
    return out;
  }

  private sendDatagrams(now: number, out: Uint8Array[]): void {
    const phase = this.closeState.phase;
    if (phase === 'closing') return this.sendClose(now, out);
    if (phase !== 'open') return;
    this.sendAgainAt = undefined;
    while (out.length < MAX_DATAGRAMS_PER_SEND) {
      const d = this.buildDatagram(now);
      if (d === undefined) break;
      out.push(d);
      if (this.closeState.isClosed) return;
    }
    if (out.length >= MAX_DATAGRAMS_PER_SEND) this.sendAgainAt = now;
    const cc = this.loss.congestion;
    cc.setAppLimited(!this.hasApplicationData() && cc.bytesInFlight < cc.window, now);
    if (this.role === 'server') this.loss.setAmplificationBlocked(this.amplification.budget < MIN_INITIAL_DATAGRAM, now);
  }

  private headerContext(): HeaderContext {
    return {
      version: this.version,
      dcid: this.peerCids.current,
      scid: this.localCids.initial.cid,
      token: this.role === 'client' ? this.token : EMPTY,
    };
  }

  private buildDatagram(now: number): Uint8Array | undefined {
    const budget = Math.min(this.maxSendSize, this.amplification.budget);
    if (budget < MIN_SEND_BUDGET) return undefined;
    const sp = this.spaces;
    const probing = sp.initial.probes > 0 || sp.handshake.probes > 0 || sp.application.probes > 0;
    const cc = this.loss.congestion;
    let mayAdd = probing || cc.canSend(this.maxSendSize);
    if (mayAdd && !probing && this.pacing) {
      const at = this.pacer.nextSendTime(now, this.maxSendSize, cc.window, this.loss.rtt.smoothedRtt);
      if (at > now) {
        this.pacingDeadline = at;
        mayAdd = false;
      }
    }
    const ctx = this.headerContext();
    const plans: PacketPlan[] = [];
    let used = 0;
    for (const level of SEND_LEVELS) {
      const space = sp[spaceOfLevel(level)];
      if (space.discarded || !this.keys.has(level, 'write')) continue;
      if (level === 'oneRtt' && this.role === 'client' && !this.handshakeCompleteFlag) continue;
      const add = mayAdd && !(level === 'oneRtt' && this.keyUpdates.mustWaitForUpdate(this.keys.oneRttKeys(), this.handshakeConfirmedFlag));
      const plan = this.buildPacket(level, space, ctx, budget - used, add, now);
      if (plan === undefined) continue;
      plans.push(plan);
      used += PacketBuilder.size(plan);
    }
    if (plans.length === 0) return undefined;
    const first = plans[0];
    const minSize = first.level === 'initial' && (this.role === 'client' || first.ackEliciting) ? Math.min(MIN_INITIAL_DATAGRAM, budget) : 0;
    if (plans[plans.length - 1].level === 'oneRtt') this.keyUpdates.beforeSeal(this.keys.oneRttKeys(), this.handshakeConfirmedFlag);
    for (const p of plans) PacketBuilder.commit(p);
    const datagram = this.builder.seal(plans, this.keys, ctx, minSize);
    let ackEliciting = false;
    let inFlight = false;
    for (const p of plans) {
      const pInFlight = p.ackEliciting || p.padded;
      this.loss.onPacketSent(p.space.id, { pn: p.pn, ackEliciting: p.ackEliciting, inFlight: pInFlight, size: PacketBuilder.size(p), frames: p.frames }, now);
      ackEliciting ||= p.ackEliciting;
      inFlight ||= pInFlight;
      this.statsRecord.packetsSent++;
      if (p.logged !== undefined) {
        this.qlog.packetSent(now, { packetType: p.level, packetNumber: p.pn, dcid: ctx.dcid, scid: p.level === 'oneRtt' ? undefined : ctx.scid, length: PacketBuilder.size(p) }, p.logged);
      }
      if (p.level === 'handshake' && this.role === 'client') this.sentHandshakePacket = true;
      else if (p.level === 'zeroRtt') this.zeroRttLargestPn = p.pn;
    }
    this.onDatagramSent(datagram);
    if (ackEliciting) this.idle.onAckElicitingSent(now);
    if (inFlight) this.pacer.onPacketSent(now, datagram.length, cc.window, this.loss.rtt.smoothedRtt);
    if (this.sentHandshakePacket && !sp.initial.discarded) {
      // RFC 9001 §4.9.1: a client discards Initial keys when it first sends a Handshake packet.
      sp.initial.discard(now);
      this.qlog.keysDiscarded(this.now, 'initial');
      // no Initial goes out any more (nor a Version Negotiation restart): the token is not needed
      this.token = EMPTY;
      this.givenToken = undefined;
    }
    return datagram;
  }

  private onDatagramSent(datagram: Uint8Array): void {
    this.statsRecord.datagramsSent++;
    this.statsRecord.bytesSent += datagram.length;
    this.amplification.onSent(datagram.length);
  }

  private hasData(level: SendLevel, space: PacketNumberSpace): boolean {
    if (level === 'zeroRtt') return this.streams.wantsToSend;
    if (space.crypto.hasPendingData) return true;
    return level === 'oneRtt' && this.hasApplicationData();
  }

  private hasApplicationData(): boolean {
    return (
      this.handshakeDonePending ||
      this.newTokenPending !== undefined ||
      this.pingPending ||
      this.path.hasPending ||
      this.localCids.hasPending ||
      this.peerCids.hasPending ||
      this.streams.wantsToSend ||
      this.spaces.application.crypto.hasPendingData
    );
  }

  private buildPacket(level: SendLevel, space: PacketNumberSpace, ctx: HeaderContext, room: number, mayAdd: boolean, now: number): PacketPlan | undefined {
    const rx = space.received;
    const zeroRtt = level === 'zeroRtt';
    const ackDue = !zeroRtt && rx.ackDue(now);
    const probe = !zeroRtt && space.probes > 0;
    const wantData = (mayAdd || probe) && this.hasData(level, space);
    if (!ackDue && !wantData && !probe) return undefined;
    const plan = this.builder.begin(level, space, this.loss.largestAcked(space.id), ctx, room);
    if (plan === undefined) return undefined;
    if (zeroRtt) {
      // 0-RTT carries no ACK and no CRYPTO (RFC 9000 §12.4): stream data and flow-control frames only.
      plan.frames.zeroRtt = true;
      this.statsRecord.streamBytesSent += writeStreamFrames(plan, room, this.streams, now, this.loss.rtt.hasSample ? this.loss.rtt.smoothedRtt : undefined);
      if (plan.payload.length === 0) return undefined;
      PacketBuilder.finish(plan);
      return plan;
    }
    if (rx.ackDeadline !== undefined) writeAck(plan, space, room, now, this.local.ackDelayExponent);
    if (mayAdd || probe) {
      writeCrypto(plan, space, room);
      if (level === 'oneRtt') this.writeApplicationFrames(plan, room, now);
    }
    if (probe) {
      if (!plan.ackEliciting && PacketBuilder.roomLeft(plan, room) >= 1) PacketBuilder.add(plan, { type: FrameType.PING }, true);
      space.probes--;
    }
    if (this.pingPending && level === 'oneRtt' && !plan.ackEliciting && PacketBuilder.roomLeft(plan, room) >= 1) {
      PacketBuilder.add(plan, { type: FrameType.PING }, true);
    }
    if (level === 'oneRtt' && plan.ackEliciting) this.pingPending = false;
    if (plan.payload.length === 0) return undefined;
    PacketBuilder.finish(plan);
    return plan;
  }

  private writeApplicationFrames(plan: PacketPlan, room: number, now: number): void {
    if (this.hasApplicationControlFrames()) this.writeApplicationControlFrames(plan, room);
    this.statsRecord.streamBytesSent += writeStreamFrames(plan, room, this.streams, now, this.loss.rtt.hasSample ? this.loss.rtt.smoothedRtt : undefined);
  }

  /** True when a connection-level frame other than stream traffic is queued (checked per packet). */
  private hasApplicationControlFrames(): boolean {
    return (
      this.handshakeDonePending ||
      this.newTokenPending !== undefined ||
      this.path.hasPending ||
      this.localCids.hasPending ||
      this.peerCids.hasPending
    );
  }

  /** HANDSHAKE_DONE, PATH_RESPONSE / PATH_CHALLENGE, NEW / RETIRE_CONNECTION_ID and NEW_TOKEN, as far as they fit. */
  private writeApplicationControlFrames(plan: PacketPlan, room: number): void {
    const f = plan.frames;
    const fits = (n: number): boolean => PacketBuilder.roomLeft(plan, room) >= n;
    if (this.handshakeDonePending && fits(1)) {
      PacketBuilder.add(plan, { type: FrameType.HANDSHAKE_DONE }, true);
      f.handshakeDone = true;
      this.handshakeDonePending = false;
    }
    while (fits(9)) {
      const data = this.path.pollResponse();
      if (data === undefined) break;
      PacketBuilder.add(plan, { type: FrameType.PATH_RESPONSE, data }, true);
    }
    if (fits(9)) {
      const data = this.path.pollChallenge();
      if (data !== undefined) {
        PacketBuilder.add(plan, { type: FrameType.PATH_CHALLENGE, data }, true);
        f.pathChallenge = data;
      }
    }
    while (fits(CONTROL_FRAME_ROOM)) {
      const ncid = this.localCids.pollNewConnectionId();
      if (ncid === undefined) break;
      PacketBuilder.add(plan, ncid, true);
      (f.newConnectionIds ??= []).push(ncid.sequenceNumber);
    }
    while (fits(16)) {
      const seq = this.peerCids.pollRetire();
      if (seq === undefined) break;
      PacketBuilder.add(plan, { type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: seq }, true);
      (f.retireConnectionIds ??= []).push(seq);
    }
    const token = this.newTokenPending;
    if (token !== undefined && fits(token.length + 1 + varintSize(token.length))) {
      PacketBuilder.add(plan, { type: FrameType.NEW_TOKEN, token }, true);
      f.newToken = token;
      this.newTokenPending = undefined;
    }
  }

  private sendClose(now: number, out: Uint8Array[]): void {
    const cs = this.closeState;
    if (cs.closeDatagram === undefined) {
      const d = this.buildCloseDatagram(now);
      // kept to answer later packets: a copy, since the sender may recycle the one it sends (datagramPool.ts)
      cs.closeDatagram = d?.slice() ?? EMPTY;
      if (d !== undefined) {
        out.push(d);
        this.onDatagramSent(d);
      }
      return;
    }
    if (cs.takeAnswer() && cs.closeDatagram.length > 0 && cs.closeDatagram.length <= this.amplification.budget) {
      out.push(cs.closeDatagram);
      this.onDatagramSent(cs.closeDatagram);
    }
  }

  /** CONNECTION_CLOSE in every level the peer may be reading (RFC 9000 §10.2.3). */
  private buildCloseDatagram(now: number): Uint8Array | undefined {
    const info = this.closeFrame;
    if (info === undefined) return undefined;
    const budget = Math.min(this.maxSendSize, this.amplification.budget);
    const ctx = this.headerContext();
    const levels: SendLevel[] = this.handshakeConfirmedFlag ? ['oneRtt'] : ['initial', 'handshake', 'oneRtt'];
    const plans: PacketPlan[] = [];
    let used = 0;
    for (const level of levels) {
      const space = this.spaces[spaceOfLevel(level)];
      if (space.discarded || !this.keys.has(level, 'write')) continue;
      if (level === 'oneRtt' && this.role === 'client' && !this.handshakeCompleteFlag) continue;
      const plan = this.builder.begin(level, space, this.loss.largestAcked(space.id), ctx, budget - used);
      if (plan === undefined) continue;
      const left = PacketBuilder.roomLeft(plan, budget - used) - 24;
      if (left < 0) continue;
      let reason = info.reason;
      while (new TextEncoder().encode(reason).length > left) reason = reason.slice(0, Math.floor(reason.length / 2));
      const frame: Frame =
        info.application && level === 'oneRtt'
          ? { type: FrameType.CONNECTION_CLOSE_APP, errorCode: info.code, reason }
          : info.application
            ? { type: FrameType.CONNECTION_CLOSE, errorCode: TransportErrorCode.APPLICATION_ERROR, frameType: 0, reason: '' }
            : { type: FrameType.CONNECTION_CLOSE, errorCode: info.code, frameType: info.frameType, reason };
      PacketBuilder.add(plan, frame, false);
      plan.frames.connectionClose = true;
      PacketBuilder.finish(plan);
      plans.push(plan);
      used += PacketBuilder.size(plan);
    }
    if (plans.length === 0) return undefined;
    for (const p of plans) PacketBuilder.commit(p);
    const minSize = plans[0].level === 'initial' && this.role === 'client' ? Math.min(MIN_INITIAL_DATAGRAM, budget) : 0;
    if (plans[plans.length - 1].level === 'oneRtt') this.keyUpdates.beforeSeal(this.keys.oneRttKeys(), this.handshakeConfirmedFlag);
    const d = this.builder.seal(plans, this.keys, ctx, minSize);
    for (const p of plans) {
      if (p.logged !== undefined) this.qlog.packetSent(now, { packetType: p.level, packetNumber: p.pn, dcid: ctx.dcid, length: PacketBuilder.size(p) }, p.logged);
    }
    return d;
  }

  // ------------------------------------------------------------------------------------------ streams & events

  /**
   * Opens a stream and returns its ID. QuicError(STREAM_LIMIT_ERROR) when the peer's MAX_STREAMS is reached (a
   * STREAMS_BLOCKED frame is sent; retry after the peer raises the limit).
   */
  openStream(bidirectional: boolean): number {
    if (this.closeState.isClosed) throw new QuicError(TransportErrorCode.NO_ERROR, 'connection is closed');
    const s = this.streams.openStream(bidirectional ? 'bidi' : 'uni');
    if (s === undefined) {
      throw new QuicError(TransportErrorCode.STREAM_LIMIT_ERROR, `the peer allows no more ${bidirectional ? 'bidirectional' : 'unidirectional'} streams now`);
    }
    return s.id;
  }

  /**
   * Queues bytes on a stream; returns how many were taken (fewer than offered — possibly 0 — when the send buffer is
   * (nearly) full: wait for `streamWritable`). QuicError(STREAM_STATE_ERROR) for a stream without an open send part.
   */
  writeStream(streamId: number, data: Uint8Array): number {
    const s = this.streams.stream(streamId);
    const send = s?.send;
    if (send === undefined) throw new QuicError(TransportErrorCode.STREAM_STATE_ERROR, `stream ${streamId} has no open send part`);
    const limit = this.sendBufferLimit(send.highWaterMark);
    const room = limit - send.writableLength;
    // Take bytes only once a useful amount of buffer is free, so that acknowledgments releasing a packet's worth do
    // not turn into one full and one tiny packet per round (silly window).
    if (room <= 0 || room < Math.min(data.length, writeThreshold(limit))) {
      this.writeWaiters.add(streamId); // 'streamWritable' once enough room is free
      return 0;
    }
    const n = Math.min(room, data.length);
    this.streams.write(streamId, n === data.length ? data : data.subarray(0, n));
    return n;
  }

  /** Sends FIN after the queued bytes. */
  endStream(streamId: number): void {
    this.streams.end(streamId);
  }

  /** Reads the in-order bytes available on a stream (with `fin` at the end), or undefined when nothing is new. */
  readStream(streamId: number): StreamReadResult | undefined {
    const recv = this.streams.stream(streamId)?.recv;
    if (recv === undefined) return undefined;
    const data = this.streams.read(streamId);
    const fin = recv.finished && !this.finReported.has(streamId);
    if (fin) this.finReported.add(streamId);
    if (data === undefined && !fin) return undefined;
    return { data: data ?? EMPTY, fin };
  }

  /** Abandons sending on a stream (RESET_STREAM with an application error code). */
  resetStream(streamId: number, errorCode: number): void {
    this.streams.resetStream(streamId, errorCode);
  }

  /** Asks the peer to stop sending on a stream (STOP_SENDING). */
  stopSending(streamId: number, errorCode: number): void {
    this.streams.stopSending(streamId, errorCode);
  }

  /**
   * How many bytes a stream may hold (unsent + unacknowledged): its configured send buffer, grown to twice the
   * congestion window (capped by `maxStreamSendBuffer`) — a buffer smaller than the window would cap the bytes in
   * flight below what congestion control allows (send-buffer autotuning, as TCP stacks do).
   */
  private sendBufferLimit(configured: number): number {
    const tuned = Math.min(2 * this.loss.congestion.window, this.maxSendBuffer);
    return tuned > configured ? tuned : configured;
  }

  /** Next event, or undefined. */
  pollEvent(): ConnectionCoreEvent | undefined {
    if (!this.closedEventSent) {
      this.drainStreamEvents();
      if (this.writeWaiters.size > 0) this.checkWriteWaiters();
    }
    return this.events.shift();
  }

  /** Writers refused for lack of room hear 'streamWritable' once a useful share of the buffer is free again. */
  private checkWriteWaiters(): void {
    for (const id of this.writeWaiters) {
      const send = this.streams.stream(id)?.send;
      const limit = send === undefined ? 0 : this.sendBufferLimit(send.highWaterMark);
      if (send === undefined || limit - send.writableLength >= writeThreshold(limit)) {
        this.writeWaiters.delete(id);
        this.events.push({ type: 'streamWritable', streamId: id });
      }
    }
  }

  private drainStreamEvents(): void {
    for (let e = this.streams.pollEvent(); e !== undefined; e = this.streams.pollEvent()) {
      switch (e.type) {
        case 'opened':
          this.events.push({ type: 'streamOpened', streamId: e.streamId });
          break;
        case 'readable':
          this.events.push({ type: 'streamReadable', streamId: e.streamId });
          break;
        case 'writable':
          this.events.push({ type: 'streamWritable', streamId: e.streamId });
          break;
        case 'reset':
        case 'stopSending':
          this.events.push({ type: 'streamClosed', streamId: e.streamId, errorCode: e.errorCode });
          break;
        case 'closed':
          this.finReported.delete(e.streamId);
          this.events.push({ type: 'streamClosed', streamId: e.streamId });
          break;
        case 'streamsAvailable':
          this.events.push({ type: 'streamsAvailable', bidirectional: e.direction === 'bidi' });
          break;
      }
    }
  }

  /**
   * Starts a 1-RTT key update (RFC 9001 §6). Returns true when the new keys are in use now; false when the previous
   * update is not acknowledged yet — the update is then queued (a PING asks for the acknowledgment) and starts as soon
   * as RFC 9001 §6.1 allows. QuicError(KEY_UPDATE_ERROR) before the handshake is confirmed (the connection stays open).
   */
  updateKeys(): boolean {
    if (!this.keys.has('oneRtt', 'write') || !this.handshakeConfirmedFlag) {
      throw new QuicError(TransportErrorCode.KEY_UPDATE_ERROR, 'key update before the handshake is confirmed');
    }
    const kpm = this.keys.oneRttKeys();
    this.pingPending = true;
    if (!this.keyUpdates.canUpdate(kpm, true)) {
      this.keyUpdateQueued = true;
      return false;
    }
    this.startKeyUpdate(kpm);
    return true;
  }

  private startKeyUpdate(kpm: KeyPhaseManager): void {
    this.keyUpdateQueued = false;
    this.keyUpdates.initiate(kpm, this.handshakeConfirmedFlag);
    this.statsRecord.keyUpdates = kpm.writeKeyUpdates;
    this.qlog.keysInstalled(this.now, 'oneRtt', 'local_update', kpm.writeKeyUpdates);
    this.pingPending = true;
  }

  /** Sends a PING (e.g. to keep the connection from idling out or to measure the RTT). */
  ping(): void {
    this.pingPending = true;
  }

  /** True once the handshake completed (TLS CONNECTED, transport parameters accepted). */
  get handshakeComplete(): boolean {
    return this.handshakeCompleteFlag;
  }

  /** True once the handshake is confirmed (RFC 9001 §4.1.2). */
  get handshakeConfirmedState(): boolean {
    return this.handshakeConfirmedFlag;
  }

  /** The QUIC version in use. */
  get quicVersion(): number {
    return this.version;
  }

  /** The peer's transport parameters, once received and validated. */
  get peerTransportParameters(): TransportParameters | undefined {
    return this.peerParams;
  }

  /** Our transport parameters. */
  get localTransportParameters(): TransportParameters {
    return this.local;
  }

  /** The TLS engine, when created (a server creates it once the ClientHello is complete). */
  get tlsEngineOrUndefined(): TlsEngine | undefined {
    return this.tlsEngine;
  }

  /** Bytes received / sent while the server did not yet know the client's address was valid (RFC 9000 §8.1). */
  get amplificationCounters(): { validated: boolean; received: number; sent: number } {
    return { validated: this.amplification.validated, ...this.amplification.counters };
  }

  /** Counters: RTT, congestion window, bytes, packets sent / received / lost, PTOs, key updates. */
  stats(): ConnectionStats {
    const s = this.statsRecord;
    const rtt = this.loss.rtt;
    s.smoothedRtt = rtt.smoothedRtt;
    s.minRtt = rtt.hasSample ? rtt.minRtt : 0;
    s.latestRtt = rtt.latestRtt;
    s.congestionWindow = this.loss.congestion.window;
    s.bytesInFlight = this.loss.congestion.bytesInFlight;
    return { ...s };
  }
}

/** Free send-buffer bytes a write waits for (1/8 of the buffer), so a writer never trickles byte-sized chunks. */
function writeThreshold(highWaterMark: number): number {
  return Math.max(1, Math.ceil(highWaterMark / 8));
}
