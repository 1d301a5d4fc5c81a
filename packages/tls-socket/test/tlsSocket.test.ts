/**
 * TlsSocket over loopback TCP against node:tls, both roles: 10 MB echoed intact, close_notify both ways, KeyUpdate
 * (ours, with update_requested, answered by node's OpenSSL), NewSessionTicket received, backpressure (a reader that
 * stops pauses the TCP socket), the seed's TLS_F_NO_KTLS hand-over with tls_ap_encrypt / tls_ap_decrypt, and bad input
 * — garbage, an oversized record, a fatal alert, a truncated record, a stalled peer, in both roles — each ending the
 * socket with a clear, typed error. Every case runs under a deadline that destroys its sockets and servers.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer as netCreateServer, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import * as tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RecordType, TlsAlert, type TlsSession } from '@quichs/tls-hs';
import { connect, createServer, tlsSocketHandshakeNoKtls, type CodedError, type TlsSocket } from '../src/index.js';
import { collectBytes, deferred, readUntil, withDeadline, type CaseResources } from '../../../test/support/bounded.js';
import { makeTestPki } from '../../../test/support/testCerts.js';

const pki = makeTestPki();
const s = suite('tls-socket vs node:tls');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const CASE_MS = 20_000;
const bounded = (name: string, fn: (r: CaseResources) => Promise<void>) => s(name, () => withDeadline(CASE_MS, name, fn));

async function nodeServer(r: CaseResources, onSocket: (s: tls.TLSSocket) => void, extra: tls.TlsOptions = {}) {
  const server = r.server(tls.createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3', ...extra }, (c) => {
    c.on('error', () => undefined);
    onSocket(c);
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

async function ourServer(r: CaseResources, onSocket: (t: TlsSocket) => void) {
  const server = r.server(createServer({ cert: pki.server.cert, key: pki.server.key }, (t) => {
    t.on('error', () => undefined);
    onSocket(t);
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

const ourClient = (r: CaseResources, port: number) =>
  r.socket(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, handshakeTimeoutMs: 5000 }));

bounded('our client: 10 MB echoed intact by a node:tls server', async (r) => {
  const port = await nodeServer(r, (c) => c.pipe(c));
  const client = ourClient(r, port);
  await client.secure;
  const data = randomBytes(10 * 1024 * 1024);
  const echoed = collectBytes(client, data.length);
  client.write(data);
  const got = await echoed;
  assert.is(got.length, data.length);
  assert.is(sha(got), sha(data));
});

bounded('our server: 10 MB echoed intact to a node:tls client', async (r) => {
  const { port } = await ourServer(r, (t) => t.pipe(t));
  const client = r.socket(tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert }));
  await once(client, 'secureConnect');
  const data = randomBytes(10 * 1024 * 1024);
  const echoed = collectBytes(client, data.length);
  client.write(data);
  const got = await echoed;
  assert.is(sha(got), sha(data));
});

bounded('close_notify both ways: our end() reaches node:tls as an orderly end, and node’s end() reaches us', async (r) => {
  let serverSide!: tls.TLSSocket;
  const serverEnded = new Promise<string>((resolve) => {
    void nodeServer(r, (c) => {
      serverSide = c;
      let got = '';
      c.on('data', (d: Buffer) => (got += d.toString()));
      c.on('end', () => resolve(got));
    }).then((port) => {
      const client = ourClient(r, port);
      client.on('error', () => undefined);
      void client.secure.then(async () => {
        client.write('bye');
        client.end(); // close_notify + FIN; our readable side stays open (half-close) until node answers
        client.resume();
        const gotEnd = await Promise.race([once(client, 'end').then(() => 'end'), once(client, 'close').then(() => 'close')]);
        ours.resolve({ gotEnd, peerClosed: client.connection.peerClosed, truncated: client.endedWithoutCloseNotify });
      });
    });
  });
  const ours = deferred<{ gotEnd: string; peerClosed: boolean; truncated: boolean }>();
  assert.is(await serverEnded, 'bye');
  serverSide.end(); // node answers with its own close_notify
  const seen = await ours.promise;
  assert.is(seen.gotEnd, 'end');
  assert.ok(seen.peerClosed, 'our socket saw node’s close_notify');
  assert.not.ok(seen.truncated);
});

bounded('a node:tls client that destroys TCP without close_notify: our server ends cleanly (no EPIPE), flagged as truncation', async (r) => {
  const outcome = deferred<{ error: Error | undefined; truncated: boolean }>();
  const { port } = await ourServer(r, (t) => {
    let error: Error | undefined;
    t.on('error', (e) => (error = e));
    t.resume();
    t.on('close', () => outcome.resolve({ error, truncated: t.endedWithoutCloseNotify }));
  });
  const client = r.socket(tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert }));
  await once(client, 'secureConnect');
  client.write('hello');
  await new Promise((res) => setTimeout(res, 50));
  client.destroy();
  const got = await outcome.promise;
  assert.is(got.error, undefined, `no error expected, got ${got.error?.message}`);
  assert.ok(got.truncated);
});

bounded('KeyUpdate: ours with update_requested, answered by node:tls, both roles', async (r) => {
  // Our client; node echoes, so its answer to update_requested comes before its next record.
  const port = await nodeServer(r, (c) => c.pipe(c));
  const client = ourClient(r, port);
  await client.secure;
  const updates: string[] = [];
  client.on('keyUpdate', (d: string) => updates.push(d));
  client.keyUpdate(true);
  client.write('after update\n');
  assert.is(await readUntil(client, (t) => t.includes('\n')), 'after update\n');
  assert.equal(updates, ['write', 'read']);
  // Our server.
  const serverUpdates: string[] = [];
  const { port: p2 } = await ourServer(r, (t) => {
    t.on('keyUpdate', (d: string) => serverUpdates.push(d));
    t.once('data', () => {
      t.keyUpdate(true);
      t.write('server updated\n');
      t.pipe(t);
    });
  });
  const nc = r.socket(tls.connect({ host: '127.0.0.1', port: p2, servername: 'localhost', ca: pki.ca.cert }));
  await once(nc, 'secureConnect');
  nc.write('go');
  assert.is(await readUntil(nc, (t) => t.includes('\n')), 'server updated\n');
  nc.write('and back\n');
  assert.match(await readUntil(nc, (t) => t.includes('and back')), 'and back');
  assert.equal(serverUpdates, ['write', 'read']);
});

bounded('NewSessionTicket from node:tls: the session event carries the ticket', async (r) => {
  const port = await nodeServer(r, (c) => c.write('hi'));
  const client = ourClient(r, port);
  const ticket = once(client, 'session');
  await client.secure;
  const [session] = (await ticket) as [TlsSession];
  assert.ok(session.ticket.length > 0);
  assert.ok(session.lifetime > 0);
  assert.is(client.session, client.engine.sessions[client.engine.sessions.length - 1]);
});

bounded('backpressure: a reader that stops pauses the TCP socket; resuming delivers everything intact', async (r) => {
  const data = randomBytes(4 * 1024 * 1024);
  let drained = false;
  const port = await nodeServer(r, (c) => {
    drained = c.write(data);
  });
  const client = ourClient(r, port);
  await client.secure;
  client.pause();
  await new Promise((res) => setTimeout(res, 300));
  assert.ok((client.transport as Socket).isPaused(), 'TCP socket paused while nobody reads');
  assert.ok(client.readableLength < 1024 * 1024, `buffered ${client.readableLength} bytes in our readable side`);
  assert.not.ok(drained, 'node:tls saw our window close');
  const got = collectBytes(client, data.length);
  client.resume();
  assert.is(sha(await got), sha(data));
});

bounded('TLS_F_NO_KTLS: the caller moves records itself with tls_ap_encrypt / tls_ap_decrypt', async (r) => {
  const port = await nodeServer(r, (c) => c.on('data', (d: Buffer) => c.write(d.toString().toUpperCase())));
  const tcp = r.socket(netConnect(port, '127.0.0.1'));
  await once(tcp, 'connect');
  const { connection, socket, unread } = await tlsSocketHandshakeNoKtls(tcp, { servername: 'localhost', ca: pki.ca.cert });
  assert.is(socket, tcp);
  let writeSeq = 0;
  let readSeq = 0;
  socket.write(connection.apEncrypt(new TextEncoder().encode('raw records'), writeSeq++));
  let pending: Uint8Array = unread;
  const types: number[] = [];
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const take = (chunk: Uint8Array) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 5 + ((pending[3] << 8) | pending[4])) {
        const len = 5 + ((pending[3] << 8) | pending[4]);
        const rec = connection.apDecrypt(pending.subarray(0, len), readSeq++);
        pending = pending.subarray(len);
        types.push(rec.type);
        if (rec.type === RecordType.application_data) text += new TextDecoder().decode(rec.data);
        if (text === 'RAW RECORDS') resolve();
      }
    };
    socket.on('data', take);
    socket.once('close', () => reject(new Error('closed')));
    socket.resume();
    take(new Uint8Array(0));
  });
  assert.is(text, 'RAW RECORDS');
  assert.ok(types.includes(RecordType.handshake), `node:tls's NewSessionTickets arrive as handshake records: ${types}`);
  assert.is(types[types.length - 1], RecordType.application_data);
});

// ---------------------------------------------------------------- bad input

/** A raw TCP server that answers the first bytes it gets with `reply` (or stays silent). */
async function rawPeer(r: CaseResources, reply: Uint8Array | null, end = false): Promise<number> {
  const server = r.server(netCreateServer((sock) => {
    sock.on('error', () => undefined);
    sock.once('data', () => {
      if (reply && end) sock.end(reply);
      else if (reply) sock.write(reply);
    });
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

async function clientError(r: CaseResources, reply: Uint8Array | null, opts: { end?: boolean; timeoutMs?: number } = {}): Promise<Error> {
  const port = await rawPeer(r, reply, opts.end);
  const t = r.socket(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, handshakeTimeoutMs: opts.timeoutMs ?? 5000 }));
  const errors: Error[] = [];
  t.on('error', (e) => errors.push(e));
  const err = await t.secure.then(() => undefined, (e: Error) => e);
  assert.ok(err, 'handshake should fail');
  await new Promise((res) => setImmediate(res));
  assert.ok(t.destroyed, 'socket destroyed');
  assert.is(errors.length, 1, 'one error event');
  assert.is(errors[0], err);
  return err!;
}

bounded('bad input: garbage → unexpected_message (typed TlsAlert)', async (r) => {
  const e = await clientError(r, Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
  assert.instance(e, TlsAlert);
  assert.is((e as TlsAlert).alert, 'unexpected_message');
});

bounded('bad input: a record over 2^14+256 bytes → record_overflow', async (r) => {
  const rec = Buffer.alloc(5 + 10);
  rec.writeUInt8(22, 0);
  rec.writeUInt16BE(0x0303, 1);
  rec.writeUInt16BE(16384 + 257, 3);
  const e = await clientError(r, rec);
  assert.is((e as TlsAlert).alert, 'record_overflow');
});

bounded('bad input: a fatal alert from the peer surfaces with its name', async (r) => {
  const e = await clientError(r, Uint8Array.of(21, 3, 3, 0, 2, 2, 40));
  assert.instance(e, TlsAlert);
  assert.is((e as TlsAlert).alert, 'handshake_failure');
  assert.ok((e as TlsAlert).remote);
});

bounded('bad input: a truncated record then EOF → ECONNRESET, not a hang', async (r) => {
  const e = (await clientError(r, Uint8Array.of(22, 3, 3, 0, 50, 2, 0), { end: true })) as CodedError;
  assert.is(e.code, 'ECONNRESET');
});

bounded('bad input: a stalled peer → ETIMEDOUT and the socket is destroyed', async (r) => {
  const e = (await clientError(r, null, { timeoutMs: 300 })) as CodedError;
  assert.is(e.code, 'ETIMEDOUT');
});

bounded('bad input to our server: garbage and a stalled client each end in tlsClientError with a typed error', async (r) => {
  const { server, port } = await ourServer(r, () => assert.unreachable('no secure connection expected'));
  const errors: Error[] = [];
  server.on('tlsClientError', (e: Error) => errors.push(e));
  const garbage = r.socket(netConnect(port, '127.0.0.1'));
  garbage.on('error', () => undefined);
  garbage.write('GET / HTTP/1.1\r\n\r\n');
  const alertBack = await collectBytes(garbage, 7);
  assert.equal([...alertBack.subarray(0, 7)], [21, 3, 3, 0, 2, 2, 10], 'we sent a fatal unexpected_message alert');
  await new Promise((res) => setTimeout(res, 50));
  assert.is(errors.length, 1);
  assert.is((errors[0] as TlsAlert).alert, 'unexpected_message');
});

s.run();
