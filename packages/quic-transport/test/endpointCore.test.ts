import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createNodeProvider } from '@quichs/tls-hs';
import { INITIAL_CIPHER_SUITE, initialKeys, PacketProtector, retryIntegrityTag } from '@quichs/quic-crypto';
import {
  AddressTokenMinter,
  buildInitialClose,
  buildLongHeader,
  buildRetryPacket,
  buildVersionNegotiation,
  buildShortHeader,
  ConnectionIdTable,
  connectionIdKey,
  EndpointCore,
  FrameType,
  isReservedVersion,
  parseFrames,
  parsePacketHeader,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  RateLimiter,
  StatelessResetTokenGenerator,
  TransportErrorCode,
  verifyRetryPacket,
} from '../src/index.js';
import type { EndpointConnection, IncomingConnection, OutgoingConnection, RemoteAddress } from '../src/index.js';

const s = suite('endpointCore');
const provider = createNodeProvider();
const client: RemoteAddress = { address: '198.51.100.7', port: 50000 };

class FakeConn implements EndpointConnection {
  received: Uint8Array[] = [];
  outgoing: Uint8Array[] = [];
  timeout: number | undefined;
  timeouts: number[] = [];
  closed: { code: number; reason: string } | undefined;
  drained = false;
  resetToken: Uint8Array | undefined;
  constructor(
    readonly remote: RemoteAddress,
    readonly info?: IncomingConnection | OutgoingConnection,
  ) {}
  receive(datagram: Uint8Array): void {
    this.received.push(datagram);
  }
  send(): Uint8Array[] {
    return this.outgoing.splice(0);
  }
  nextTimeout(): number | undefined {
    return this.timeout;
  }
  onTimeout(now: number): void {
    this.timeouts.push(now);
    this.timeout = undefined;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.outgoing.push(Uint8Array.of(0x40, 0xcc));
  }
  isDrained(): boolean {
    return this.drained;
  }
  handleStatelessReset(datagram: Uint8Array): boolean {
    if (!this.resetToken || datagram.length < 21) return false;
    const tail = datagram.subarray(datagram.length - 16);
    return tail.every((b, i) => b === this.resetToken?.[i]);
  }
}

function clientInitial(opts: { dcid: Uint8Array; scid?: Uint8Array; token?: Uint8Array; version?: number; size?: number }): Uint8Array {
  const size = opts.size ?? 1200;
  const scid = opts.scid ?? Uint8Array.of(0xc1, 0xc2, 0xc3, 0xc4);
  const probe = buildLongHeader({ version: opts.version ?? QUIC_VERSION_1, type: 'initial', dcid: opts.dcid, scid, token: opts.token, pn: 0, pnLength: 4, payloadLength: 1000, lengthFieldSize: 2 });
  const payloadLength = size - probe.header.length;
  const { header } = buildLongHeader({ version: opts.version ?? QUIC_VERSION_1, type: 'initial', dcid: opts.dcid, scid, token: opts.token, pn: 0, pnLength: 4, payloadLength, lengthFieldSize: 2 });
  const out = new Uint8Array(header.length + payloadLength);
  out.set(header);
  out.fill(0x5a, header.length);
  return out;
}

function server(opts: { retry?: boolean; maxConnections?: number; refuse?: boolean; versions?: number[]; rate?: { perSecond: number; burst: number } } = {}) {
  const accepted: FakeConn[] = [];
  const core = new EndpointCore({
    provider,
    versions: opts.versions,
    statelessResetRate: opts.rate,
    resetTokens: new StatelessResetTokenGenerator({ key: new Uint8Array(32).fill(1), provider }),
    tokens: new AddressTokenMinter({ key: new Uint8Array(32).fill(2), provider }),
    server: {
      retry: opts.retry,
      maxConnections: opts.maxConnections,
      accept: (inc) => {
        if (opts.refuse) return undefined;
        const c = new FakeConn(inc.remote, inc);
        accepted.push(c);
        return c;
      },
    },
  });
  return { core, accepted };
}

