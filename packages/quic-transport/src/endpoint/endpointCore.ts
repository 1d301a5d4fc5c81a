/**
 * The sans-IO heart of a QUIC endpoint: one per UDP socket, any number of connections (client and/or server).
 * It routes each datagram by the DCID of its first packet (RFC 9000 §5.2), and answers — before any connection
 * state exists — with Version Negotiation (§6), Retry (§8.1.2) and Stateless Reset (§10.3). It keeps the CID table
 * in sync with the connections (IDs issued / retired through {@link ConnectionIdHooks}), drives their timers from
 * one deadline, collects their datagrams, and forgets them once they are drained.
 *
 * No sockets, no timers, no clock, no `Math.random()`: time is passed in and randomness comes from the
 * CryptoProvider. The Node `Endpoint` (udpEndpoint.ts) is a thin shell around this class.
 *
 * Drop rules applied here: datagrams whose first packet cannot be parsed; long-header packets with an unknown DCID
 * that are not client Initials; Initials in datagrams smaller than 1200 bytes; Initials whose DCID is shorter than
 * 8 bytes (§7.2); packets of an unsupported version smaller than 1200 bytes (§5.2.2: no VN for them); Version
 * Negotiation and Retry packets for no connection; short-header packets for an unknown CID too small to elicit a
 * stateless reset (or beyond the reset rate limit).
 */
import type { CryptoProvider } from '@quichs/tls-hs';
import { defaultProvider } from '@quichs/tls-hs';
import { retryIntegrityTag } from '@quichs/quic-crypto';
import { TransportErrorCode } from '../errors.js';
import { MAX_CONNECTION_ID_LENGTH } from '../frame/frameType.js';
import { HEADER_FORM_BIT, parsePacketHeader } from '../packet/packetHeader.js';
import type { LongHeader } from '../packet/packetHeader.js';
import { buildRetryPacket } from '../packet/retry.js';
import { buildStatelessReset, statelessResetSize } from '../packet/statelessReset.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from '../packet/version.js';
import { buildVersionNegotiation } from '../packet/versionNegotiation.js';
import { AddressTokenMinter } from '../token/addressToken.js';
import { StatelessResetTokenGenerator } from '../token/statelessResetToken.js';
import { ConnectionIdTable } from './connectionIdTable.js';
import { buildInitialClose } from './initialClose.js';
import { RateLimiter } from './rateLimiter.js';
import type { RateLimiterOptions } from './rateLimiter.js';
import type { RemoteAddress, Transmit } from './transmit.js';

/** Smallest UDP payload of a datagram carrying a client Initial (RFC 9000 §14.1). */
export const MIN_INITIAL_DATAGRAM_SIZE = 1200;
/** Smallest DCID length of a client's first Initial (RFC 9000 §7.2). */
export const MIN_INITIAL_DCID_LENGTH = 8;

/** What the endpoint needs from a connection (implemented by an adapter around the sans-IO Connection). */
export interface EndpointConnection {
  /** Processes a datagram routed to this connection. */
  receive(datagram: Uint8Array, remote: RemoteAddress, now: number): void;
  /** Datagrams to send now (to {@link EndpointConnection.remote}). */
  send(now: number): Uint8Array[];
  /** Earliest time the connection needs {@link EndpointConnection.onTimeout}, or undefined. */
  nextTimeout(): number | undefined;
  /** Lets timers fire. */
  onTimeout(now: number): void;
  /** Closes the connection (CONNECTION_CLOSE with a transport error code). */
  close(errorCode: number, reason: string): void;
  /** True once the connection is closed and drained: the endpoint forgets it. */
  isDrained(): boolean;
  /** The peer's current address. */
  readonly remote: RemoteAddress;
  /**
   * Optional: true if `datagram` (not routable by its DCID) ends with a stateless reset token the peer gave this
   * connection; the connection then enters the draining period itself (RFC 9000 §10.3.1).
   */
  handleStatelessReset?(datagram: Uint8Array, now: number): boolean;
}

/** A connection ID issued by the endpoint, with its stateless reset token. */
export interface IssuedConnectionId {
  /** The new connection ID. */
  cid: Uint8Array;
  /** Its stateless reset token (HMAC of the CID under the endpoint's static key). */
  statelessResetToken: Uint8Array;
}

