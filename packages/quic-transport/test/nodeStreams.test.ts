/**
 * The Node layer (Endpoint over real UDP on 127.0.0.1, QuicConnection, QuicStreamDuplex) with the real sans-IO
 * Connection: echo through Duplex streams, backpressure, Retry, incoming streams as an async iterator, resets as
 * QuicError, qlog files and the key log, NEW_TOKEN reuse, connect() argument checks. Every wait has a timeout.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AntiReplay, type TlsSession } from '@quichs/tls-hs';
import { Endpoint, parseQlogJsonSeq, QUIC_VERSION_1, QuicError, ZeroRttRejectedError } from '../src/index.js';
import type { ConnectionOptions, QuicConnection, QuicStreamDuplex, ServerOptions } from '../src/index.js';
import { clientTls, serverTls } from './support/quicFixtures.js';

const s = suite('nodeStreams');

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

async function collect(stream: QuicStreamDuplex): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const sameBuffer = (x: Uint8Array, y: Uint8Array): boolean => Buffer.from(x).equals(Buffer.from(y));

const clientOptions = (extra: ConnectionOptions = {}): ConnectionOptions => ({ ...extra, tls: clientTls(extra.tls) });

async function pair(serverOptions: ServerOptions = {}, echo = true) {
  const server = await Endpoint.open({});
  const client = await Endpoint.open({});
  server.listen({ ...serverOptions, tls: serverTls(serverOptions.tls) });
  if (echo) {
    server.on('connection', (conn: QuicConnection) => {
      conn.on('stream', (st: QuicStreamDuplex) => st.pipe(st));
    });
  }
  return { server, client };
}

s('async iteration hands 64 KB STREAM chunks over as received, not concatenated (4 MB with 65 507-byte datagrams)', async () => {
  const big = { connection: { maxDatagramSize: 65_507 } };
  const { server, client } = await pair(big);
  try {
    const conn = client.connect('127.0.0.1', server.address().port, clientOptions(big));
    await within(5000, conn.ready);
    const st = conn.openStream();
    const data = randomBytes(4 * 1024 * 1024);
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    const done = (async () => {
      for await (const chunk of st) {
        sizes.push((chunk as Buffer).length);
        parts.push(chunk as Buffer);
      }
    })();
    st.end(data);
    await within(10_000, done);
    assert.ok(Buffer.concat(parts).equals(data));
    // one STREAM frame carries at most a datagram's payload; two chunks read together would be longer
    assert.ok(Math.max(...sizes) < 65_507, `largest chunk ${Math.max(...sizes)} bytes`);
    await within(2000, conn.close());
  } finally {
    await client.close();
    await server.close();
  }
});

s('loopback echo of 1 MB over one stream, with handshake info, stats and clean close', async () => {
  const { server, client } = await pair();
  try {
    const conn = client.connect('127.0.0.1', server.address().port, clientOptions());
    const info = await within(5000, conn.ready);
    assert.is(info.alpn, 'hq-test');
    assert.is(info.suite, 'TLS_AES_128_GCM_SHA256');
    assert.is(info.group, 'X25519MLKEM768');
    assert.is(conn.role, 'client');
    assert.is(conn.remoteAddress.port, server.address().port);
    const st = conn.openStream();
    const data = randomBytes(1024 * 1024);
    const echoed = collect(st);
    st.end(data);
    const got = await within(10_000, echoed);
    assert.is(got.length, data.length);
    assert.ok(got.equals(data));
    const stats = conn.stats();
    assert.ok((stats.smoothedRtt ?? 0) > 0);
    assert.ok((stats.packetsSent ?? 0) > 800);
    assert.is(server.connections.length, 1);
    const closed = new Promise<unknown>((r) => server.connections[0].once('close', r));
    await within(2000, conn.close());
    assert.is(await within(2000, closed), undefined);
    assert.ok(conn.closed);
  } finally {
    await client.close();
    await server.close();
  }
});

s('backpressure: write() returns false beyond the high-water mark and drains', async () => {
  const { server, client } = await pair();
  try {
    const conn = client.connect('localhost', server.address().port, clientOptions({ stream: { writableHighWaterMark: 16 * 1024 }, connection: { streamSendBuffer: 16 * 1024 } }));
    await within(5000, conn.ready);
    const st = conn.openStream();
    const echoed = collect(st);
    const chunk = randomBytes(64 * 1024);
    assert.is(st.write(chunk), false);
    await within(5000, new Promise((r) => st.once('drain', r)));
    st.end();
    assert.ok((await within(5000, echoed)).equals(chunk));
  } finally {
    await client.close();
    await server.close();
  }
});

s('Retry through real UDP, incoming streams as an async iterator, peer reset surfaces as QuicError', async () => {
  const { server, client } = await pair({ retry: true }, false);
  try {
    const accepted = new Promise<QuicConnection>((r) => server.once('connection', r));
    const conn = client.connect('127.0.0.1', server.address().port, clientOptions());
    await within(5000, conn.ready);
    // the ML-KEM ClientHello spans two Initial datagrams, each answered by a (stateless) Retry; one is used
    assert.ok(server.core.stats.retrySent >= 1);
    const sconn = await within(3000, accepted);
    const it = sconn[Symbol.asyncIterator]();
    const a = conn.openStream();
    a.write('hello');
    const first = await within(3000, it.next());
    assert.not.ok(first.done);
    const incoming = first.value as QuicStreamDuplex;
    const err = new Promise<Error>((r) => incoming.once('error', r));
    incoming.resume();
    await new Promise((r) => setTimeout(r, 20));
    a.resetErrorCode = 7;
    a.destroy();
    const e = await within(3000, err);
    assert.ok(e instanceof QuicError);
    assert.is((e as QuicError).code, 7);
    // endpoint close ends the iterator and closes the client connection (CONNECTION_CLOSE reaches it)
    const done = it.next();
    await server.close();
    assert.ok((await within(2000, done)).done);
    await within(3000, conn.whenClosed());
  } finally {
    await client.close();
    await server.close();
  }
});

s('qlog files and the key log file are written; a NEW_TOKEN token is reused by the next connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quichs-ep-'));
  const { server, client } = await pair({ qlogDir: join(dir, 'qlog'), keylogFile: join(dir, 'keys.log') });
  try {
    const conn = client.connect('127.0.0.1', server.address().port, clientOptions({ qlogDir: join(dir, 'qlog') }));
    const token = new Promise<Uint8Array>((r) => conn.once('newToken', r));
    await within(5000, conn.ready);
    assert.ok((await within(3000, token)).length > 16);
    await within(2000, conn.close());
    const validatedBefore = server.core.stats.accepted;
    const second = client.connect('127.0.0.1', server.address().port, clientOptions());
    await within(5000, second.ready);
    assert.is(server.core.stats.accepted, validatedBefore + 1);
    const sconn = server.connections.find((c) => c.core !== server.connections[0]?.core) ?? server.connections[server.connections.length - 1];
    assert.ok(sconn !== undefined);
    await within(2000, second.close());
    await client.close();
    await server.close();
    const files = readdirSync(join(dir, 'qlog'));
    assert.ok(files.some((f) => f.endsWith('_server.sqlog')));
    assert.ok(files.some((f) => f.endsWith('_client.sqlog')));
    const parsed = parseQlogJsonSeq(readFileSync(join(dir, 'qlog', files.find((f) => f.endsWith('_server.sqlog'))!), 'utf8'));
    const names = new Set(parsed.events.map((e) => e.name));
    assert.ok(names.has('transport:packet_received'));
    assert.ok(names.has('transport:packet_sent'));
    assert.ok(names.has('security:key_updated'));
    assert.ok(existsSync(join(dir, 'keys.log')));
    const keylog = readFileSync(join(dir, 'keys.log'), 'utf8');
    assert.match(keylog, /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64}$/m);
    assert.match(keylog, /^CLIENT_TRAFFIC_SECRET_0 /m);
  } finally {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

s('a NEW_TOKEN token is used by one connection only (RFC 9000 §8.1.3); the next one brings a new token', async () => {
  const { server, client } = await pair({ retry: true });
  const port = server.address().port;
  const connect = (): { conn: QuicConnection; token: Promise<Uint8Array> } => {
    const conn = client.connect('127.0.0.1', port, clientOptions());
    return { conn, token: new Promise<Uint8Array>((r) => conn.once('newToken', r)) };
  };
  const retried = async (c: { conn: QuicConnection }): Promise<boolean> => {
    const before = server.core.stats.retrySent;
    await within(5000, c.conn.ready);
    return server.core.stats.retrySent > before;
  };
  try {
    const a = connect();
    assert.ok(await retried(a), 'no token yet: Retry');
    const tokenA = await within(3000, a.token);
    // two connections back to back: the first takes the token, the second has none and is sent a Retry
    const b = connect();
    const before = server.core.stats.retrySent;
    const c = connect();
    await within(5000, Promise.all([b.conn.ready, c.conn.ready]));
    assert.ok(server.core.stats.retrySent > before, 'the second connection presented no token');
    const [tokenB, tokenC] = await within(3000, Promise.all([b.token, c.token]));
    assert.not.ok(sameBuffer(tokenB, tokenA));
    assert.not.ok(sameBuffer(tokenC, tokenA));
    // the newest token (from b or c) serves the next connection: no Retry
    assert.not.ok(await retried(connect()), 'a stored token skipped the Retry');
  } finally {
    await client.close();
    await server.close();
  }
});

s('0-RTT rejected with another ALPN: a Node stream opened in 0-RTT fails with ZeroRttRejectedError (its async iterator throws it); new streams work', async () => {
  const antiReplay = new AntiReplay();
  const alpns = ['hq-test', 'hq-other'];
  const first = await Endpoint.open({});
  const second = await Endpoint.open({});
  const client = await Endpoint.open({});
  first.listen({ tls: serverTls({ earlyData: true, antiReplay }) });
  second.listen({ tls: serverTls({ earlyData: true, antiReplay, ALPNProtocols: ['hq-other'] }) });
  let serverBytes = 0;
  second.on('connection', (conn: QuicConnection) => {
    conn.on('stream', (st: QuicStreamDuplex) => {
      st.on('error', () => undefined); // the reset 0-RTT stream
      st.on('data', (d: Buffer) => (serverBytes += d.length));
      st.pipe(st);
    });
  });
  try {
    const c1 = client.connect('127.0.0.1', first.address().port, clientOptions({ tls: { ALPNProtocols: alpns } }));
    const session = new Promise<TlsSession>((r) => c1.once('session', r));
    await within(5000, c1.ready);
    const ticket = await within(3000, session);
    assert.is(ticket.alpn, 'hq-test');
    await within(2000, c1.close());
    const c2 = client.connect('127.0.0.1', second.address().port, clientOptions({ tls: { ALPNProtocols: alpns, session: ticket, earlyData: true } }));
    const early = c2.openStream();
    early.write('a request for hq-test');
    let earlyEchoed = 0;
    const iterated = (async () => {
      for await (const chunk of early) earlyEchoed += (chunk as Buffer).length;
    })();
    const err = await within(5000, iterated.then(() => undefined, (e: unknown) => e));
    assert.ok(err instanceof ZeroRttRejectedError, `got ${String(err)}`);
    assert.is((err as ZeroRttRejectedError).streamId, early.id);
    assert.is((err as ZeroRttRejectedError).alpn, 'hq-other');
    assert.is((err as ZeroRttRejectedError).sessionAlpn, 'hq-test');
    assert.ok(early.destroyed);
    assert.is(earlyEchoed, 0);
    const info = await within(3000, c2.ready);
    assert.is(info.alpn, 'hq-other');
    assert.is(info.earlyDataAccepted, false);
    const next = c2.openStream();
    const echoed = collect(next);
    next.end('hello hq-other');
    assert.is((await within(3000, echoed)).toString(), 'hello hq-other');
    assert.is(serverBytes, 'hello hq-other'.length, 'the 0-RTT bytes never reached the server');
  } finally {
    await client.close();
    await first.close();
    await second.close();
  }
});

s('connect() argument checks, connectByName, and a closed endpoint refuses work', async () => {
  const { server, client } = await pair();
  try {
    assert.throws(() => client.connect('example.invalid', 443), TypeError);
    const conn = await client.connectByName('localhost', server.address().port, clientOptions());
    const info = await within(5000, conn.ready);
    assert.is(info.alpn, 'hq-test');
    assert.is(client.connections.length, 1);
    assert.is((conn.core as unknown as { quicVersion: number }).quicVersion, QUIC_VERSION_1);
  } finally {
    await client.close();
    await server.close();
  }
  assert.throws(() => client.connect('127.0.0.1', 1), /closed/);
  assert.throws(() => client.listen(), /closed/);
});

s.run();
