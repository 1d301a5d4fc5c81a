/**
 * Reads the relay's datagrams like Wireshark reads a pcap: long headers in the clear (versions, Retry, Version
 * Negotiation, tokens), Initial packets decrypted with the public Initial keys (ClientHello, ServerHello), and —
 * with the endpoints' key logs — Handshake, 0-RTT and 1-RTT packets, following 1-RTT key updates generation by
 * generation. Packets are attributed to connections by flow and connection ID, and confirmed by trial decryption.
 *
 * Built on the packages' public exports only (header parsing and frames from quic-transport, packet protection from
 * quic-crypto, handshake message codecs from tls-hs). Nothing here trusts an endpoint's own account of what it did.
 */
import {
  decodeFrame,
  decodeTransportParameters,
  decodeVarintAt,
  varintLengthFromFirstByte,
  FrameType,
  frameTypeName,
  QuicReader,
  parsePacketHeader,
  type Frame,
  type LongHeader,
} from '@quichs/quic-transport';
import {
  derivePacketKeys,
  INITIAL_CIPHER_SUITE,
  initialKeys,
  isSupportedQuicVersion,
  nextTrafficSecret,
  openUnmaskedPacket,
  PacketAead,
  PacketProtector,
  quicCipherSuite,
  readProtectedHeader,
  type QuicCipherSuite,
  type UnprotectedPacket,
} from '@quichs/quic-crypto';
import {
  ExtensionType,
  findExtension,
  HandshakeType,
  isHelloRetryRequest,
  parseAlpn,
  parseAlpnSelected,
  parseCertificate,
  parseClientHello,
  parseEncryptedExtensions,
  parseServerHello,
  type HandshakeMessage,
  type HeaderProtection,
} from '@quichs/tls-hs';
import type { KeyLog } from '../keyLog.js';
import type { RelayedDatagram } from '../relay.js';
import type { ConnectionTrace, Level, Side, TraceReport } from './connectionTrace.js';
import { ObservedCryptoStream } from './cryptoStream.js';

const MAX_LISTING = 60_000;

type Space = 'initial' | 'handshake' | 'application';

interface OneRttKeys {
  suite: QuicCipherSuite;
  version: number;
  hp: HeaderProtection;
  secrets: Uint8Array[];
  aeads: PacketAead[];
}

interface SenderState {
  largest: Record<Space, number | undefined>;
  crypto: Record<'initial' | 'handshake' | 'oneRtt', ObservedCryptoStream>;
  oneRtt: OneRttKeys | null | undefined;
}

interface Conn {
  trace: ConnectionTrace;
  clientCids: Set<string>;
  serverCids: Set<string>;
  initialDcids: { version: number; dcid: Uint8Array }[];
  sender: Record<Side, SenderState>;
  protectors: Map<string, PacketProtector[]>;
  version: number;
  seenTokens: Set<string>;
  seenStreams: Set<number>;
  /** Highest STREAM end offset per stream ID in 1-RTT packets, per sender. */
  oneRttStreamEnds: Record<Side, Map<number, number>>;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const vhex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

function emptyCounts(): Record<Level, number> {
  return { initial: 0, zeroRtt: 0, handshake: 0, oneRtt: 0 };
}

function newSender(): SenderState {
  return {
    largest: { initial: undefined, handshake: undefined, application: undefined },
    crypto: { initial: new ObservedCryptoStream(), handshake: new ObservedCryptoStream(), oneRtt: new ObservedCryptoStream() },
    oneRtt: undefined,
  };
}

function spaceOf(level: Level): Space {
  return level === 'initial' ? 'initial' : level === 'handshake' ? 'handshake' : 'application';
}

/** Parses frames until the end or the first undecodable one (an extension frame we do not know). */
function framesOf(payload: Uint8Array): Frame[] {
  const out: Frame[] = [];
  const r = new QuicReader(payload);
  try {
    while (r.pos < r.end) out.push(decodeFrame(r));
  } catch {
    // keep what was parsed
  }
  return out;
}

function describeFrame(f: Frame): string {
  switch (f.type) {
    case FrameType.CRYPTO:
      return `CRYPTO(${f.offset},${f.data.length})`;
    case FrameType.STREAM:
      return `STREAM(${f.streamId},${f.offset}+${f.data.length}${f.fin ? ',fin' : ''})`;
    case FrameType.CONNECTION_CLOSE:
    case FrameType.CONNECTION_CLOSE_APP:
      return `${frameTypeName(f.type)}(0x${f.errorCode.toString(16)}${f.reason ? `,"${f.reason}"` : ''})`;
    case FrameType.MAX_STREAMS_BIDI:
    case FrameType.MAX_STREAMS_UNI:
      return `${frameTypeName(f.type)}(${f.maximum})`;
    case FrameType.NEW_TOKEN:
      return `NEW_TOKEN(${f.token.length}B)`;
    default:
      return frameTypeName(f.type);
  }
}

/** Summarises consecutive PADDING / ACK frames to keep the listing readable. */
function describeFrames(frames: readonly Frame[]): string {
  const parts: string[] = [];
  for (const f of frames) {
    const d = describeFrame(f);
    if (parts.length > 0 && parts[parts.length - 1] === d && d === 'PADDING') continue;
    parts.push(d);
  }
  return parts.join(' ');
}

/** The analyzer. Create one per test, feed {@link TraceAnalyzer.run}. */
export class TraceAnalyzer {
  private readonly conns: Conn[] = [];
  private readonly report: TraceReport = {
    connections: [],
    versionNegotiations: [],
    datagrams: { c2s: 0, s2c: 0, dropped: 0 },
    unattributed: 0,
    listing: [],
  };
  private readonly keyLog: KeyLog;