/** Per-connection hooks that keep the endpoint's CID table in sync with NEW_CONNECTION_ID / RETIRE_CONNECTION_ID. */
export interface ConnectionIdHooks {
  /** Length of the IDs this endpoint issues. */
  readonly cidLength: number;
  /** A fresh, routed connection ID (for NEW_CONNECTION_ID). */
  issue(): IssuedConnectionId;
  /** Stops routing an ID (the peer retired it, or the connection dropped it). */
  retire(cid: Uint8Array): void;
  /** The stateless reset token of one of our IDs. */
  resetTokenFor(cid: Uint8Array): Uint8Array;
}

/** Everything a server connection needs to start from a client's first Initial. */
export interface IncomingConnection {
  /** Client address. */
  remote: RemoteAddress;
  /** QUIC version of the Initial. */
  version: number;
  /** DCID of the accepted Initial: the Initial keys derive from it. */
  initialDcid: Uint8Array;
  /** The client's SCID (our first DCID). */
  peerCid: Uint8Array;
  /** Our first SCID (sequence number 0), already routed, and its reset token. */
  localCid: IssuedConnectionId;
  /** original_destination_connection_id (the client's very first DCID, before any Retry). */
  originalDcid: Uint8Array;
  /** retry_source_connection_id when the connection follows a Retry. */
  retrySourceCid: Uint8Array | undefined;
  /** True when a valid token proved the client's address (no anti-amplification limit needed). */
  addressValidated: boolean;
  /** Hooks for further connection IDs. */
  cids: ConnectionIdHooks;
  /**
   * Mints a NEW_TOKEN token bound to this client's address (RFC 9000 §8.1.3) and to `version`, the connection's
   * negotiated QUIC version (RFC 9369 §5).
   */
  mintNewToken?: (now: number, version: number) => Uint8Array;
  /** The versions this endpoint accepts, in preference order (the connection's version_information lists them). */
  versions?: readonly number[];
  /** Time of arrival. */
  now: number;
}

/** What a client connection needs from the endpoint. */
export interface OutgoingConnection {
  /** Server address. */
  remote: RemoteAddress;
  /** Our first SCID (already routed) and its reset token. */
  localCid: IssuedConnectionId;
  /** Hooks for further connection IDs. */
  cids: ConnectionIdHooks;
  /** Time of the connect call. */
  now: number;
}

/** Counters of what the endpoint did (for tests and stats). */
export interface EndpointCoreStats {
  /** Datagrams received. */
  datagramsReceived: number;
  /** Datagrams delivered to a connection. */
  datagramsRouted: number;
  /** Datagrams dropped, by reason. */
  dropped: Record<string, number>;
  /** Version Negotiation packets sent. */
  versionNegotiationSent: number;
  /** Retry packets sent. */
  retrySent: number;
  /** Stateless resets sent. */
  statelessResetsSent: number;
  /** Stateless resets received for one of our connections. */
  statelessResetsReceived: number;
  /** Stateless CONNECTION_CLOSE (INVALID_TOKEN / CONNECTION_REFUSED) sent. */
  initialClosesSent: number;
  /** Server connections accepted. */
  accepted: number;
}

/** Server behaviour of an endpoint. */
export interface EndpointServerOptions {
  /** Creates the connection for an accepted client Initial, or returns undefined to refuse it (CONNECTION_REFUSED). */
  accept(incoming: IncomingConnection): EndpointConnection | undefined;
  /** Demand address validation with a Retry before creating state (default false). */
  retry?: boolean;
  /** Most concurrent connections (default 10 000); more Initials get CONNECTION_REFUSED. */
  maxConnections?: number;
}

/** Options of an {@link EndpointCore}. */
export interface EndpointCoreOptions {
  /** Crypto provider (CIDs, tokens, resets; default tls-hs defaultProvider()). */
  provider?: CryptoProvider;
  /** Length of the connection IDs we issue (default 8; 1..20; short headers are parsed with it). */
  cidLength?: number;
  /** Versions we accept, in preference order (default [v1, v2]); sent in Version Negotiation. */
  versions?: readonly number[];
  /** Server behaviour; absent → this endpoint accepts no connections (see {@link EndpointCore.listen}). */
  server?: EndpointServerOptions;
  /** Address token minter (default: a new one with a random key through `provider`). */
  tokens?: AddressTokenMinter;
  /** Stateless reset token generator (default: random static key through `provider`). */
  resetTokens?: StatelessResetTokenGenerator;
  /** Rate limit for stateless resets (default 20/s, burst 10). */
  statelessResetRate?: RateLimiterOptions;
  /** Add a reserved (greasing) version 0x?a?a?a?a to Version Negotiation (default true). */
  greaseVersionNegotiation?: boolean;
}

