/**
 * The echo server as a library (echo-server.ts is its CLI, demo.ts runs it in-process): a QUIC Endpoint that
 * listens, and on every stream a client opens writes back what it reads (with backpressure, `pipe`), FIN included.
 * Options cover the certificate (self-signed when none is given), ALPN, key log, qlog, versions, ciphers, groups,
 * congestion control, Retry, 0-RTT, a server-initiated key update and simulated loss.
 */
import {
  Endpoint,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  type HandshakeInfo,
  type QuicConnection,
  type QuicStreamDuplex,
  type RemoteAddress,
  type TlsStateInfo,
} from '@quichs/quic-transport';
import { loadCertificates } from '@quichs/tls-hs';
import { lossyConnectionFactory, type LossCounters, type LossSimulation } from './lossSimulation.js';
import { handshakeSummary } from './handshakeReport.js';
import { fingerprint, selfSignedCertificate } from './selfSigned.js';

/** Options of {@link startEchoServer}. */
export interface EchoServerOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** UDP port (default 4433; 0 = any free port). */
  port?: number;
  /** Certificate chain, PEM (default: a fresh self-signed certificate). */
  cert?: string;
  /** Private key, PEM (with `cert`). */
  key?: string;
  /** ALPN protocols we accept (default ["echo"]). */
  alpn?: readonly string[];
  /** Append NSS key log lines (SSLKEYLOGFILE format) to this file. */
  keylogFile?: string;
  /** Write one qlog (JSON-SEQ) file per connection into this directory. */
  qlogDir?: string;
  /** QUIC versions accepted (default v1 and v2). */
  versions?: readonly number[];
  /** TLS cipher suites allowed, preference order. */
  ciphers?: readonly string[];
  /** Key exchange groups, preference order. */
  groups?: readonly string[];
  /** Congestion controller (default newreno). */
  congestionControl?: 'newreno' | 'cubic';
  /** Validate client addresses with a Retry first. */
  retry?: boolean;
  /** Accept 0-RTT early data from resuming clients (tickets allow it). */
  earlyData?: boolean;
  /** Start a 1-RTT key update on every connection once the first stream data arrives. */
  keyUpdate?: boolean;
  /** Drop a seeded fraction of datagrams. */
  loss?: LossSimulation;
  /** Largest UDP payload we send (default 1452 when not given: loopback and Ethernet paths carry it). */
  maxDatagramSize?: number;
  /** Called for each accepted connection (before its handshake completes). */
  onConnection?: (conn: QuicConnection, record: EchoConnectionRecord) => void;
  /** Progress lines (connections, handshakes, closes); default: none. */
  log?: (line: string) => void;
}

/** What the server remembers of one connection. */
export interface EchoConnectionRecord {
  /** Sequence number (1, 2, …). */
  readonly id: number;
  /** Client address. */
  readonly remote: RemoteAddress;
  /** Every TLS state the switch saw, in order. */
  readonly tlsStates: TlsStateInfo[];
  /** Handshake result, once complete. */
  handshake?: HandshakeInfo;
  /** Bytes echoed on all streams. */
  bytesEchoed: number;
  /** Streams handled. */
  streams: number;
  /** True once this connection initiated a key update. */
  keyUpdated: boolean;
}

/** A running echo server. */
export interface EchoServer {
  /** The endpoint. */
  readonly endpoint: Endpoint;
  /** The bound address. */
  readonly address: RemoteAddress;
  /** The certificate in use, PEM (self-signed when none was given). */
  readonly certificatePem: string;
  /** SHA-256 fingerprint of the leaf certificate. */
  readonly fingerprint: string;
  /** True when the certificate was generated. */
  readonly selfSigned: boolean;
  /** Connections accepted so far. */
  readonly connections: EchoConnectionRecord[];
  /** Datagrams dropped by the loss simulation. */
  readonly dropped: LossCounters | undefined;
  /** Resolves when `count` connections have closed. */
  closedConnections(count: number): Promise<void>;
  /** Closes every connection and the socket. */
  close(): Promise<void>;
}