const DCID = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

s('a client Initial >= 1200 bytes creates a routed server connection; later packets reach it', () => {
  const { core, accepted } = server();
  const d = clientInitial({ dcid: DCID });
  core.receive(d, client, 0);
  assert.is(accepted.length, 1);
  const c = accepted[0];
  const inc = c.info as IncomingConnection;
  assert.equal([...inc.initialDcid], [...DCID]);
  assert.equal([...inc.originalDcid], [...DCID]);
  assert.is(inc.retrySourceCid, undefined);
  assert.not.ok(inc.addressValidated);
  assert.is(inc.localCid.cid.length, 8);
  assert.equal([...inc.localCid.statelessResetToken], [...core.resetTokens.tokenFor(inc.localCid.cid)]);
  assert.equal([...inc.peerCid], [0xc1, 0xc2, 0xc3, 0xc4]);
  assert.is(c.received.length, 1);
  assert.is(core.connectionFor(DCID), c);
  assert.is(core.connectionFor(inc.localCid.cid), c);
  // a retransmitted Initial goes to the same connection
  core.receive(clientInitial({ dcid: DCID }), client, 1);
  assert.is(accepted.length, 1);
  assert.is(c.received.length, 2);
  // a Handshake / 1-RTT packet to our CID is routed
  const hs = buildLongHeader({ version: QUIC_VERSION_1, type: 'handshake', dcid: inc.localCid.cid, scid: inc.peerCid, pn: 0, pnLength: 1, payloadLength: 40 });
  const hsd = new Uint8Array(hs.header.length + 40);
  hsd.set(hs.header);
  core.receive(hsd, client, 2);
  const sh = buildShortHeader({ dcid: inc.localCid.cid, pn: 1, pnLength: 1 });
  const shd = new Uint8Array(60);
  shd.set(sh.header);
  core.receive(shd, client, 3);
  assert.is(c.received.length, 4);
  assert.is(core.stats.datagramsRouted, 4);
  assert.is(core.stats.accepted, 1);
  // its output is collected at flush, addressed to its remote
  c.outgoing.push(Uint8Array.of(1, 2, 3));
  const tx = core.flush(4);
  assert.is(tx.length, 1);
  assert.equal(tx[0].remote, client);
});

s('Initials in datagrams < 1200 bytes, with a short DCID, or to a non-listening endpoint are dropped', () => {
  const { core, accepted } = server();
  core.receive(clientInitial({ dcid: DCID, size: 1199 }), client, 0);
  core.receive(clientInitial({ dcid: Uint8Array.of(1, 2, 3, 4, 5, 6, 7) }), client, 0);
  assert.is(accepted.length, 0);
  assert.is(core.flush(0).length, 0);
  assert.is(core.stats.dropped.initial_too_small, 1);
  assert.is(core.stats.dropped.initial_dcid_too_short, 1);
  const clientOnly = new EndpointCore({ provider });
  clientOnly.receive(clientInitial({ dcid: DCID }), client, 0);
  assert.is(clientOnly.stats.dropped.initial_not_listening, 1);
  // unknown long header types and garbage
  const hs = buildLongHeader({ version: QUIC_VERSION_1, type: 'handshake', dcid: DCID, scid: DCID, pn: 0, pnLength: 1, payloadLength: 40 });
  const hsd = new Uint8Array(hs.header.length + 40);
  hsd.set(hs.header);
  core.receive(hsd, client, 0);
  core.receive(Uint8Array.of(0xc0, 0, 0, 0), client, 0);
  core.receive(new Uint8Array(0), client, 0);
  assert.is(core.stats.dropped.long_unknown_cid, 1);
  assert.is(core.stats.dropped.long_truncated, 1);
  assert.is(core.stats.dropped.empty, 1);
  assert.is(core.flush(0).length, 0);
});