/** What the connections' CID hooks need from their endpoint (one object per endpoint). */
interface CidRegistry {
  readonly cidLength: number;
  readonly provider: CryptoProvider;
  readonly table: ConnectionIdTable<Entry>;
  readonly resetTokens: StatelessResetTokenGenerator;
}

/**
 * A connection's routing entry, which is also the connection's {@link ConnectionIdHooks}: the hooks are methods on
 * the prototype, so a connection costs one small object here rather than a hooks object and three closures.
 */
class Entry implements ConnectionIdHooks {
  /** The connection (undefined only while its factory runs). */
  conn: EndpointConnection | undefined = undefined;
  /** Touched since the last flush: poll its send(). */
  dirty = true;
  private readonly registry: CidRegistry;

  constructor(registry: CidRegistry) {
    this.registry = registry;
  }

  get cidLength(): number {
    return this.registry.cidLength;
  }

  issue(): IssuedConnectionId {
    const r = this.registry;
    for (;;) {
      const cid = r.provider.randomBytes(r.cidLength);
      if (!r.table.add(cid, this)) continue;
      // the ID and its token share one buffer (a connection keeps a few of these for its whole life)
      const token = r.resetTokens.tokenFor(cid);
      const both = new Uint8Array(cid.length + token.length);
      both.set(cid);
      both.set(token, cid.length);
      return { cid: both.subarray(0, cid.length), statelessResetToken: both.subarray(cid.length) };
    }
  }

  retire(cid: Uint8Array): void {
    const table = this.registry.table;
    if (table.get(cid) === this) table.remove(cid);
  }

  resetTokenFor(cid: Uint8Array): Uint8Array {
    return this.registry.resetTokens.tokenFor(cid);
  }
}

/** The sans-IO endpoint. */
export class EndpointCore {
  /** Length of the connection IDs we issue. */
  readonly cidLength: number;
  /** Accepted versions. */
  readonly versions: readonly number[];
  /** Counters. */
  readonly stats: EndpointCoreStats = {
    datagramsReceived: 0,
    datagramsRouted: 0,
    dropped: {},
    versionNegotiationSent: 0,
    retrySent: 0,
    statelessResetsSent: 0,
    statelessResetsReceived: 0,
    initialClosesSent: 0,
    accepted: 0,
  };
  /** The address token minter (Retry and NEW_TOKEN tokens). */
  readonly tokens: AddressTokenMinter;
  /** The stateless reset token generator. */
  readonly resetTokens: StatelessResetTokenGenerator;
  /** Called when a drained connection is forgotten. */
  onConnectionRemoved: ((conn: EndpointConnection) => void) | undefined;

  private readonly provider: CryptoProvider;
  private readonly options: EndpointCoreOptions;
  private server: EndpointServerOptions | undefined;
  private readonly table = new ConnectionIdTable<Entry>();
  private readonly registry: CidRegistry;
  private readonly entries = new Map<EndpointConnection, Entry>();
  private readonly outbox: Transmit[] = [];
  private readonly resetLimiter: RateLimiter;
  private closing = false;

  /** Creates the core; a CID length outside 1..20 or an empty version list is a RangeError. */
  constructor(options: EndpointCoreOptions = {}) {
    this.options = options;
    this.server = options.server;
    this.provider = options.provider ?? defaultProvider();
    this.cidLength = options.cidLength ?? 8;
    if (!Number.isInteger(this.cidLength) || this.cidLength < 1 || this.cidLength > MAX_CONNECTION_ID_LENGTH) {
      throw new RangeError('cidLength must be 1..20 (zero-length CIDs cannot be routed)');
    }
    this.versions = options.versions ?? [QUIC_VERSION_1, QUIC_VERSION_2];
    if (this.versions.length === 0) throw new RangeError('at least one QUIC version is needed');
    this.tokens = options.tokens ?? new AddressTokenMinter({ provider: this.provider });
    this.resetTokens = options.resetTokens ?? new StatelessResetTokenGenerator({ provider: this.provider });
    this.registry = { cidLength: this.cidLength, provider: this.provider, table: this.table, resetTokens: this.resetTokens };
    this.resetLimiter = new RateLimiter(options.statelessResetRate);
  }

