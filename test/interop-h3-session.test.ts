import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H3Error, H3ErrorCode } from '../interop/h3/errors.js';
import { H3Session, type H3Action, type H3Event } from '../interop/h3/session.js';
import { flushH3Actions, type H3Transport } from '../interop/h3/transport.js';
import { encodeFieldSection, type HeaderField } from '../interop/h3/qpack/fieldSection.js';
import { encodeFrame, encodeVarintFrame } from '../interop/h3/frame.js';
import { encodeSettingsFrame } from '../interop/h3/settings.js';
import { seededRandom } from '../interop/runner/relay.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fields = (pairs: Array<[string, string]>): HeaderField[] => pairs.map(([name, value]) => ({ name, value }));
const GET = fields([[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/index.html']]);

/** Deterministic PRNG for chunk sizes and interleaving (the runner's seeded generator). */
const rng = seededRandom;

/**
 * Moves one side's actions to the other, splitting every stream's bytes into random chunks and interleaving the
 * streams randomly while keeping each stream in order (what QUIC guarantees). Returns the close actions seen.
 */
function pump(from: H3Session, to: H3Session, rand: () => number, maxChunk: number): H3Action[] {
  type Piece = { kind: 'data'; data: Uint8Array; fin: boolean } | { kind: 'reset'; code: number } | { kind: 'stop'; code: number };
  const queues = new Map<number, Piece[]>();
  const closes: H3Action[] = [];
  const q = (id: number): Piece[] => {
    let x = queues.get(id);
    if (!x) queues.set(id, (x = []));
    return x;
  };
  for (const a of from.pollActions()) {
    if (a.type === 'close') closes.push(a);
    else if (a.type === 'resetStream') q(a.streamId).push({ kind: 'reset', code: a.code });
    else if (a.type === 'stopSending') q(a.streamId).push({ kind: 'stop', code: a.code });
    else {
      let off = 0;
      if (a.data.length === 0) q(a.streamId).push({ kind: 'data', data: a.data, fin: a.fin });
      while (off < a.data.length) {
        const n = Math.min(a.data.length - off, 1 + Math.floor(rand() * maxChunk));
        q(a.streamId).push({ kind: 'data', data: a.data.subarray(off, off + n), fin: a.fin && off + n === a.data.length });
        off += n;
      }
    }
  }
  const ids = [...queues.keys()];
  while (ids.length > 0) {
    const i = Math.floor(rand() * ids.length);
    const id = ids[i];
    const p = queues.get(id)!.shift()!;
    if (queues.get(id)!.length === 0) ids.splice(i, 1);
    if (p.kind === 'data') to.receive(id, p.data, p.fin);
    else if (p.kind === 'reset') to.receiveReset(id, p.code);
    else to.receiveStopSending(id, p.code);
  }
  return closes;
}

function pair(opts: { maxDataFrameSize?: number } = {}): { client: H3Session; server: H3Session } {
  const client = new H3Session({ role: 'client', ...opts });
  const server = new H3Session({ role: 'server', ...opts });
  client.start();
  server.start();
  return { client, server };
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A server that is ready (has seen the client's streams) plus raw access to a peer stream for hand-made bytes. */
function serverUnderTest(): { server: H3Session; feedControl: (hexBytes: string, fin?: boolean) => void } {
  const server = new H3Session({ role: 'server' });
  server.start();
  server.pollActions();
  const feedControl = (h: string, fin = false): void => server.receive(2, hex(h), fin);
  return { server, feedControl };
}

function clientUnderTest(): H3Session {
  const client = new H3Session({ role: 'client' });
  client.start();
  client.pollActions();
  return client;
}

function closeCode(sess: H3Session): number | undefined {
  const c = sess.pollActions().find((a) => a.type === 'close');
  return c && c.type === 'close' ? c.code : undefined;
}

const SETTINGS = toHex(encodeSettingsFrame([[6, 1000]]));
const s = suite('interop-h3 session');

s('start: control stream with SETTINGS, QPACK encoder and decoder streams', () => {
  const client = new H3Session({ role: 'client' });
  client.start();
  const acts = client.pollActions();
  assert.equal(
    acts.map((a) => (a.type === 'write' ? [a.streamId, toHex(a.data), a.fin] : a.type)),
    [
      [2, '00' + '0409' + '0100' + '0680010000' + '0700', false],
      [6, '02', false],
      [10, '03', false],
    ],
  );
  const server = new H3Session({ role: 'server', maxFieldSectionSize: 100, extraSettings: [[0x21 + 0x1f, 7]] });
  server.start();
  const sa = server.pollActions();
  assert.equal(sa.map((a) => (a.type === 'write' ? a.streamId : -1)), [3, 7, 11]);
  assert.is(toHex((sa[0] as { data: Uint8Array }).data), '00' + '040a' + '0100' + '064064' + '0700' + '4040' + '07');
  assert.throws(() => server.start(), (e: unknown) => e instanceof H3Error);
});

s('GET with a small response, trailers, and GOAWAY + graceful close', () => {
  const { client, server } = pair();
  const rand = rng(1);
  const id = client.sendRequest(GET, true);
  assert.is(id, 0);
  pump(client, server, rand, 7);
  const sev = server.pollEvents();
  assert.equal(sev.map((e) => e.type), ['settings', 'request', 'end']);
  const req = sev[1] as Extract<H3Event, { type: 'request' }>;
  assert.equal(req.headers, GET);
  assert.is(req.head.path, '/index.html');
  assert.is((sev[0] as Extract<H3Event, { type: 'settings' }>).settings.maxFieldSectionSize, 65536);

  server.sendResponse(0, fields([[':status', '103'], ['link', '</style.css>; rel=preload']]));
  server.sendResponse(0, fields([[':status', '200'], ['content-type', 'text/plain'], ['content-length', '5']]));
  server.sendData(0, new TextEncoder().encode('hello'));
  server.sendTrailers(0, fields([['x-checksum', 'abc']]));
  pump(server, client, rand, 5);
  const all = client.pollEvents();
  assert.ok(all.some((e) => e.type === 'settings'));
  const body = concatAll(all.filter((e) => e.type === 'data').map((e) => (e as { data: Uint8Array }).data));
  assert.is(new TextDecoder().decode(body), 'hello');
  const cev = all.filter((e) => e.type !== 'settings' && e.type !== 'data');
  assert.equal(cev.map((e) => e.type), ['informational', 'response', 'trailers', 'end']);
  assert.is((cev[0] as Extract<H3Event, { type: 'informational' }>).status, 103);
  assert.is((cev[1] as Extract<H3Event, { type: 'response' }>).status, 200);
  assert.equal((cev[2] as Extract<H3Event, { type: 'trailers' }>).headers, fields([['x-checksum', 'abc']]));
  assert.is(client.activeRequests, 0);
  assert.is(server.activeRequests, 0);

  // graceful shutdown: GOAWAY(4) means stream 0 was processed, 4 and up were not
  assert.is(server.goaway(), 4);
  pump(server, client, rand, 3);
  const g = client.pollEvents();
  assert.equal(g, [{ type: 'goaway', id: 4, rejected: [] }]);
  const err = (() => {
    try {
      client.sendRequest(GET, true);
    } catch (e) {
      return e as H3Error;
    }
    return undefined;
  })();
  assert.is(err?.code, H3ErrorCode.H3_REQUEST_REJECTED);
  server.close();
  const closes = server.pollActions();
  assert.equal(closes, [{ type: 'close', code: H3ErrorCode.H3_NO_ERROR, reason: '' }]);
  assert.is(server.closeError?.code, H3ErrorCode.H3_NO_ERROR);
  assert.throws(() => server.sendResponse(0, fields([[':status', '200']])), (e: unknown) => e instanceof H3Error);
  server.close(); // idempotent
  assert.equal(server.pollActions(), []);
  server.receive(0, hex('00'), false); // ignored after close
  assert.equal(server.pollEvents().map((e) => e.type), ['closed']);
});

s('multi-MB bodies both ways in many DATA frames, delivered in random chunk sizes', () => {
  const { client, server } = pair({ maxDataFrameSize: 16384 });
  const rand = rng(42);
  const size = 3 * 1024 * 1024 + 123;
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i * 2654435761) >>> 24;
  const id = client.sendRequest(
    fields([[':method', 'POST'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/upload'], ['content-length', String(size)]]),
  );
  // send in uneven application writes
  let off = 0;
  while (off < size) {
    const n = Math.min(size - off, 50000 + Math.floor(rand() * 100000));
    client.sendData(id, body.subarray(off, off + n), off + n === size);
    off += n;
  }
  const sent = client.pollActions();
  // one HEADERS write, then a header write and a payload write per DATA frame
  const dataFrames = (sent.filter((a) => a.type === 'write' && a.streamId === id).length - 1) / 2;
  assert.ok(dataFrames >= size / 16384, `expected many DATA frames, got ${dataFrames}`);
  // re-queue the actions (pollActions drained them): replay through a fresh pump
  (client as unknown as { actions: H3Action[] }).actions = sent;
  pump(client, server, rand, 20000);
  const sev = server.pollEvents();
  assert.equal(sev[0].type, 'settings');
  assert.equal(sev[1].type, 'request');
  assert.equal(sev[sev.length - 1], { type: 'end', streamId: id });
  const got = concatAll(sev.filter((e) => e.type === 'data').map((e) => (e as { data: Uint8Array }).data));
  assert.is(got.length, size);
  assert.ok(Buffer.from(got).equals(Buffer.from(body)));

  // echo it back reversed in one call, split by the session
  const back = got.slice().reverse();
  server.sendResponse(id, fields([[':status', '200'], ['content-length', String(size)]]));
  server.sendData(id, back, true);
  pump(server, client, rand, 30000);
  const cev = client.pollEvents();
  assert.equal(cev[1].type, 'response');
  assert.equal(cev[cev.length - 1], { type: 'end', streamId: id });
  const echoed = concatAll(cev.filter((e) => e.type === 'data').map((e) => (e as { data: Uint8Array }).data));
  assert.ok(Buffer.from(echoed).equals(Buffer.from(back)));
});

s('several concurrent requests interleaved; HEAD and 204 ignore content-length; empty-body end()', () => {
  const { client, server } = pair();
  const rand = rng(7);
  const a = client.sendRequest(GET, true);
  const b = client.sendRequest(fields([[':method', 'HEAD'], [':scheme', 'https'], [':authority', 'x'], [':path', '/']]), true);
  const c = client.sendRequest(fields([[':method', 'PUT'], [':scheme', 'https'], [':authority', 'x'], [':path', '/p']]));
  client.end(c);
  assert.equal([a, b, c], [0, 4, 8]);
  pump(client, server, rand, 4);
  const reqs = server.pollEvents().filter((e) => e.type === 'request').map((e) => (e as { streamId: number }).streamId);
  assert.equal(reqs.sort(), [0, 4, 8]);
  server.sendResponse(b, fields([[':status', '200'], ['content-length', '1000']]), true);
  server.sendResponse(a, fields([[':status', '204'], ['content-length', '7']]), true);
  server.sendResponse(c, fields([[':status', '201']]));
  server.end(c);
  pump(server, client, rand, 4);
  const ends = client.pollEvents().filter((e) => e.type === 'end').map((e) => (e as { streamId: number }).streamId);
  assert.equal(ends.sort(), [0, 4, 8]);
});

s('local API misuse throws H3Error', () => {
  const { client, server } = pair();
  const code = (fn: () => unknown): number | undefined => {
    try {
      fn();
    } catch (e) {
      assert.instance(e, H3Error);
      return (e as H3Error).code;
    }
    return undefined;
  };
  assert.is(code(() => server.sendRequest(GET)), H3ErrorCode.H3_INTERNAL_ERROR);
  assert.is(code(() => client.sendResponse(0, fields([[':status', '200']]))), H3ErrorCode.H3_INTERNAL_ERROR);
  assert.is(code(() => client.sendData(0, new Uint8Array(1))), H3ErrorCode.H3_INTERNAL_ERROR);
  assert.is(code(() => client.cancel(0)), H3ErrorCode.H3_INTERNAL_ERROR);
  assert.is(code(() => client.sendRequest(fields([[':method', 'GET']]))), H3ErrorCode.H3_MESSAGE_ERROR);
  const id = client.sendRequest(GET, true);
  assert.is(code(() => client.sendData(id, new Uint8Array(1))), H3ErrorCode.H3_INTERNAL_ERROR);
  pump(client, server, rng(3), 100);
  server.pollEvents();
  assert.is(code(() => server.sendData(id, new Uint8Array(1))), H3ErrorCode.H3_INTERNAL_ERROR);
  assert.is(code(() => server.sendResponse(id, fields([[':status', '100']]), true)), H3ErrorCode.H3_INTERNAL_ERROR);
  assert.is(code(() => server.sendTrailers(id, fields([['a', 'b']]))), H3ErrorCode.H3_INTERNAL_ERROR);
  assert.is(code(() => new H3Session({ role: 'client' }).goaway()), H3ErrorCode.H3_INTERNAL_ERROR);
  // the peer's field section limit is honoured before anything is sent
  const small = new H3Session({ role: 'server', maxFieldSectionSize: 150 });
  small.start();
  const c2 = new H3Session({ role: 'client' });
  c2.start();
  pump(small, c2, rng(1), 100);
  assert.is(code(() => c2.sendRequest([...GET, { name: 'x-big', value: 'y'.repeat(100) }])), H3ErrorCode.H3_EXCESSIVE_LOAD);
  assert.is(c2.peerSettings?.maxFieldSectionSize, 150);
});

s('cancel, peer reset and STOP_SENDING', () => {
  const { client, server } = pair();
  const rand = rng(9);
  server.pollActions();
  const id = client.sendRequest(fields([[':method', 'POST'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']]));
  pump(client, server, rand, 50);
  server.pollEvents();
  client.cancel(id);
  const acts = client.pollActions();
  assert.equal(acts, [
    { type: 'resetStream', streamId: id, code: H3ErrorCode.H3_REQUEST_CANCELLED },
    { type: 'stopSending', streamId: id, code: H3ErrorCode.H3_REQUEST_CANCELLED },
  ]);
  server.receiveReset(id, H3ErrorCode.H3_REQUEST_CANCELLED);
  server.receiveStopSending(id, H3ErrorCode.H3_REQUEST_CANCELLED);
  assert.equal(server.pollEvents(), [
    { type: 'streamReset', streamId: id, code: H3ErrorCode.H3_REQUEST_CANCELLED },
    { type: 'stopSending', streamId: id, code: H3ErrorCode.H3_REQUEST_CANCELLED },
  ]);
  assert.equal(server.pollActions(), [{ type: 'resetStream', streamId: id, code: H3ErrorCode.H3_REQUEST_CANCELLED }]);
  server.receiveReset(id, 0x10c); // duplicate: nothing new
  server.receiveStopSending(99, 0x10c); // unknown stream: ignored
  assert.equal(server.pollEvents(), []);
  // resetting or stopping a critical stream closes the connection
  server.receiveReset(2, H3ErrorCode.H3_NO_ERROR);
  assert.is(closeCode(server), H3ErrorCode.H3_CLOSED_CRITICAL_STREAM);
  client.receiveStopSending(2, H3ErrorCode.H3_NO_ERROR);
  assert.is(closeCode(client), H3ErrorCode.H3_CLOSED_CRITICAL_STREAM);
  // reset of an unknown-type uni stream is harmless
  const c3 = clientUnderTest();
  c3.receive(15, hex('21'), false);
  c3.receiveReset(15, 0);
  c3.receiveReset(19, 0);
  assert.equal(c3.pollActions(), [{ type: 'stopSending', streamId: 15, code: H3ErrorCode.H3_STREAM_CREATION_ERROR }]);
});

s('client GOAWAY handling: rejected requests, ID rules', () => {
  const { client, server } = pair();
  const rand = rng(11);
  client.sendRequest(GET, true);
  pump(client, server, rand, 50);
  server.pollEvents();
  const late = client.sendRequest(GET, true); // stream 4, the server has not seen it yet
  const goaway = server.goaway(); // 4
  assert.is(goaway, 4);
  assert.is(server.goaway(), 4); // never increases
  pump(server, client, rand, 50);
  const ev = client.pollEvents().filter((e) => e.type === 'goaway');
  assert.equal(ev[0], { type: 'goaway', id: 4, rejected: [late] });
  // the late request reaching the server anyway is rejected without processing
  pump(client, server, rand, 50);
  assert.ok(server.pollActions().some((a) => a.type === 'resetStream' && a.streamId === late && a.code === H3ErrorCode.H3_REQUEST_REJECTED));
  assert.equal(server.pollEvents().filter((e) => e.type === 'request'), []);
  // GOAWAY ID increasing, or not a client bidi stream ID -> H3_ID_ERROR
  const c1 = clientUnderTest();
  c1.receive(3, hex('00' + SETTINGS + '070108' + '07010c'));
  assert.is(closeCode(c1), H3ErrorCode.H3_ID_ERROR);
  const c2 = clientUnderTest();
  c2.receive(3, hex('00' + SETTINGS + '070102'));
  assert.is(closeCode(c2), H3ErrorCode.H3_ID_ERROR);
  // client-sent GOAWAY (push ID 0) reaches the server as an event
  client.goaway();
  pump(client, server, rand, 50);
  assert.equal(server.pollEvents(), [{ type: 'goaway', id: 0, rejected: [] }]);
});

s('control stream errors close the connection with the right code', () => {
  const cases: Array<[string, boolean, number]> = [
    ['00' + '0000', false, H3ErrorCode.H3_MISSING_SETTINGS], // DATA first
    ['00' + SETTINGS + SETTINGS, false, H3ErrorCode.H3_FRAME_UNEXPECTED],
    ['00' + '04020201', false, H3ErrorCode.H3_SETTINGS_ERROR],
    ['00' + SETTINGS + '0000', false, H3ErrorCode.H3_FRAME_UNEXPECTED], // DATA
    ['00' + SETTINGS + '0100', false, H3ErrorCode.H3_FRAME_UNEXPECTED], // HEADERS
    ['00' + SETTINGS + '050100', false, H3ErrorCode.H3_FRAME_UNEXPECTED], // PUSH_PROMISE
    ['00' + SETTINGS + '0600', false, H3ErrorCode.H3_FRAME_UNEXPECTED], // reserved HTTP/2 PING
    ['00' + SETTINGS + '030100', false, H3ErrorCode.H3_ID_ERROR], // CANCEL_PUSH never allowed
    ['00' + SETTINGS + '0d0105' + '0d0104', false, H3ErrorCode.H3_ID_ERROR], // MAX_PUSH_ID decreasing
    ['00' + SETTINGS + '07020000', false, H3ErrorCode.H3_FRAME_ERROR], // GOAWAY with extra byte
    ['00' + SETTINGS, true, H3ErrorCode.H3_CLOSED_CRITICAL_STREAM], // FIN
    ['00' + '048000ffff', false, H3ErrorCode.H3_EXCESSIVE_LOAD], // SETTINGS above 16 KiB
  ];
  for (const [bytes, fin, code] of cases) {
    const { server, feedControl } = serverUnderTest();
    feedControl(bytes, fin);
    assert.is(closeCode(server), code, bytes);
    const ev = server.pollEvents();
    assert.is(ev[ev.length - 1].type, 'closed');
  }
  // allowed on a server's view of the client control stream: MAX_PUSH_ID, CANCEL_PUSH within it, grease frames
  const { server, feedControl } = serverUnderTest();
  feedControl('00' + SETTINGS + '0d0105' + '030103' + '2102abcd' + '0d0105');
  assert.is(closeCode(server), undefined);
  // a client receiving MAX_PUSH_ID
  const c = clientUnderTest();
  c.receive(3, hex('00' + SETTINGS + '0d0100'));
  assert.is(closeCode(c), H3ErrorCode.H3_FRAME_UNEXPECTED);
});

s('unidirectional stream types: duplicates, push, unknown, split type varint', () => {
  const dup: Array<[string, number]> = [['00', 0], ['02', 2], ['03', 3]];
  for (const [t] of dup) {
    const { server } = serverUnderTest();
    server.receive(2, hex(t + (t === '00' ? SETTINGS : '')));
    server.receive(6, hex(t));
    assert.is(closeCode(server), H3ErrorCode.H3_STREAM_CREATION_ERROR, t);
  }
  const { server } = serverUnderTest();
  server.receive(2, hex('01'));
  assert.is(closeCode(server), H3ErrorCode.H3_STREAM_CREATION_ERROR);
  const c = clientUnderTest();
  c.receive(3, hex('0100'));
  assert.is(closeCode(c), H3ErrorCode.H3_ID_ERROR);
  // grease stream type split over two chunks (2-byte varint 0x4040), then data: STOP_SENDING, data discarded
  const s2 = serverUnderTest().server;
  s2.receive(14, hex('40'));
  assert.equal(s2.pollActions(), []);
  s2.receive(14, hex('40 deadbeef'));
  s2.receive(14, hex('00'), true);
  assert.equal(s2.pollActions(), [{ type: 'stopSending', streamId: 14, code: H3ErrorCode.H3_STREAM_CREATION_ERROR }]);
  // an 8-byte stream type above 2^53 is unknown too
  s2.receive(18, hex('ffffffffffffffff'));
  assert.equal(s2.pollActions(), [{ type: 'stopSending', streamId: 18, code: H3ErrorCode.H3_STREAM_CREATION_ERROR }]);
  // empty or truncated-type streams that end are ignored
  s2.receive(22, new Uint8Array(0), true);
  s2.receive(26, hex('40'), true);
  assert.equal(s2.pollActions(), []);
  // control stream split right after its type byte, SETTINGS in the next chunk
  s2.receive(2, hex('00'));
  s2.receive(2, hex(SETTINGS));
  assert.equal(s2.pollEvents().map((e) => e.type), ['settings']);
  // data on our own uni stream or unknown local bidi stream: internal error
  const s3 = serverUnderTest().server;
  s3.receive(3, hex('00'));
  assert.is(closeCode(s3), H3ErrorCode.H3_INTERNAL_ERROR);
  const s4 = serverUnderTest().server;
  s4.receive(1, hex('00'));
  assert.is(closeCode(s4), H3ErrorCode.H3_INTERNAL_ERROR);
  const c5 = clientUnderTest();
  c5.receive(1, hex('0100'));
  assert.is(closeCode(c5), H3ErrorCode.H3_STREAM_CREATION_ERROR);
  const c6 = clientUnderTest();
  c6.receive(4, hex('0100'));
  assert.is(closeCode(c6), H3ErrorCode.H3_INTERNAL_ERROR);
});

s('QPACK encoder and decoder streams with a zero-capacity table', () => {
  const ok = serverUnderTest().server;
  ok.receive(6, hex('02 20')); // Set Dynamic Table Capacity 0
  ok.receive(10, hex('03 41 7f')); // Stream Cancellation 1, then a split one
  ok.receive(10, hex('05'));
  assert.is(closeCode(ok), undefined);
  const enc: Array<[string, number]> = [
    ['02 3f01', H3ErrorCode.QPACK_ENCODER_STREAM_ERROR], // capacity 32
    ['02 c00f', H3ErrorCode.QPACK_ENCODER_STREAM_ERROR], // insert with static name ref
    ['02 4161', H3ErrorCode.QPACK_ENCODER_STREAM_ERROR], // insert with literal name
    ['02 00', H3ErrorCode.QPACK_ENCODER_STREAM_ERROR], // duplicate
    ['02 3fffffffffffffffffff7f', H3ErrorCode.QPACK_ENCODER_STREAM_ERROR], // overflow
    ['03 84', H3ErrorCode.QPACK_DECODER_STREAM_ERROR], // section ack
    ['03 01', H3ErrorCode.QPACK_DECODER_STREAM_ERROR], // insert count increment
    ['03 00', H3ErrorCode.QPACK_DECODER_STREAM_ERROR],
    ['03 7fffffffffffffffffff7f', H3ErrorCode.QPACK_DECODER_STREAM_ERROR],
    ['03 7f8080808080808080808080', H3ErrorCode.QPACK_DECODER_STREAM_ERROR], // pending too long
  ];
  for (const [bytes, code] of enc) {
    const s1 = serverUnderTest().server;
    s1.receive(6, hex(bytes));
    assert.is(closeCode(s1), code, bytes);
  }
  const fin = serverUnderTest().server;
  fin.receive(6, hex('02'), true);
  assert.is(closeCode(fin), H3ErrorCode.H3_CLOSED_CRITICAL_STREAM);
  const fin2 = serverUnderTest().server;
  fin2.receive(6, hex('03'));
  fin2.receive(6, new Uint8Array(0), true);
  assert.is(closeCode(fin2), H3ErrorCode.H3_CLOSED_CRITICAL_STREAM);
});

const headersFrame = (pairs: Array<[string, string]>): string => toHex(encodeFrame(1, encodeFieldSection(fields(pairs))));
const GETP: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']];

s('request stream errors: malformed messages are stream errors, framing errors close the connection', () => {
  const streamErrors: Array<[string, number]> = [
    [headersFrame([...GETP, ['Upper', 'x']]), H3ErrorCode.H3_MESSAGE_ERROR],
    [headersFrame([...GETP, ['connection', 'close']]), H3ErrorCode.H3_MESSAGE_ERROR],
    [headersFrame([[':method', 'GET'], [':scheme', 'https'], [':authority', 'a']]), H3ErrorCode.H3_MESSAGE_ERROR],
    [headersFrame([...GETP, ['content-length', '2']]) + '000161', H3ErrorCode.H3_MESSAGE_ERROR], // short body
    [headersFrame([...GETP, ['content-length', '1']]) + '00026162', H3ErrorCode.H3_MESSAGE_ERROR], // long body
    [headersFrame(GETP) + headersFrame([[':path', '/']]), H3ErrorCode.H3_MESSAGE_ERROR], // pseudo in trailers
    ['', H3ErrorCode.H3_REQUEST_INCOMPLETE],
    ['2100', H3ErrorCode.H3_REQUEST_INCOMPLETE], // only a grease frame
  ];
  for (const [bytes, code] of streamErrors) {
    const { server } = serverUnderTest();
    server.receive(0, hex(bytes), true);
    const ev = server.pollEvents().filter((e) => e.type === 'streamError');
    assert.is(ev.length, 1, bytes);
    assert.is((ev[0] as { error: H3Error }).error.code, code, bytes);
    const acts = server.pollActions();
    assert.ok(acts.some((a) => a.type === 'resetStream' && a.code === code), bytes);
    assert.not.ok(acts.some((a) => a.type === 'close'), bytes);
    server.receive(0, hex('0000'), true); // later bytes on the aborted stream are ignored
    assert.equal(server.pollEvents(), []);
  }
  const connErrors: Array<[string, number]> = [
    ['000161', H3ErrorCode.H3_FRAME_UNEXPECTED], // DATA before HEADERS
    [headersFrame(GETP) + headersFrame([['x', 'y']]) + '0000', H3ErrorCode.H3_FRAME_UNEXPECTED], // DATA after trailers
    [headersFrame(GETP) + headersFrame([['x', 'y']]) + headersFrame([['x', 'y']]), H3ErrorCode.H3_FRAME_UNEXPECTED],
    ['0400', H3ErrorCode.H3_FRAME_UNEXPECTED], // SETTINGS
    ['070100', H3ErrorCode.H3_FRAME_UNEXPECTED], // GOAWAY
    ['0d0100', H3ErrorCode.H3_FRAME_UNEXPECTED],
    ['030100', H3ErrorCode.H3_FRAME_UNEXPECTED],
    ['0900', H3ErrorCode.H3_FRAME_UNEXPECTED], // HTTP/2 CONTINUATION
    ['050100', H3ErrorCode.H3_FRAME_UNEXPECTED], // PUSH_PROMISE from a client
    ['01020081', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // dynamic table reference
    ['01030000ff', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // index 63 + truncated
    [headersFrame(GETP) + '0005ab', H3ErrorCode.H3_FRAME_ERROR], // FIN inside a DATA frame
    ['01', H3ErrorCode.H3_FRAME_ERROR], // FIN inside a frame header
  ];
  for (const [bytes, code] of connErrors) {
    const { server } = serverUnderTest();
    server.receive(0, hex(bytes), true);
    assert.is(closeCode(server), code, bytes);
  }
  // oversized decoded section -> stream error H3_EXCESSIVE_LOAD; oversized HEADERS frame -> connection error
  const tight = new H3Session({ role: 'server', maxFieldSectionSize: 200 });
  tight.receive(0, hex(headersFrame([...GETP, ['x-a', 'a'], ['x-b', 'b'], ['x-c', 'c']])), true);
  const ev = tight.pollEvents();
  assert.is((ev[0] as { error: H3Error }).error.code, H3ErrorCode.H3_EXCESSIVE_LOAD);
  const tight2 = new H3Session({ role: 'server', maxFieldSectionSize: 200 });
  tight2.receive(0, hex(headersFrame([...GETP, ['x-a', 'a'.repeat(300)]])), true);
  assert.is(closeCode(tight2), H3ErrorCode.H3_EXCESSIVE_LOAD);
});

s('client-side response errors', () => {
  const mk = (): { c: H3Session; id: number } => {
    const c = clientUnderTest();
    const id = c.sendRequest(GET, true);
    c.pollActions();
    return { c, id };
  };
  const streamErrors: Array<[string, number]> = [
    [headersFrame([[':method', 'GET']]), H3ErrorCode.H3_MESSAGE_ERROR],
    [headersFrame([[':status', '101']]), H3ErrorCode.H3_MESSAGE_ERROR],
    [headersFrame([[':status', '103']]), H3ErrorCode.H3_MESSAGE_ERROR], // only interim, then FIN
    [headersFrame([[':status', '200'], ['content-length', '3']]), H3ErrorCode.H3_MESSAGE_ERROR],
  ];
  for (const [bytes, code] of streamErrors) {
    const { c, id } = mk();
    c.receive(id, hex(bytes), true);
    const ev = c.pollEvents().find((e) => e.type === 'streamError') as { error: H3Error } | undefined;
    assert.is(ev?.error.code, code, bytes);
    assert.equal(c.pollActions(), [{ type: 'stopSending', streamId: id, code }]);
  }
  const { c, id } = mk();
  c.receive(id, hex('050100'));
  assert.is(closeCode(c), H3ErrorCode.H3_ID_ERROR); // PUSH_PROMISE without MAX_PUSH_ID
  const r = mk();
  r.c.receive(r.id, hex('0000'));
  assert.is(closeCode(r.c), H3ErrorCode.H3_FRAME_UNEXPECTED);
});

s('flushH3Actions drives an H3Transport in order', () => {
  const log: string[] = [];
  const t: H3Transport = {
    write: (id, data, fin) => log.push(`w${id}:${toHex(data)}${fin ? '!' : ''}`),
    resetStream: (id, code) => log.push(`r${id}:${code}`),
    stopSending: (id, code) => log.push(`s${id}:${code}`),
    close: (code, reason) => log.push(`c${code}:${reason}`),
  };
  const c = new H3Session({ role: 'client' });
  c.start();
  const id = c.sendRequest(GET);
  c.cancel(id);
  c.close(H3ErrorCode.H3_NO_ERROR, 'bye');
  assert.is(flushH3Actions(c, t), 7);
  assert.equal(log.map((l) => l.slice(0, 3)), ['w2:', 'w6:', 'w10', 'w0:', 'r0:', 's0:', 'c25']);
  assert.is(log[4], `r0:${H3ErrorCode.H3_REQUEST_CANCELLED}`);
  assert.is(log[6], 'c256:bye');
  assert.is(flushH3Actions(c, t), 0);
});

s.run();