s('Version Negotiation for an unknown version (>= 1200 bytes), listing ours plus a grease version', () => {
  const { core } = server();
  const d = clientInitial({ dcid: DCID, size: 1200 });
  d[1] = 0x1a; d[2] = 0x2b; d[3] = 0x3c; d[4] = 0x4d; // version 0x1a2b3c4d
  core.receive(d, client, 0);
  const tx = core.flush(0);
  assert.is(tx.length, 1);
  const vn = parsePacketHeader(tx[0].datagram, 0, { shortDcidLength: 8 });
  assert.is(vn.kind, 'versionNegotiation');
  if (vn.kind !== 'versionNegotiation') return;
  assert.equal([...vn.dcid], [0xc1, 0xc2, 0xc3, 0xc4], 'DCID = client SCID');
  assert.equal([...vn.scid], [...DCID], 'SCID = client DCID');
  assert.equal(vn.versions.slice(0, 2), [QUIC_VERSION_1, QUIC_VERSION_2]);
  assert.is(vn.versions.length, 3);
  assert.ok(isReservedVersion(vn.versions[2]));
  // small unknown-version packets: no VN; VN itself: never answered; client endpoints never send VN
  const small = d.slice(0, 1000);
  core.receive(small, client, 0);
  core.receive(tx[0].datagram, client, 0);
  const clientOnly = new EndpointCore({ provider });
  clientOnly.receive(d, client, 0);
  assert.is(core.flush(0).length, 0);
  assert.is(clientOnly.flush(0).length, 0);
  assert.is(core.stats.versionNegotiationSent, 1);
  assert.is(core.stats.dropped.unknown_version_too_small, 1);
  assert.is(core.stats.dropped.versionNegotiation_unknown_cid, 1);
});

s('a known version that is not enabled gets Version Negotiation too (no grease when disabled)', () => {
  const core = new EndpointCore({ provider, versions: [QUIC_VERSION_1], greaseVersionNegotiation: false, server: { accept: () => undefined } });
  core.receive(clientInitial({ dcid: DCID, version: QUIC_VERSION_2 }), client, 0);
  const tx = core.flush(0);
  const vn = parsePacketHeader(tx[0].datagram, 0, { shortDcidLength: 8 });
  assert.ok(vn.kind === 'versionNegotiation' && vn.versions.length === 1 && vn.versions[0] === QUIC_VERSION_1);
});

s('Retry issued, then the token is validated on the next Initial (ODCID + RSCID handed to the connection)', () => {
  const { core, accepted } = server({ retry: true });
  core.receive(clientInitial({ dcid: DCID }), client, 1000);
  assert.is(accepted.length, 0);
  const tx = core.flush(1000);
  assert.is(tx.length, 1);
  const retryDatagram = tx[0].datagram;
  const r = parsePacketHeader(retryDatagram, 0, { shortDcidLength: 8 });
  assert.is(r.kind, 'retry');
  if (r.kind !== 'retry') return;
  assert.ok(verifyRetryPacket(retryDatagram, r, DCID, (v, o, w) => retryIntegrityTag(v, o, w, provider)));
  assert.equal([...r.dcid], [0xc1, 0xc2, 0xc3, 0xc4]);
  assert.is(r.scid.length, 8);
  assert.is.not(connectionIdKey(r.scid), connectionIdKey(DCID));
  // the client comes back with DCID = Retry SCID and the token
  core.receive(clientInitial({ dcid: r.scid, token: r.token }), client, 2000);
  assert.is(accepted.length, 1);
  const inc = accepted[0].info as IncomingConnection;
  assert.ok(inc.addressValidated);
  assert.equal([...inc.originalDcid], [...DCID]);
  assert.equal([...(inc.retrySourceCid ?? [])], [...r.scid]);
  assert.equal([...inc.initialDcid], [...r.scid]);
  assert.is(core.stats.retrySent, 1);
});

