/**
 * The Node layer (Endpoint over real UDP on 127.0.0.1, QuicConnection, QuicStreamDuplex) driven by a toy sans-IO
 * connection that speaks a trivial framing inside real QUIC headers, so routing, Retry, timers, backpressure,
 * resets and close all run through the real endpoint code without needing the full Connection.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildLongHeader,
  Endpoint,
  parsePacketHeader,
  parseQlogJsonSeq,
  QUIC_VERSION_1,
  QuicError,
} from '../src/index.js';
import type {
  ConnectionContext,
  ConnectionCore,
  ConnectionCoreEvent,
  ConnectionFactory,
  IncomingConnection,
  OutgoingConnection,
  QuicConnection,
  QuicStreamDuplex,
  RemoteAddress,
  StreamReadResult,
} from '../src/index.js';

const s = suite('nodeStreams');
const CAP = 32 * 1024;
const CID_LEN = 8;

interface ToyStream {
  recv: Uint8Array[];
  finReceived: boolean;
  finRead: boolean;
  send: Uint8Array[];
  sendBytes: number;
  finQueued: boolean;
  finSent: boolean;
  blocked: boolean;
}

class ToyCore implements ConnectionCore {
  events: ConnectionCoreEvent[] = [];
  out: Uint8Array[] = [];
  streams = new Map<number, ToyStream>();
  peerCid: Uint8Array;
  helloDcid: Uint8Array;
  token = new Uint8Array(0);
  nextStream: number;
  state: 'handshaking' | 'open' | 'closing' | 'drained' = 'handshaking';
  timer: number | undefined;
  timerFired = 0;
  constructor(
    readonly role: 'client' | 'server',
    public remote: RemoteAddress,
    readonly localCid: Uint8Array,
    peerCid: Uint8Array,
  ) {
    this.peerCid = peerCid;
    this.helloDcid = peerCid;
    this.nextStream = role === 'client' ? 0 : 1;
    if (role === 'client') this.out.push(this.hello());
  }
  private hello(): Uint8Array {
    const { header } = buildLongHeader({ version: QUIC_VERSION_1, type: 'initial', dcid: this.helloDcid, scid: this.localCid, token: this.token, pn: 0, pnLength: 4, payloadLength: 1200, lengthFieldSize: 2 });
    const d = new Uint8Array(header.length + 1200);
    d.set(header);
    return d;
  }
  private short(kind: string, body: Uint8Array): Uint8Array {
    const d = new Uint8Array(1 + this.peerCid.length + 1 + body.length);
    d[0] = 0x40;
    d.set(this.peerCid, 1);
    d[1 + this.peerCid.length] = kind.charCodeAt(0);
    d.set(body, 2 + this.peerCid.length);
    return d;
  }
  private stream(id: number): ToyStream {
    let st = this.streams.get(id);
    if (!st) {
      st = { recv: [], finReceived: false, finRead: false, send: [], sendBytes: 0, finQueued: false, finSent: false, blocked: false };
      this.streams.set(id, st);
    }
    return st;
  }
  receive(datagram: Uint8Array): void {
    if (this.state === 'drained') return;
    if (datagram[0] & 0x80) {
      const h = parsePacketHeader(datagram, 0, { shortDcidLength: CID_LEN });
      if (h.kind === 'retry' && this.role === 'client') {
        this.helloDcid = Uint8Array.from(h.scid);
        this.token = Uint8Array.from(h.token);
        this.out.push(this.hello());
      } else if (h.kind === 'long' && this.role === 'server' && this.state === 'handshaking') {
        this.state = 'open';
        this.out.push(this.short('H', this.localCid));
        this.events.push({ type: 'handshakeCompleted', alpn: 'toy' });
      }
      return;
    }
    const kind = String.fromCharCode(datagram[1 + CID_LEN]);
    const body = datagram.subarray(2 + CID_LEN);
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    if (kind === 'H' && this.state === 'handshaking') {
      this.peerCid = Uint8Array.from(body);
      this.state = 'open';
      this.events.push({ type: 'handshakeCompleted', alpn: 'toy' });
      this.timer = 0; // fires at the next timer check
    } else if (kind === 'S') {
      const id = view.getUint32(0);
      const fin = body[4] === 1;
      const isNew = !this.streams.has(id);
      const st = this.stream(id);
      if (isNew) this.events.push({ type: 'streamOpened', streamId: id });
      if (body.length > 5) st.recv.push(body.slice(5));
      if (fin) st.finReceived = true;
      this.events.push({ type: 'streamReadable', streamId: id });
    } else if (kind === 'R') {
      this.events.push({ type: 'streamClosed', streamId: view.getUint32(0), errorCode: view.getUint32(4) });
    } else if (kind === 'C') {
      this.state = 'drained';
      this.events.push({ type: 'connectionClosed', error: view.getUint32(0) === 0 ? undefined : new QuicError(view.getUint32(0), 'peer closed', { application: true, remote: true }) });
    }
  }
  send(): Uint8Array[] {
    if (this.state === 'closing') {
      this.state = 'drained';
      return this.out.splice(0);
    }
    if (this.state === 'open') {
      for (const [id, st] of this.streams) {
        while (st.send.length > 0) {
          const chunk = st.send.shift() as Uint8Array;
          st.sendBytes -= chunk.length;
          const body = new Uint8Array(5 + chunk.length);
          new DataView(body.buffer).setUint32(0, id);
          const last = st.send.length === 0 && st.finQueued;
          body[4] = last ? 1 : 0;
          if (last) st.finSent = true;
          body.set(chunk, 5);
          this.out.push(this.short('S', body));
        }
        if (st.finQueued && !st.finSent) {
          st.finSent = true;
          const body = new Uint8Array(5);
          new DataView(body.buffer).setUint32(0, id);
          body[4] = 1;
          this.out.push(this.short('S', body));
        }
        if (st.blocked) {
          st.blocked = false;
          this.events.push({ type: 'streamWritable', streamId: id });
        }
      }
    }
    return this.out.splice(0);
  }
  nextTimeout(): number | undefined {
    return this.timer;
  }
  onTimeout(): void {
    this.timer = undefined;
    this.timerFired++;
  }
  close(errorCode: number, _reason: string): void {
    if (this.state === 'drained' || this.state === 'closing') return;
    const body = new Uint8Array(4);
    new DataView(body.buffer).setUint32(0, errorCode);
    this.out.push(this.short('C', body));
    this.state = 'closing';
    this.events.push({ type: 'connectionClosed', error: errorCode === 0 ? undefined : new QuicError(errorCode, 'closed', { application: true }) });
  }
  isDrained(): boolean {
    return this.state === 'drained';
  }
  pollEvent(): ConnectionCoreEvent | undefined {
    return this.events.shift();
  }
  openStream(bidirectional: boolean): number {
    const id = this.nextStream | (bidirectional ? 0 : 2);
    if (bidirectional) this.nextStream += 4;
    this.stream(id);
    return id;
  }
  writeStream(id: number, data: Uint8Array): number {
    const st = this.stream(id);
    const room = Math.max(0, CAP - st.sendBytes);
    let n = Math.min(room, data.length);
    for (let off = 0; off < n; off += 1000) {
      const piece = data.slice(off, Math.min(n, off + 1000));
      st.send.push(piece);
      st.sendBytes += piece.length;
    }
    if (n < data.length) st.blocked = true;
    return n;
  }
  endStream(id: number): void {
    this.stream(id).finQueued = true;
  }
  readStream(id: number): StreamReadResult | undefined {
    const st = this.streams.get(id);
    if (!st) return undefined;
    const chunk = st.recv.shift();
    if (chunk) return { data: chunk, fin: st.recv.length === 0 && st.finReceived && (st.finRead = true) };
    if (st.finReceived && !st.finRead) {
      st.finRead = true;
      return { data: new Uint8Array(0), fin: true };
    }
    return undefined;
  }
  resetStream(id: number, errorCode: number): void {
    const body = new Uint8Array(8);
    new DataView(body.buffer).setUint32(0, id);
    new DataView(body.buffer).setUint32(4, errorCode);
    this.stream(id).send = [];
    this.out.push(this.short('R', body));
  }
  stopSending(): void {}
  stats() {
    return { packetsSent: 1, smoothedRtt: 1 };
  }
}

const contexts: ConnectionContext[] = [];
const toyFactory: ConnectionFactory = {
  client(out: OutgoingConnection, ctx) {
    contexts.push(ctx);
    return new ToyCore('client', out.remote, out.localCid.cid, randomBytes(8));
  },
  server(inc: IncomingConnection, ctx) {
    contexts.push(ctx);
    if (ctx.qlog) {
      const q = ctx.qlog(inc.originalDcid, 'server');
      q.event(0, 'connectivity:connection_state_updated', { new: 'attempted' });
      q.close();
    }
    ctx.keylog?.('CLIENT_TRAFFIC_SECRET_0 00 11');
    return new ToyCore('server', inc.remote, inc.localCid.cid, inc.peerCid);
  },
};

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

async function pair(serverOptions: Parameters<Endpoint['listen']>[0] = {}) {
  const server = await Endpoint.open({ factory: toyFactory });
  const client = await Endpoint.open({ factory: toyFactory });
  server.listen(serverOptions);
  server.on('connection', (conn: QuicConnection) => {
    conn.on('stream', (st: QuicStreamDuplex) => st.pipe(st)); // echo
  });
  return { server, client };
}

s('loopback echo of 300 KB over one stream, with handshake event, stats and clean close', async () => {
  const { server, client } = await pair();
  try {
    const conn = client.connect('127.0.0.1', server.address().port);
    const info = await within(3000, conn.ready);
    assert.is(info.alpn, 'toy');
    assert.is(conn.role, 'client');
    assert.is(conn.remoteAddress.port, server.address().port);
    const st = conn.openStream();
    const data = randomBytes(300 * 1024);
    const echoed = collect(st);
    st.end(data);
    const got = await within(5000, echoed);
    assert.is(got.length, data.length);
    assert.ok(got.equals(data));
    assert.is(conn.stats().smoothedRtt, 1);
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
    const conn = client.connect('localhost', server.address().port, { stream: { writableHighWaterMark: 16 * 1024 } });
    await within(3000, conn.ready);
    const st = conn.openStream();
    const echoed = collect(st);
    const chunk = randomBytes(64 * 1024);
    assert.is(st.write(chunk), false);
    await within(3000, new Promise((r) => st.once('drain', r)));
    st.end();
    assert.ok((await within(3000, echoed)).equals(chunk));
  } finally {
    await client.close();
    await server.close();
  }
});

s('Retry through real UDP, incoming streams as an async iterator, peer reset surfaces as QuicError', async () => {
  const server = await Endpoint.open({ factory: toyFactory });
  const client = await Endpoint.open({ factory: toyFactory });
  server.listen({ retry: true });
  try {
    const accepted = new Promise<QuicConnection>((r) => server.once('connection', r));
    const conn = client.connect('127.0.0.1', server.address().port);
    await within(3000, conn.ready);
    assert.is(server.core.stats.retrySent, 1);
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
    // endpoint close ends the iterator and closes the client connection
    const done = it.next();
    await server.close();
    assert.ok((await within(2000, done)).done);
    await within(2000, conn.whenClosed());
  } finally {
    await client.close();
    await server.close();
  }
});

s('the endpoint timer fires connection timeouts; qlog dir and key log file reach the factory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quichs-ep-'));
  const server = await Endpoint.open({ factory: toyFactory });
  const client = await Endpoint.open({ factory: toyFactory });
  server.listen({ qlogDir: join(dir, 'qlog'), keylogFile: join(dir, 'keys.log') });
  try {
    const conn = client.connect('127.0.0.1', server.address().port);
    await within(3000, conn.ready);
    await within(2000, (async () => {
      while ((conn.core as ToyCore).timerFired === 0) await new Promise((r) => setTimeout(r, 5));
    })());
    assert.is((conn.core as ToyCore).timerFired, 1);
    await client.close();
    await server.close();
    const files = readdirSync(join(dir, 'qlog'));
    assert.is(files.length, 1);
    assert.match(files[0], /_server\.sqlog$/);
    const parsed = parseQlogJsonSeq(readFileSync(join(dir, 'qlog', files[0]), 'utf8'));
    assert.is(parsed.events[0].name, 'connectivity:connection_state_updated');
    assert.ok(existsSync(join(dir, 'keys.log')));
    assert.is(readFileSync(join(dir, 'keys.log'), 'utf8'), 'CLIENT_TRAFFIC_SECRET_0 00 11\n');
  } finally {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

s('connect() argument checks, connectByName, and a closed endpoint refuses work', async () => {
  const server = await Endpoint.open({ factory: toyFactory });
  const client = await Endpoint.open({ factory: toyFactory });
  server.listen();
  try {
    assert.throws(() => client.connect('example.invalid', 443), TypeError);
    const before = contexts.length;
    const conn = await client.connectByName('localhost', server.address().port);
    await within(3000, conn.ready);
    const ctx = contexts[before] as ConnectionContext & { servername?: string };
    assert.is(ctx.servername, 'localhost');
    assert.is(ctx.options.version, QUIC_VERSION_1);
    assert.is(client.connections.length, 1);
  } finally {
    await client.close();
    await server.close();
  }
  assert.throws(() => client.connect('127.0.0.1', 1), /closed/);
  assert.throws(() => client.listen(), /closed/);
});

s.run();