/** Binds the endpoint and starts echoing. */
export async function startEchoServer(o: EchoServerOptions = {}): Promise<EchoServer> {
  const generated = o.cert === undefined ? selfSignedCertificate(o.host === undefined ? [] : [o.host]) : undefined;
  const cert = o.cert ?? generated!.pem;
  const key = o.key ?? generated?.keyPem;
  if (key === undefined) throw new Error('a certificate needs its private key');
  const lossy = o.loss === undefined ? undefined : lossyConnectionFactory(o.loss);
  const endpoint = await Endpoint.open({
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 4433,
    versions: o.versions ?? [QUIC_VERSION_1, QUIC_VERSION_2],
    factory: lossy?.factory,
  });
  const log = o.log ?? (() => undefined);
  const records: EchoConnectionRecord[] = [];
  let closedCount = 0;
  const closeWaiters: { count: number; resolve: () => void }[] = [];
  const onClosed = (): void => {
    closedCount++;
    for (const w of closeWaiters.splice(0)) {
      if (closedCount >= w.count) w.resolve();
      else closeWaiters.push(w);
    }
  };

  endpoint.listen({
    tls: {
      cert,
      key,
      ALPNProtocols: o.alpn ?? ['echo'],
      ciphers: o.ciphers,
      groups: o.groups,
      earlyData: o.earlyData ?? false,
    },
    retry: o.retry ?? false,
    congestionControl: o.congestionControl,
    keylogFile: o.keylogFile,
    qlogDir: o.qlogDir,
    connection: { maxDatagramSize: o.maxDatagramSize ?? 1452 },
  });

  endpoint.on('connection', (conn: QuicConnection) => {
    const record: EchoConnectionRecord = {
      id: records.length + 1,
      remote: conn.remoteAddress,
      tlsStates: [],
      bytesEchoed: 0,
      streams: 0,
      keyUpdated: false,
    };
    records.push(record);
    const name = `#${record.id} ${record.remote.address}:${record.remote.port}`;
    log(`${name}: connection`);
    conn.on('tlsState', (s: TlsStateInfo) => record.tlsStates.push(s));
    conn.on('handshake', (info: HandshakeInfo) => {
      record.handshake = info;
      const st = conn.stats();
      log(`${name}: handshake ${handshakeSummary(info, st.smoothedRtt)}`);
    });
    conn.on('stream', (st: QuicStreamDuplex) => {
      record.streams++;
      st.on('data', (chunk: Buffer) => {
        record.bytesEchoed += chunk.length;
        if (o.keyUpdate && !record.keyUpdated) tryKeyUpdate(conn, record, log, name);
      });
      st.on('error', (e: Error) => log(`${name}: stream ${st.id}: ${e.message}`));
      st.pipe(st);
    });
    conn.on('close', (e: Error | undefined) => {
      const st = conn.stats();
      log(`${name}: closed${e ? ` (${e.message})` : ''}; echoed ${record.bytesEchoed} bytes on ${record.streams} stream(s), ` +
        `${st.packetsSent ?? 0} packets sent, ${st.packetsLost ?? 0} lost${st.keyUpdates ? `, ${st.keyUpdates} key update(s)` : ''}`);
      onClosed();
    });
    o.onConnection?.(conn, record);
  });

  const address = endpoint.address();
  const leaf = loadCertificates(cert)[0];
  return {
    endpoint,
    address,
    certificatePem: cert,
    fingerprint: leaf === undefined ? '?' : fingerprint(leaf),
    selfSigned: generated !== undefined,
    connections: records,
    dropped: lossy?.dropped,
    closedConnections: (count) =>
      new Promise<void>((resolve) => {
        if (closedCount >= count) resolve();
        else closeWaiters.push({ count, resolve });
      }),
    close: () => endpoint.close(),
  };
}

/** A key update is allowed once the handshake is confirmed and the previous update acknowledged; retried until then. */
function tryKeyUpdate(conn: QuicConnection, record: EchoConnectionRecord, log: (line: string) => void, name: string): void {
  try {
    conn.updateKeys();
    record.keyUpdated = true;
    log(`${name}: key update started`);
  } catch {
    // not allowed yet (RFC 9001 §6.1): the next data chunk tries again
  }
}