function openInitialClose(datagram: Uint8Array, clientDcid: Uint8Array): { code: number; reason: string } {
  const h = parsePacketHeader(datagram, 0, { shortDcidLength: 8 });
  if (h.kind !== 'long') throw new Error('expected a long header');
  const p = new PacketProtector(INITIAL_CIPHER_SUITE, initialKeys(h.version, clientDcid, provider).server, { provider });
  const opened = p.unprotect(datagram.subarray(h.start, h.end), h.pnOffset - h.start);
  const frames = parseFrames(opened.payload, 'initial');
  const close = frames.find((f) => f.type === FrameType.CONNECTION_CLOSE);
  if (!close || close.type !== FrameType.CONNECTION_CLOSE) throw new Error('no CONNECTION_CLOSE');
  return { code: close.errorCode, reason: close.reason };
}

s('a bad Retry token gets INVALID_TOKEN; a bad NEW_TOKEN token is ignored (Retry sent instead)', () => {
  const { core, accepted } = server({ retry: true });
  core.receive(clientInitial({ dcid: DCID }), client, 0);
  const r = parsePacketHeader(core.flush(0)[0].datagram, 0, { shortDcidLength: 8 });
  if (r.kind !== 'retry') throw new Error('no retry');
  // expired
  core.receive(clientInitial({ dcid: r.scid, token: r.token }), client, 60_000);
  let tx = core.flush(60_000);
  assert.is(tx.length, 1);
  assert.equal(openInitialClose(tx[0].datagram, r.scid), { code: TransportErrorCode.INVALID_TOKEN, reason: 'invalid retry token' });
  // other port
  core.receive(clientInitial({ dcid: r.scid, token: r.token }), { address: client.address, port: 1 }, 10);
  tx = core.flush(10);
  assert.is(openInitialClose(tx[0].datagram, r.scid).code, TransportErrorCode.INVALID_TOKEN);
  // a Retry token that is right in everything but its QUIC version (RFC 9369 §5)
  const v2Retry = core.tokens.mintRetryToken(client, DCID, r.scid, 10, QUIC_VERSION_2);
  core.receive(clientInitial({ dcid: r.scid, token: v2Retry }), client, 10);
  tx = core.flush(10);
  assert.is(openInitialClose(tx[0].datagram, r.scid).code, TransportErrorCode.INVALID_TOKEN);
  assert.is(accepted.length, 0);
  // a NEW_TOKEN token from another key: ignored → Retry
  const foreign = new AddressTokenMinter({ provider }).mintNewToken(client, 0, QUIC_VERSION_1);
  core.receive(clientInitial({ dcid: DCID, token: foreign }), client, 10);
  tx = core.flush(10);
  assert.is(parsePacketHeader(tx[0].datagram, 0, { shortDcidLength: 8 }).kind, 'retry');
  // a NEW_TOKEN token of another QUIC version (RFC 9369 §5): ignored → Retry
  const v2Token = core.tokens.mintNewToken(client, 0, QUIC_VERSION_2);
  core.receive(clientInitial({ dcid: DCID, token: v2Token }), client, 10);
  tx = core.flush(10);
  assert.is(parsePacketHeader(tx[0].datagram, 0, { shortDcidLength: 8 }).kind, 'retry');
  // a valid NEW_TOKEN token skips the Retry
  const good = core.tokens.mintNewToken(client, 0, QUIC_VERSION_1);
  core.receive(clientInitial({ dcid: DCID, token: good }), { address: client.address, port: 4444 }, 10);
  assert.is(accepted.length, 1);
  assert.ok((accepted[0].info as IncomingConnection).addressValidated);
  assert.is(core.stats.initialClosesSent, 3);
});