  constructor(keyLog: KeyLog) {
    this.keyLog = keyLog;
  }

  /** Analyzes the datagrams (in relay order) and returns the report. */
  run(datagrams: readonly RelayedDatagram[]): TraceReport {
    for (const d of datagrams) this.datagram(d);
    for (const c of this.conns) this.finish(c);
    this.report.connections = this.conns.map((c) => c.trace);
    return this.report;
  }

  private list(line: string): void {
    if (this.report.listing.length < MAX_LISTING) this.report.listing.push(line);
    else if (this.report.listing.length === MAX_LISTING) this.report.listing.push('… listing truncated');
  }

  private datagram(d: RelayedDatagram): void {
    this.report.datagrams[d.dir]++;
    if (d.dropped) this.report.datagrams.dropped++;
    const side: Side = d.dir === 'c2s' ? 'client' : 'server';
    const data = new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength);
    const prefix = `${d.t.toFixed(1).padStart(9)} ${d.dir === 'c2s' ? 'C→S' : 'S→C'}${d.dropped ? ' DROPPED' : ''} f${d.flow}`;
    if (data.length > 0 && (data[0] & 0x80) === 0) {
      this.shortPacket(d, side, data, 0, prefix);
      return;
    }
    // Coalesced packets (RFC 9000 §12.2): long headers delimited by their Length; a short header takes the rest.
    // (The library's splitter needs our own short-header CID length, which an observer does not have.)
    for (let offset = 0; offset < data.length; ) {
      if ((data[offset] & 0x80) === 0) {
        this.shortPacket(d, side, data, offset, prefix);
        return;
      }
      const h = parsePacketHeader(data, offset, { shortDcidLength: 0, greaseQuicBit: true });
      offset = h.kind === 'drop' ? data.length : h.end;
      switch (h.kind) {
        case 'drop':
          this.list(`${prefix} unparseable packet at ${h.start}: ${h.reason}`);
          this.report.unattributed++;
          break;
        case 'short':
          this.shortPacket(d, side, data, h.start, prefix);
          break;
        case 'versionNegotiation': {
          this.report.versionNegotiations.push({ t: d.t, versions: h.versions });
          const c = this.findByClientCid(d.flow, hex(h.dcid));
          if (c) {
            c.trace.versionNegotiation = h.versions;
            c.trace.packets.server.versionNegotiation++;
          } else this.report.unattributed++;
          this.list(`${prefix} ${c ? `c${c.trace.index}` : '?'} VersionNegotiation [${h.versions.map(vhex).join(' ')}]`);
          break;
        }
        case 'retry': {
          const c = this.findByClientCid(d.flow, hex(h.dcid));
          if (c) {
            c.trace.retries.push({ t: d.t, scid: hex(h.scid), token: hex(h.token) });
            c.trace.packets.server.retry++;
            c.serverCids.add(hex(h.scid));
          } else this.report.unattributed++;
          this.list(`${prefix} ${c ? `c${c.trace.index}` : '?'} Retry v=${vhex(h.version)} scid=${hex(h.scid)} token=${h.token.length}B`);
          break;
        }
        case 'unknownVersion': {
          const c = side === 'client' ? this.clientConn(d, hex(h.scid), h.version) : this.findByClientCid(d.flow, hex(h.dcid));
          if (c) {
            c.trace.packets[side].unknownVersion++;
            this.noteVersion(c, side, h.version);
            if (d.dropped) c.trace.dropped[side]++;
          } else this.report.unattributed++;
          this.list(`${prefix} ${c ? `c${c.trace.index}` : '?'} long header of unknown version ${vhex(h.version)}`);
          break;
        }
        case 'long':
          this.longPacket(d, side, data, h, prefix);
          break;
      }
    }
  }