  /** Starts (or reconfigures) accepting connections. */
  listen(server: EndpointServerOptions): void {
    this.server = server;
  }

  /** True when this endpoint accepts connections. */
  get listening(): boolean {
    return this.server !== undefined && !this.closing;
  }

  /** Number of live connections. */
  get connectionCount(): number {
    return this.entries.size;
  }

  /** The live connections. */
  connections(): EndpointConnection[] {
    const out: EndpointConnection[] = [];
    for (const c of this.entries.keys()) out.push(c);
    return out;
  }

  /** True when `cid` routes to a connection. */
  isRouted(cid: Uint8Array): boolean {
    return this.table.has(cid);
  }

  /** The connection `cid` routes to. */
  connectionFor(cid: Uint8Array): EndpointConnection | undefined {
    return this.table.get(cid)?.conn;
  }

  /**
   * Starts a client connection: issues our first SCID and calls `create` with it; the returned connection is
   * registered and polled at the next {@link EndpointCore.flush}.
   */
  connect<C extends EndpointConnection>(remote: RemoteAddress, now: number, create: (out: OutgoingConnection) => C): C {
    if (this.closing) throw new RangeError('endpoint is closed');
    const entry = new Entry(this.registry); // also the connection's ConnectionIdHooks
    const localCid = entry.issue();
    let conn: C;
    try {
      conn = create({ remote, localCid, cids: entry, now });
    } catch (err) {
      this.table.removeOwner(entry);
      throw err;
    }
    entry.conn = conn;
    this.entries.set(conn, entry);
    return conn;
  }

  /** Processes one received datagram. Never throws on datagram contents. */
  receive(datagram: Uint8Array, remote: RemoteAddress, now: number): void {
    this.stats.datagramsReceived++;
    if (datagram.length === 0) return this.drop('empty');
    if ((datagram[0] & HEADER_FORM_BIT) === 0) return this.receiveShort(datagram, remote, now);

    const h = parsePacketHeader(datagram, 0, { shortDcidLength: this.cidLength });
    switch (h.kind) {
      case 'drop':
        return this.drop(`long_${h.reason}`);
      case 'unknownVersion':
        return this.answerUnknownVersion(datagram.length, h.dcid, h.scid, remote);
      case 'versionNegotiation':
      case 'retry': {
        const entry = this.table.get(h.dcid);
        if (!entry?.conn) return this.drop(`${h.kind}_unknown_cid`);
        return this.deliver(entry, datagram, remote, now);
      }
      case 'long': {
        const entry = this.table.get(h.dcid);
        if (entry?.conn) return this.deliver(entry, datagram, remote, now);
        if (h.type !== 'initial') return this.drop('long_unknown_cid');
        return this.receiveNewInitial(datagram, h, remote, now);
      }
      /* c8 ignore next 2 -- a long-header first byte never parses as short */
      default:
        return this.drop('unexpected');
    }
  }

  /** Earliest deadline across connections (ms), or undefined when none needs a timer. */
  nextTimeout(): number | undefined {
    let t: number | undefined;
    for (const c of this.entries.keys()) {
      const n = c.nextTimeout();
      if (n !== undefined && (t === undefined || n < t)) t = n;
    }
    return t;
  }

  /** Fires the timers of every connection whose deadline has passed. */
  onTimeout(now: number): void {
    for (const [c, entry] of this.entries) {
      const n = c.nextTimeout();
      if (n !== undefined && n <= now) {
        c.onTimeout(now);
        entry.dirty = true;
      }
    }
  }

  /** Marks a connection as having something to send (after an application write, close, …). */
  markDirty(conn: EndpointConnection): void {
    const entry = this.entries.get(conn);
    if (entry) entry.dirty = true;
  }