s('refused and over-limit connections get CONNECTION_REFUSED', () => {
  const refusing = server({ refuse: true });
  refusing.core.receive(clientInitial({ dcid: DCID }), client, 0);
  const tx = refusing.core.flush(0);
  assert.is(openInitialClose(tx[0].datagram, DCID).code, TransportErrorCode.CONNECTION_REFUSED);
  assert.not.ok(refusing.core.isRouted(DCID), 'no state left behind');
  const limited = server({ maxConnections: 1 });
  limited.core.receive(clientInitial({ dcid: DCID }), client, 0);
  limited.core.receive(clientInitial({ dcid: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9) }), client, 0);
  assert.is(limited.accepted.length, 1);
  const out = limited.core.flush(0);
  assert.is(openInitialClose(out[0].datagram, Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9)).code, TransportErrorCode.CONNECTION_REFUSED);
  const throwing = new EndpointCore({ provider, server: { accept: () => { throw new Error('boom'); } } });
  throwing.receive(clientInitial({ dcid: DCID }), client, 0);
  assert.is(throwing.connectionCount, 0);
  assert.is(throwing.stats.initialClosesSent, 1);
});

s('unknown short header → stateless reset one byte shorter (max 43), never below 21, with the right token', () => {
  const { core } = server();
  const cid = Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4);
  const mk = (n: number) => {
    const d = new Uint8Array(n).fill(0x11);
    d[0] = 0x41;
    d.set(cid, 1);
    return d;
  };
  core.receive(mk(30), client, 0);
  core.receive(mk(1200), client, 0);
  core.receive(mk(21), client, 0); // a reset answering this would be < 21 bytes: nothing
  core.receive(mk(22), client, 0);
  const tx = core.flush(0);
  assert.equal(tx.map((t) => t.datagram.length), [29, 43, 21]);
  const token = core.resetTokens.tokenFor(cid);
  for (const t of tx) {
    assert.is(t.datagram[0] & 0xc0, 0x40, 'looks like a short header');
    assert.equal([...t.datagram.subarray(t.datagram.length - 16)], [...token]);
    assert.equal(t.remote, client);
  }
  assert.is(core.stats.dropped.short_unknown_cid_too_small, 1);
  // a reset of a reset shrinks every round: the exchange ends
  let size = 43;
  let rounds = 0;
  const other = server().core;
  let d: Uint8Array = mk(size);
  while (size > 0 && rounds < 50) {
    other.receive(d, client, rounds * 1000);
    const out = other.flush(rounds * 1000);
    if (out.length === 0) break;
    d = out[0].datagram;
    size = d.length;
    rounds++;
  }
  assert.ok(rounds <= 22, `ended after ${rounds} rounds`);
});

s('stateless resets are rate-limited', () => {
  const { core } = server({ rate: { perSecond: 1, burst: 2 } });
  const d = new Uint8Array(100).fill(0x42);
  for (let i = 0; i < 5; i++) core.receive(d, client, 0);
  assert.is(core.flush(0).length, 2);
  core.receive(d, client, 500);
  assert.is(core.flush(500).length, 0);
  core.receive(d, client, 1000);
  assert.is(core.flush(1000).length, 1);
  assert.is(core.stats.dropped.stateless_reset_rate_limited, 4);
});

s('a datagram ending with a connection\'s peer reset token is handed to it, not answered', () => {
  const core = new EndpointCore({ provider });
  const token = new Uint8Array(16).fill(0x77);
  const conn = core.connect({ address: '203.0.113.1', port: 443 }, 0, (out) => {
    const c = new FakeConn(out.remote, out);
    c.resetToken = token;
    return c;
  });
  const d = new Uint8Array(40).fill(0x43);
  d.set(token, 24);
  core.receive(d, { address: '203.0.113.1', port: 443 }, 5);
  assert.is(core.stats.statelessResetsReceived, 1);
  assert.is(core.stats.statelessResetsSent, 0);
  assert.ok(conn);
});