  private findByClientCid(flow: number, cid: string): Conn | undefined {
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (c.trace.flow === flow && c.clientCids.has(cid)) return c;
    }
    return undefined;
  }

  private clientConn(d: RelayedDatagram, scid: string, version: number): Conn {
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (c.trace.flow === d.flow && c.trace.clientCid === scid) return c;
    }
    return this.newConn(d, scid, version);
  }

  private newConn(d: RelayedDatagram, scid: string, version: number): Conn {
    const trace: ConnectionTrace = {
      index: this.conns.length,
      flow: d.flow,
      firstAt: d.t,
      clientCid: scid,
      serverCids: [],
      firstClientVersion: version,
      clientVersions: [],
      serverVersions: [],
      versionNegotiation: undefined,
      retries: [],
      clientInitialTokens: [],
      clientHello: undefined,
      helloRetryRequest: false,
      serverHello: undefined,
      encryptedExtensions: undefined,
      serverCertificates: undefined,
      certificateRequest: false,
      clientCertificates: undefined,
      clientCertificateVerify: false,
      serverFinished: false,
      clientFinished: false,
      sessionTickets: 0,
      handshakeDone: false,
      newTokens: [],
      zeroRttStreamFrames: 0,
      clientBidiStreams: 0,
      serverMaxStreamsBidi: 0,
      oneRttStreamData: { client: 0, server: 0 },
      keyPhases: { client: { generation: 0, firstAt: [] }, server: { generation: 0, firstAt: [] } },
      closes: [],
      packets: {
        client: { ...emptyCounts(), retry: 0, versionNegotiation: 0, unknownVersion: 0 },
        server: { ...emptyCounts(), retry: 0, versionNegotiation: 0, unknownVersion: 0 },
      },
      undecryptable: { client: emptyCounts(), server: emptyCounts() },
      missingSecrets: [],
      dropped: { client: 0, server: 0 },
      handshakeCompleted: false,
      completionEvidence: 'none',
    };
    const c: Conn = {
      trace,
      clientCids: new Set([scid]),
      serverCids: new Set(),
      initialDcids: [],
      sender: { client: newSender(), server: newSender() },
      protectors: new Map(),
      version,
      seenTokens: new Set(),
      seenStreams: new Set(),
      oneRttStreamEnds: { client: new Map(), server: new Map() },
    };
    this.conns.push(c);
    return c;
  }

  private noteVersion(c: Conn, side: Side, version: number): void {
    const list = side === 'client' ? c.trace.clientVersions : c.trace.serverVersions;
    if (!list.includes(version)) list.push(version);
    if (side === 'server' || c.trace.serverVersions.length === 0) c.version = version;
  }

  private secret(c: Conn, label: string): Uint8Array | undefined {
    const random = c.trace.clientHello?.random;
    const s = random === undefined ? undefined : this.keyLog.get(random)?.get(label);
    if (s === undefined && !c.trace.missingSecrets.includes(label)) c.trace.missingSecrets.push(label);
    return s;
  }

  /** Suites a secret may belong to: the negotiated one, else those whose hash matches the secret length. */
  private suitesFor(c: Conn, secret: Uint8Array): QuicCipherSuite[] {
    if (c.trace.serverHello) {
      try {
        return [quicCipherSuite(c.trace.serverHello.cipherSuite)];
      } catch {
        return [];
      }
    }
    return secret.length === 48 ? [quicCipherSuite(0x1302)] : [quicCipherSuite(0x1301), quicCipherSuite(0x1303)];
  }

  private protectorsFor(c: Conn, side: Side, level: Level, version: number, dcid: Uint8Array): PacketProtector[] {
    if (!isSupportedQuicVersion(version)) return [];
    if (level === 'initial') {
      const dcids = c.initialDcids.filter((x) => x.version === version).map((x) => x.dcid).reverse();
      // a client Initial may start a new key context (a new connection on the same flow and CID, or after VN)
      if (side === 'client' && !dcids.some((d) => hex(d) === hex(dcid))) dcids.push(dcid);
      return dcids.map((d) => {
        const key = `initial/${side}/${version}/${hex(d)}`;
        let p = c.protectors.get(key);
        if (!p) {
          const keys = initialKeys(version, d);
          p = [new PacketProtector(INITIAL_CIPHER_SUITE, side === 'client' ? keys.client : keys.server)];
          c.protectors.set(key, p);
        }
        return p[0];
      });
    }
    const label =
      level === 'zeroRtt'
        ? 'CLIENT_EARLY_TRAFFIC_SECRET'
        : side === 'client'
          ? 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
          : 'SERVER_HANDSHAKE_TRAFFIC_SECRET';
    const secret = this.secret(c, label);
    if (secret === undefined) return [];
    const key = `${label}/${version}/${c.trace.serverHello?.cipherSuite ?? 'any'}`;
    let p = c.protectors.get(key);
    if (!p) {
      p = this.suitesFor(c, secret).map((s) => PacketProtector.fromSecret(s, secret, version));
      c.protectors.set(key, p);
    }
    return p;
  }

  private longPacket(d: RelayedDatagram, side: Side, data: Uint8Array, h: LongHeader, prefix: string): void {
    const level: Level = h.type;
    let c: Conn | undefined;
    if (side === 'client') c = this.clientConn(d, hex(h.scid), h.version);
    else c = this.findByClientCid(d.flow, hex(h.dcid));
    if (!c) {
      this.report.unattributed++;
      this.list(`${prefix} ? ${level} v=${vhex(h.version)} (no connection with DCID ${hex(h.dcid)})`);
      return;
    }
    if (side === 'client' && level === 'initial') {
      // Initial keys come from the client's first DCID, or the SCID of a Retry; later client Initials are
      // addressed to the server's SCID but keep those keys (RFC 9001 §5.2)
      const dcid = hex(h.dcid);
      const known = c.initialDcids.some((x) => x.version === h.version && hex(x.dcid) === dcid);
      if (!known && (c.initialDcids.length === 0 || c.trace.retries.some((r) => r.scid === dcid))) {
        c.initialDcids.push({ version: h.version, dcid: Uint8Array.from(h.dcid) });
      }
    }
    if (side === 'server') {
      const scid = hex(h.scid);
      if (!c.serverCids.has(scid)) c.serverCids.add(scid);
    }
    const packet = data.subarray(h.start, h.end);
    const pnOffset = h.pnOffset - h.start;
    let opened: UnprotectedPacket | undefined;
    for (const p of this.protectorsFor(c, side, level, h.version, h.dcid)) {
      try {
        opened = p.unprotect(packet, pnOffset, c.sender[side].largest[spaceOf(level)]);
        break;
      } catch {
        // wrong key candidate
      }
    }
    let frames = opened ? framesOf(opened.payload) : [];
    const openedWithOwnDcid = opened !== undefined && side === 'client' && level === 'initial' &&
      !c.initialDcids.some((x) => x.version === h.version && hex(x.dcid) === hex(h.dcid)) &&
      clientHelloRandom(frames) !== undefined;
    // A client Initial with a new ClientHello random on the same flow and CID is a new connection.
    if (side === 'client' && level === 'initial' && opened) {
      const random = clientHelloRandom(frames);
      if (random !== undefined && c.trace.clientHello !== undefined && c.trace.clientHello.random !== random) {
        const fresh = this.newConn(d, hex(h.scid), h.version);
        fresh.initialDcids.push({ version: h.version, dcid: Uint8Array.from(h.dcid) });
        c = fresh;
      } else if (openedWithOwnDcid) {
        c.initialDcids.push({ version: h.version, dcid: Uint8Array.from(h.dcid) });
      }
    }
    const t = c.trace;
    this.noteVersion(c, side, h.version);
    t.packets[side][level]++;
    if (d.dropped) t.dropped[side]++;
    if (side === 'client' && level === 'initial') {
      const tok = hex(h.token);
      if (!c.seenTokens.has(tok)) {
        c.seenTokens.add(tok);
        t.clientInitialTokens.push(tok);
      }
    }
    if (!opened) {
      t.undecryptable[side][level]++;
      this.list(`${prefix} c${t.index} ${level} v=${vhex(h.version)} undecryptable`);
      return;
    }
    const space = spaceOf(level);
    const largest = c.sender[side].largest[space];
    if (largest === undefined || opened.packetNumber > largest) c.sender[side].largest[space] = opened.packetNumber;
    this.list(`${prefix} c${t.index} ${level} v=${vhex(h.version)} pn=${opened.packetNumber}${h.token.length ? ` token=${h.token.length}B` : ''} ${describeFrames(frames)}`);
    this.onFrames(c, side, level, frames, d.t);
    frames = [];
  }

  private oneRttKeys(c: Conn, side: Side): OneRttKeys | null {
    const s = c.sender[side];
    if (s.oneRtt !== undefined) return s.oneRtt;
    const secret = this.secret(c, side === 'client' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0');
    if (secret === undefined || !isSupportedQuicVersion(c.version)) return null;
    const suite = this.suitesFor(c, secret)[0];
    if (suite === undefined) return null;
    const p = PacketProtector.fromSecret(suite, secret, c.version);
    const keys: OneRttKeys = { suite, version: c.version, hp: p.hp, secrets: [secret], aeads: [p.aead] };
    // only cache once the suite is certain
    if (c.trace.serverHello) s.oneRtt = keys;
    return keys;
  }

  private aeadFor(k: OneRttKeys, generation: number): PacketAead {
    while (k.aeads.length <= generation) {
      const next = nextTrafficSecret(k.suite, k.secrets[k.secrets.length - 1], k.version);
      k.secrets.push(next);
      const keys = derivePacketKeys(k.suite, next, k.version);
      k.aeads.push(new PacketAead(k.suite, keys.key, keys.iv));
    }
    return k.aeads[generation];
  }

  /** Tries to open a 1-RTT packet for connection `c` with a DCID of `dcidLength` bytes. */
  private openShort(c: Conn, side: Side, packet: Uint8Array, dcidLength: number, t: number): UnprotectedPacket | undefined {
    const keys = this.oneRttKeys(c, side);
    const pnOffset = 1 + dcidLength;
    if (!keys || packet.length < pnOffset + 20) return undefined;
    const s = c.sender[side];
    const progress = c.trace.keyPhases[side];
    let header: Uint8Array;
    let packetNumber: number;
    try {
      ({ header, packetNumber } = readProtectedHeader(keys.hp, packet, pnOffset, s.largest.application));
    } catch {
      return undefined;
    }
    const phase = (header[0] >> 2) & 1;
    const g = progress.generation;
    const order = phase === g % 2 ? [g, g - 2] : [g + 1, g - 1];
    for (const gen of order) {
      if (gen < 0) continue;
      try {
        const opened = openUnmaskedPacket(this.aeadFor(keys, gen), packet, header, pnOffset, packetNumber);
        if (gen > g || progress.firstAt.length === 0) {
          progress.generation = Math.max(g, gen);
          if (progress.firstAt[gen] === undefined) progress.firstAt[gen] = t;
        }
        if (s.largest.application === undefined || packetNumber > s.largest.application) s.largest.application = packetNumber;
        return opened;
      } catch {
        // not this generation
      }
    }
    return undefined;
  }

  private shortPacket(d: RelayedDatagram, side: Side, data: Uint8Array, start: number, prefix: string): void {
    const packet = data.subarray(start);
    const dcidBytes = (cid: string) => Buffer.from(cid, 'hex');
    const candidates: { c: Conn; len: number }[] = [];
    const pool = this.conns.filter((c) => c.trace.flow === d.flow).reverse();
    for (const c of pool) {
      const cids = side === 'client' ? c.serverCids : c.clientCids;
      for (const cid of cids) {
        const b = dcidBytes(cid);
        if (packet.length > b.length && Buffer.from(packet.subarray(1, 1 + b.length)).equals(b)) candidates.push({ c, len: b.length });
      }
    }
    if (candidates.length === 0) {
      for (const c of pool) {
        const cids = [...(side === 'client' ? c.serverCids : c.clientCids)];
        if (cids.length > 0) candidates.push({ c, len: cids[0].length / 2 });
      }
    }
    for (const { c, len } of candidates) {
      const opened = this.openShort(c, side, packet, len, d.t);
      if (!opened) continue;
      const t = c.trace;
      t.packets[side].oneRtt++;
      if (d.dropped) t.dropped[side]++;
      const frames = framesOf(opened.payload);
      this.list(`${prefix} c${t.index} 1-RTT k${opened.keyPhase}/g${t.keyPhases[side].generation} pn=${opened.packetNumber} ${describeFrames(frames)}`);
      this.onFrames(c, side, 'oneRtt', frames, d.t);
      return;
    }
    // undecryptable: count it against the most likely connection
    const c = candidates[0]?.c ?? pool[0];
    if (c) {
      c.trace.packets[side].oneRtt++;
      c.trace.undecryptable[side].oneRtt++;
      if (d.dropped) c.trace.dropped[side]++;
    } else this.report.unattributed++;
    this.list(`${prefix} ${c ? `c${c.trace.index}` : '?'} 1-RTT undecryptable (${packet.length}B)`);
  }

  private onFrames(c: Conn, side: Side, level: Level, frames: readonly Frame[], time: number): void {
    const t = c.trace;
    for (const f of frames) {
      switch (f.type) {
        case FrameType.CRYPTO: {
          const stream = c.sender[side].crypto[level === 'zeroRtt' ? 'oneRtt' : level];
          for (const m of stream.push(f.offset, f.data)) this.onHandshakeMessage(c, side, m);
          break;
        }
        case FrameType.STREAM:
          if (side === 'client' && f.streamId % 4 === 0 && !c.seenStreams.has(f.streamId)) {
            c.seenStreams.add(f.streamId);
            t.clientBidiStreams++;
          }
          if (level === 'zeroRtt') t.zeroRttStreamFrames++;
          if (level === 'oneRtt') {
            const ends = c.oneRttStreamEnds[side];
            const end = f.offset + f.data.length;
            const before = ends.get(f.streamId) ?? 0;
            if (end > before) {
              ends.set(f.streamId, end);
              t.oneRttStreamData[side] += end - before;
            }
          }
          break;
        case FrameType.NEW_TOKEN:
          if (side === 'server') t.newTokens.push(hex(f.token));
          break;
        case FrameType.HANDSHAKE_DONE:
          if (side === 'server') t.handshakeDone = true;
          break;
        case FrameType.NEW_CONNECTION_ID:
          (side === 'server' ? c.serverCids : c.clientCids).add(hex(f.connectionId));
          break;
        case FrameType.MAX_STREAMS_BIDI:
          if (side === 'server') t.serverMaxStreamsBidi++;
          break;
        case FrameType.CONNECTION_CLOSE:
        case FrameType.CONNECTION_CLOSE_APP: {
          const application = f.type === FrameType.CONNECTION_CLOSE_APP;
          const last = t.closes[t.closes.length - 1];
          if (!last || last.side !== side || last.code !== f.errorCode || last.application !== application) {
            t.closes.push({ side, application, code: f.errorCode, reason: f.reason });
          }
          break;
        }
        default:
          break;
      }
    }
    void time;
  }

  private onHandshakeMessage(c: Conn, side: Side, m: HandshakeMessage): void {
    const t = c.trace;
    try {
      switch (m.type) {
        case HandshakeType.client_hello: {
          if (side !== 'client') return;
          const ch = parseClientHello(m.body);
          const alpn = findExtension(ch.extensions, ExtensionType.application_layer_protocol_negotiation);
          t.clientHello = {
            random: hex(ch.random),
            cipherSuites: [...ch.cipherSuites],
            alpn: alpn ? parseAlpn(alpn.data) : [],
            pskOffered: findExtension(ch.extensions, ExtensionType.pre_shared_key) !== undefined,
            earlyDataOffered: findExtension(ch.extensions, ExtensionType.early_data) !== undefined,
          };
          return;
        }
        case HandshakeType.server_hello: {
          const sh = parseServerHello(m.body);
          if (isHelloRetryRequest(sh)) {
            t.helloRetryRequest = true;
            return;
          }
          t.serverHello = {
            cipherSuite: sh.cipherSuite,
            pskAccepted: findExtension(sh.extensions, ExtensionType.pre_shared_key) !== undefined,
          };
          return;
        }
        case HandshakeType.encrypted_extensions: {
          const ee = parseEncryptedExtensions(m.body);
          const alpn = findExtension(ee.extensions, ExtensionType.application_layer_protocol_negotiation);
          const tp = findExtension(ee.extensions, ExtensionType.quic_transport_parameters);
          let transportParameters;
          try {
            transportParameters = tp ? decodeTransportParameters(tp.data, 'server') : undefined;
          } catch {
            transportParameters = undefined;
          }
          t.encryptedExtensions = {
            alpn: alpn ? parseAlpnSelected(alpn.data) : undefined,
            earlyDataAccepted: findExtension(ee.extensions, ExtensionType.early_data) !== undefined,
            transportParameters,
            transportParameterIds: tp ? transportParameterIds(tp.data) : [],
          };
          return;
        }
        case HandshakeType.certificate: {
          const n = parseCertificate(m.body).entries.length;
          if (side === 'server') t.serverCertificates = n;
          else t.clientCertificates = n;
          return;
        }
        case HandshakeType.certificate_request:
          if (side === 'server') t.certificateRequest = true;
          return;
        case HandshakeType.certificate_verify:
          if (side === 'client') t.clientCertificateVerify = true;
          return;
        case HandshakeType.finished:
          if (side === 'server') t.serverFinished = true;
          else t.clientFinished = true;
          return;
        case HandshakeType.new_session_ticket:
          if (side === 'server') t.sessionTickets++;
          return;
        default:
          return;
      }
    } catch {
      // a message we cannot parse is simply not evidence
    }
  }

  private finish(c: Conn): void {
    const t = c.trace;
    t.serverCids = [...c.serverCids];
    if (t.clientFinished || t.handshakeDone) {
      t.handshakeCompleted = true;
      t.completionEvidence = 'decrypted';
    } else if (t.missingSecrets.length > 0 && t.packets.client.oneRtt > 0 && t.packets.server.oneRtt > 0) {
      t.handshakeCompleted = true;
      t.completionEvidence = 'inferred';
    }
  }
}

/** The IDs of the transport parameters in an encoded list, in order (stops at the first malformed entry). */
function transportParameterIds(data: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 0;
  while (p < data.length) {
    const id = decodeVarintAt(data, p);
    if (id < 0) break;
    p += varintLengthFromFirstByte(data[p]);
    if (p >= data.length) break;
    const len = decodeVarintAt(data, p);
    if (len < 0) break;
    p += varintLengthFromFirstByte(data[p]) + len;
    ids.push(id);
  }
  return ids;
}

/** The ClientHello random (hex) if these frames hold the start of a ClientHello. */
function clientHelloRandom(frames: readonly Frame[]): string | undefined {
  for (const f of frames) {
    if (f.type === FrameType.CRYPTO && f.offset === 0 && f.data.length >= 38 && f.data[0] === HandshakeType.client_hello) {
      return hex(f.data.subarray(6, 38));
    }
  }
  return undefined;
}

/** Analyzes a relay trace with the given key logs. */
export function analyzeTrace(datagrams: readonly RelayedDatagram[], keyLog: KeyLog): TraceReport {
  return new TraceAnalyzer(keyLog).run(datagrams);
}