  /**
   * Collects what must go out now: the endpoint's own answers (VN, Retry, resets, stateless closes) and the
   * datagrams of every connection touched since the last flush; then forgets drained connections.
   */
  flush(now: number): Transmit[] {
    for (const [c, entry] of this.entries) {
      if (!entry.dirty) continue;
      entry.dirty = false;
      for (const d of c.send(now)) this.outbox.push({ datagram: d, remote: c.remote });
    }
    this.sweep();
    return this.outbox.splice(0, this.outbox.length);
  }

  /** Removes connections that report {@link EndpointConnection.isDrained}, and their CIDs. */
  sweep(): void {
    for (const [c, entry] of this.entries) {
      if (!c.isDrained()) continue;
      this.entries.delete(c);
      this.table.removeOwner(entry);
      this.onConnectionRemoved?.(c);
    }
  }

  /**
   * Closes every connection with `errorCode` (default NO_ERROR) and refuses new ones. Call {@link flush} after it
   * to send the CONNECTION_CLOSE packets.
   */
  close(errorCode: number = TransportErrorCode.NO_ERROR, reason = 'endpoint closing'): void {
    this.closing = true;
    for (const [c, entry] of this.entries) {
      c.close(errorCode, reason);
      entry.dirty = true;
    }
  }

  /** Forgets every connection at once (after close + flush, when the socket goes away). */
  clear(): void {
    for (const [c, entry] of this.entries) {
      this.table.removeOwner(entry);
      this.onConnectionRemoved?.(c);
    }
    this.entries.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private drop(reason: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
  }

  private deliver(entry: Entry, datagram: Uint8Array, remote: RemoteAddress, now: number): void {
    const conn = entry.conn;
    /* c8 ignore next -- entries with a route always have a connection once created */
    if (!conn) return this.drop('not_ready');
    this.stats.datagramsRouted++;
    entry.dirty = true;
    conn.receive(datagram, remote, now);
  }

  private receiveShort(datagram: Uint8Array, remote: RemoteAddress, now: number): void {
    if (datagram.length >= 1 + this.cidLength) {
      const entry = this.table.get(datagram.subarray(1, 1 + this.cidLength));
      if (entry?.conn) return this.deliver(entry, datagram, remote, now);
    }
    // Not routable: a stateless reset for one of our connections?
    for (const [c, entry] of this.entries) {
      if (c.handleStatelessReset?.(datagram, now)) {
        this.stats.statelessResetsReceived++;
        entry.dirty = true;
        return;
      }
    }
    this.sendStatelessReset(datagram, remote, now);
  }

  /**
   * RFC 9000 §10.3: answer an unknown short-header packet with a reset one byte shorter than it (capped at 43
   * bytes, never below 21 — so a reset never answers a packet that could itself be a minimal reset, and two
   * endpoints cannot loop), rate-limited.
   */
  private sendStatelessReset(datagram: Uint8Array, remote: RemoteAddress, now: number): void {
    const size = statelessResetSize(datagram.length);
    if (size === 0 || datagram.length < 1 + this.cidLength) return this.drop('short_unknown_cid_too_small');
    if (!this.resetLimiter.tryTake(now)) return this.drop('stateless_reset_rate_limited');
    const cid = datagram.subarray(1, 1 + this.cidLength);
    const reset = buildStatelessReset(this.resetTokens.tokenFor(cid), this.provider.randomBytes(size - 16));
    this.stats.statelessResetsSent++;
    this.outbox.push({ datagram: reset, remote });
  }

  private answerUnknownVersion(datagramLength: number, dcid: Uint8Array, scid: Uint8Array, remote: RemoteAddress): void {
    if (!this.server || this.closing) return this.drop('unknown_version');
    if (datagramLength < MIN_INITIAL_DATAGRAM_SIZE) return this.drop('unknown_version_too_small');
    return this.sendVersionNegotiation(dcid, scid, remote);
  }

  /** Version Negotiation echoing the packet's CIDs (swapped), listing our versions plus a greasing one. */
  private sendVersionNegotiation(dcid: Uint8Array, scid: Uint8Array, remote: RemoteAddress): void {
    const versions = [...this.versions];
    const rnd = this.provider.randomBytes(5);
    if (this.options.greaseVersionNegotiation !== false) {
      versions.push((((rnd[1] & 0xf0) << 24) | ((rnd[2] & 0xf0) << 16) | ((rnd[3] & 0xf0) << 8) | (rnd[4] & 0xf0) | 0x0a0a0a0a) >>> 0);
    }
    const vn = buildVersionNegotiation({ dcid: scid, scid: dcid, versions, unusedBits: rnd[0] });
    this.stats.versionNegotiationSent++;
    this.outbox.push({ datagram: vn, remote });
  }

  private receiveNewInitial(datagram: Uint8Array, h: LongHeader, remote: RemoteAddress, now: number): void {
    const server = this.server;
    if (!server || this.closing) return this.drop('initial_not_listening');
    if (datagram.length < MIN_INITIAL_DATAGRAM_SIZE) return this.drop('initial_too_small');
    if (!this.versions.includes(h.version)) return this.sendVersionNegotiation(h.dcid, h.scid, remote);
    if (h.dcid.length < MIN_INITIAL_DCID_LENGTH) return this.drop('initial_dcid_too_short');

    let originalDcid = h.dcid;
    let retrySourceCid: Uint8Array | undefined;
    let validated = false;
    if (h.token.length > 0) {
      const v = this.tokens.validate(h.token, { remote, dcid: h.dcid, now, version: h.version });
      if (v.valid) {
        validated = true;
        if (v.kind === 'retry') {
          originalDcid = v.originalDcid;
          retrySourceCid = Uint8Array.from(h.dcid);
        }
      } else if (v.claimedKind === 'retry') {
        // RFC 9000 §8.1.3: a bad Retry token → INVALID_TOKEN (the client cannot recover by itself); one of another
        // QUIC version is bad too (RFC 9369 §5).
        return this.sendInitialClose(h, remote, TransportErrorCode.INVALID_TOKEN, 'invalid retry token');
      }
      // A bad NEW_TOKEN token (also one from another QUIC version, RFC 9369 §5) is ignored: continue as if there was
      // none — the address stays unvalidated.
    }
    if (!validated && server.retry) return this.sendRetry(h, remote, now);
    if (this.entries.size >= (server.maxConnections ?? 10_000)) {
      return this.sendInitialClose(h, remote, TransportErrorCode.CONNECTION_REFUSED, 'server busy');
    }

    const entry = new Entry(this.registry); // also the connection's ConnectionIdHooks
    const initialDcid = Uint8Array.from(h.dcid);
    if (!this.table.add(initialDcid, entry)) return this.drop('initial_dcid_collision');
    const localCid = entry.issue();
    let conn: EndpointConnection | undefined;
    try {
      conn = server.accept({
        remote: { address: remote.address, port: remote.port },
        version: h.version,
        initialDcid,
        peerCid: Uint8Array.from(h.scid),
        localCid,
        originalDcid: Uint8Array.from(originalDcid),
        retrySourceCid,
        addressValidated: validated,
        cids: entry,
        mintNewToken: (t: number, version: number) => this.tokens.mintNewToken({ address: remote.address, port: remote.port }, t, version),
        versions: this.versions,
        now,
      });
    } catch {
      conn = undefined;
    }
    if (!conn) {
      this.table.removeOwner(entry);
      return this.sendInitialClose(h, remote, TransportErrorCode.CONNECTION_REFUSED, 'connection refused');
    }
    entry.conn = conn;
    this.entries.set(conn, entry);
    this.stats.accepted++;
    this.deliver(entry, datagram, remote, now);
  }

  private sendRetry(h: LongHeader, remote: RemoteAddress, now: number): void {
    let scid: Uint8Array;
    do scid = this.provider.randomBytes(this.cidLength);
    while (this.table.has(scid));
    const token = this.tokens.mintRetryToken(remote, h.dcid, scid, now, h.version);
    const retry = buildRetryPacket(
      { version: h.version, dcid: h.scid, scid, token, originalDcid: h.dcid, unusedBits: this.provider.randomBytes(1)[0] },
      (version, odcid, withoutTag) => retryIntegrityTag(version, odcid, withoutTag, this.provider),
    );
    this.stats.retrySent++;
    this.outbox.push({ datagram: retry, remote });
  }

  private sendInitialClose(h: LongHeader, remote: RemoteAddress, errorCode: number, reason: string): void {
    const packet = buildInitialClose({ version: h.version, clientDcid: h.dcid, clientScid: h.scid, errorCode, reason, provider: this.provider });
    this.stats.initialClosesSent++;
    this.outbox.push({ datagram: packet, remote });
  }
}