s('routing of several client connections on one endpoint; CID issue/retire keeps the table in sync', () => {
  const core = new EndpointCore({ provider, cidLength: 10 });
  const conns: FakeConn[] = [];
  for (let i = 0; i < 3; i++) {
    conns.push(core.connect({ address: '203.0.113.1', port: 4433 + i }, 0, (out) => new FakeConn(out.remote, out)));
  }
  assert.is(core.connectionCount, 3);
  const first = conns.map((c) => (c.info as OutgoingConnection).localCid.cid);
  assert.ok(first.every((cid) => cid.length === 10));
  for (let i = 0; i < 3; i++) {
    const sh = buildShortHeader({ dcid: first[i], pn: i, pnLength: 1 });
    const d = new Uint8Array(40);
    d.set(sh.header);
    core.receive(d, { address: '203.0.113.1', port: 4433 + i }, 1);
  }
  assert.equal(conns.map((c) => c.received.length), [1, 1, 1]);
  // a server Initial to the client's SCID is routed too (long header)
  const srv = buildLongHeader({ version: QUIC_VERSION_1, type: 'initial', dcid: first[1], scid: DCID, pn: 0, pnLength: 1, payloadLength: 40 });
  const srvd = new Uint8Array(srv.header.length + 40);
  srvd.set(srv.header);
  core.receive(srvd, { address: '203.0.113.1', port: 4434 }, 1);
  assert.is(conns[1].received.length, 2);
  // the connection issues a second CID, then retires the first
  const hooks = (conns[0].info as OutgoingConnection).cids;
  const second = hooks.issue();
  assert.equal([...second.statelessResetToken], [...hooks.resetTokenFor(second.cid)]);
  assert.is(core.connectionFor(second.cid), conns[0]);
  hooks.retire(first[0]);
  assert.not.ok(core.isRouted(first[0]));
  hooks.retire(first[1]); // not ours: ignored
  assert.ok(core.isRouted(first[1]));
  const sh = buildShortHeader({ dcid: first[0], pn: 9, pnLength: 1 });
  const d = new Uint8Array(40);
  d.set(sh.header);
  core.receive(d, client, 2);
  assert.is(conns[0].received.length, 1, 'retired CID no longer routes');
  assert.is(core.stats.statelessResetsSent, 1, 'it gets a stateless reset instead');
  // Retry / VN addressed to a client connection are delivered to it
  const retry = buildRetryPacket({ version: QUIC_VERSION_1, dcid: first[2], scid: DCID, token: Uint8Array.of(1), originalDcid: DCID }, () => new Uint8Array(16));
  core.receive(retry, client, 3);
  const vn = buildVersionNegotiation({ dcid: first[2], scid: DCID, versions: [QUIC_VERSION_1], unusedBits: 0 });
  core.receive(vn, client, 3);
  assert.is(conns[2].received.length, 3);
});

s('timers: earliest deadline across connections; only due connections fire; drained ones are swept', () => {
  const core = new EndpointCore({ provider });
  const a = core.connect(client, 0, (o) => new FakeConn(o.remote, o));
  const b = core.connect(client, 0, (o) => new FakeConn(o.remote, o));
  assert.is(core.nextTimeout(), undefined);
  a.timeout = 50;
  b.timeout = 20;
  assert.is(core.nextTimeout(), 20);
  core.onTimeout(25);
  assert.equal(b.timeouts, [25]);
  assert.equal(a.timeouts, []);
  assert.is(core.nextTimeout(), 50);
  const removed: EndpointConnection[] = [];
  core.onConnectionRemoved = (c) => removed.push(c);
  const cidA = (a.info as OutgoingConnection).localCid.cid;
  a.drained = true;
  core.flush(60);
  assert.equal(removed, [a]);
  assert.is(core.connectionCount, 1);
  assert.not.ok(core.isRouted(cidA));
  assert.equal(core.connections(), [b]);
});

s('close() closes every connection, flush sends their CONNECTION_CLOSE, new work is refused; clear() forgets all', () => {
  const { core, accepted } = server();
  core.receive(clientInitial({ dcid: DCID }), client, 0);
  const c2 = core.connect(client, 0, (o) => new FakeConn(o.remote, o));
  core.flush(0);
  core.close(TransportErrorCode.NO_ERROR, 'bye');
  assert.equal(accepted[0].closed, { code: 0, reason: 'bye' });
  assert.ok(c2.closed);
  assert.is(core.flush(1).length, 2);
  core.receive(clientInitial({ dcid: Uint8Array.of(8, 8, 8, 8, 8, 8, 8, 8) }), client, 2);
  assert.is(accepted.length, 1);
  assert.throws(() => core.connect(client, 0, (o) => new FakeConn(o.remote, o)), RangeError);
  const removed: EndpointConnection[] = [];
  core.onConnectionRemoved = (c) => removed.push(c);
  core.clear();
  assert.is(core.connectionCount, 0);
  assert.is(removed.length, 2);
  assert.not.ok(core.isRouted(DCID));
});

