/**
 * The download used by bench/quic-transport.ts: the client opens a bidirectional stream and sends the byte count it
 * wants (8 bytes, big-endian) with FIN; the server answers with that many bytes and FIN. Both ends are the
 * package's public Endpoint / QuicConnection / QuicStreamDuplex, configured alike (1452-byte datagrams, the bench
 * certificate, AES-128-GCM, NewReno unless told otherwise).
 */
import { once } from 'node:events';
import { Endpoint, type ConnectionOptions, type QuicConnection, type QuicStreamDuplex } from '@quichs/quic-transport';

/** Datagram size both ends use (ngtcp2's default max UDP payload on loopback is of this order too). */
export const BENCH_DATAGRAM_SIZE = 1452;
/** The payload the server sends from (a view of it per write; never modified). */
const PAYLOAD = Buffer.alloc(1 << 20, 0x71);
/** Bytes per write() on the server. */
const WRITE_SIZE = 256 * 1024;

/** Connection options of the bench's server and client. */
export function benchConnectionOptions(extra: ConnectionOptions = {}): ConnectionOptions {
  return {
    ...extra,
    tls: { ALPNProtocols: ['bench'], ...extra.tls },
    connection: { maxDatagramSize: BENCH_DATAGRAM_SIZE, ...extra.connection },
  };
}

/** Serves downloads on `endpoint` (already open): every stream's request is answered with the requested bytes. */
export function serveDownloads(endpoint: Endpoint, options: ConnectionOptions & { maxConnections?: number }): void {
  endpoint.listen(benchConnectionOptions(options));
  endpoint.on('connection', (conn: QuicConnection) => {
    conn.on('stream', (st: QuicStreamDuplex) => void answer(st).catch(() => st.destroy()));
  });
}

async function answer(st: QuicStreamDuplex): Promise<void> {
  // (a for-await over the Duplex would destroy it, writable side included, when the request ends)
  const parts: Buffer[] = [];
  st.on('data', (chunk: Buffer) => parts.push(chunk));
  await once(st, 'end');
  const request = Buffer.concat(parts);
  if (request.length !== 8) throw new Error('bad request');
  let left = Number(request.readBigUInt64BE(0));
  while (left > 0) {
    const n = Math.min(left, WRITE_SIZE);
    if (!st.write(PAYLOAD.subarray(0, n))) await once(st, 'drain');
    left -= n;
  }
  st.end();
}

/** Downloads `bytes` over a new stream of `conn`; resolves with the byte count received once FIN arrived. */
export async function download(conn: QuicConnection, bytes: number): Promise<number> {
  const st = conn.openStream();
  const request = Buffer.alloc(8);
  request.writeBigUInt64BE(BigInt(bytes));
  st.end(request);
  let received = 0;
  for await (const chunk of st) received += (chunk as Buffer).length;
  if (received !== bytes) throw new Error(`download incomplete: ${received}/${bytes} bytes`);
  return received;
}