s('markDirty makes flush poll a connection; a throwing client factory leaves no route', () => {
  const core = new EndpointCore({ provider });
  const c = core.connect(client, 0, (o) => new FakeConn(o.remote, o));
  core.flush(0);
  c.outgoing.push(Uint8Array.of(1));
  assert.is(core.flush(1).length, 0, 'not polled unless touched');
  core.markDirty(c);
  assert.is(core.flush(2).length, 1);
  let leaked: Uint8Array | undefined;
  assert.throws(() => core.connect(client, 0, (o) => { leaked = o.localCid.cid; throw new Error('x'); }), /x/);
  assert.ok(leaked && !core.isRouted(leaked));
});

s('bad options are RangeErrors', () => {
  assert.throws(() => new EndpointCore({ provider, cidLength: 0 }), RangeError);
  assert.throws(() => new EndpointCore({ provider, cidLength: 21 }), RangeError);
  assert.throws(() => new EndpointCore({ provider, versions: [] }), RangeError);
  assert.throws(() => new RateLimiter({ burst: 0 }), RangeError);
});

s('ConnectionIdTable: add/get/remove/removeOwner, collisions refused', () => {
  const t = new ConnectionIdTable<string>();
  assert.ok(t.add(Uint8Array.of(1), 'a'));
  assert.ok(t.add(Uint8Array.of(1), 'a'));
  assert.not.ok(t.add(Uint8Array.of(1), 'b'));
  assert.ok(t.add(Uint8Array.of(2), 'a'));
  assert.equal(t.keysOf('a').sort(), ['01', '02']);
  assert.is(t.size, 2);
  assert.is(t.remove(Uint8Array.of(1)), 'a');
  assert.is(t.remove(Uint8Array.of(1)), undefined);
  assert.is(t.removeOwner('a'), 1);
  assert.is(t.removeOwner('a'), 0);
  assert.is(t.size, 0);
  assert.equal(t.keysOf('zz'), []);
});

s('ConnectionIdTable: the remembered last lookup follows removals and never aliases the caller bytes', () => {
  const t = new ConnectionIdTable<string>();
  const a = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const b = Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9);
  t.add(a, 'a');
  t.add(b, 'b');
  const datagram = Uint8Array.from(a);
  assert.is(t.get(datagram), 'a');
  assert.is(t.get(datagram), 'a'); // from the remembered lookup
  datagram.set(b); // the caller reuses its buffer
  assert.is(t.get(datagram), 'b');
  assert.is(t.get(Uint8Array.of(1, 2, 3, 4, 5, 6, 7)), undefined); // a prefix is another ID
  assert.is(t.get(a), 'a');
  assert.is(t.remove(a), 'a');
  assert.is(t.get(a), undefined);
  assert.is(t.get(b), 'b');
  assert.is(t.removeOwner('b'), 1);
  assert.is(t.get(b), undefined);
  t.add(b, 'c'); // the ID may be routed anew to another owner
  assert.is(t.get(b), 'c');
  assert.is(t.get(new Uint8Array(0)), undefined);
});

s('buildInitialClose output opens with the server Initial keys of the client DCID (v1 and v2)', () => {
  for (const version of [QUIC_VERSION_1, QUIC_VERSION_2]) {
    const p = buildInitialClose({ version, clientDcid: DCID, clientScid: Uint8Array.of(5), errorCode: 0x0b, reason: '', provider });
    assert.equal(openInitialClose(p, DCID), { code: 0x0b, reason: '' });
  }
});

s.run();
