/**
 * @quichs/tls-socket over loopback TCP against node:tls and openssl: 10 MB echoed intact in both roles, KeyUpdate both
 * ways (ours accepted by OpenSSL, OpenSSL's `k`/`K` handled by us), and bad input — garbage, an oversized record, a
 * fatal alert, a truncated record, a stalled peer — each ending the socket with a clear, typed error.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer as netCreateServer, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import * as tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsAlert } from '@quichs/tls-hs';
import { connect, createServer, tlsSocketHandshake, type TlsSocket } from '../src/index.js';
import { freeTcpPort, startPeer, waitForOutput } from '../../../test/support/peerProcess.js';
import { makeTestPki } from '../../../test/support/testCerts.js';

const pki = makeTestPki();
const s = suite('tls-socket');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function collect(stream: NodeJS.ReadableStream, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= bytes) break;
  }
  return Buffer.concat(parts);
}

s('our client: 10 MB echoed intact by a node:tls server', async () => {
  const server = tls.createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3' }, (c) => c.pipe(c));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, servername: 'localhost', ca: pki.ca.cert });
  await client.secure;
  const data = randomBytes(10 * 1024 * 1024);
  const echoed = collect(client, data.length);
  client.write(data);
  const got = await echoed;
  assert.is(got.length, data.length);
  assert.is(sha(got), sha(data));
  client.end();
  server.close();
});

s('our server: 10 MB echoed intact to a node:tls client', async () => {
  const server = createServer({ cert: pki.server.cert, key: pki.server.key }, (t) => t.pipe(t));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = tls.connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, servername: 'localhost', ca: pki.ca.cert });
  await once(client, 'secureConnect');
  const data = randomBytes(10 * 1024 * 1024);
  const echoed = collect(client, data.length);
  client.write(data);
  const got = await echoed;
  assert.is(sha(got), sha(data));
  client.destroy();
  server.close();
});

s('KeyUpdate: ours (update_requested) accepted by openssl s_server, and its K handled by us', async () => {
  const port = await freeTcpPort();
  const peer = startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-naccept', '1', '-cert', pki.server.certFile, '-key', pki.server.keyFile]);
  try {
    assert.ok(await waitForOutput(peer, (o) => o.includes('ACCEPT')));
    const tcp = netConnect(port, '127.0.0.1');
    await once(tcp, 'connect');
    const t = await tlsSocketHandshake(tcp, { servername: 'localhost', ca: pki.ca.cert });
    t.on('error', () => undefined);
    const updates: string[] = [];
    t.on('keyUpdate', (d: string) => updates.push(d));
    t.keyUpdate(true); // we move our write keys and ask the peer to move too
    t.write('after our update\n');
    assert.ok(await waitForOutput(peer, (o) => o.includes('after our update')), peer.stdout());
    peer.child.stdin!.write('K\n'); // OpenSSL: KeyUpdate with update_requested
    await waitForOutput(peer, (o) => /KEYUPDATE/.test(o), 2000);
    peer.child.stdin!.write('from openssl\n');
    const got = await new Promise<string>((resolve) => {
      let acc = '';
      t.on('data', (d: Buffer) => {
        acc += d.toString();
        if (acc.includes('from openssl')) resolve(acc);
      });
    });
    assert.ok(got.includes('from openssl'));
    t.write('after their update\n');
    assert.ok(await waitForOutput(peer, (o) => o.includes('after their update')), peer.stdout());
    assert.ok(updates.filter((d) => d === 'write').length >= 2, `updates ${updates}`); // ours + our answer to K
    assert.ok(updates.filter((d) => d === 'read').length >= 1, `updates ${updates}`); // OpenSSL answers ours and its own K with (at least) one KeyUpdate
    t.end();
  } finally {
    peer.stop();
  }
});

s('KeyUpdate: openssl s_client k/K handled by our server, our update accepted by s_client', async () => {
  let serverSide: TlsSocket | undefined;
  const updates: string[] = [];
  const server = createServer({ cert: pki.server.cert, key: pki.server.key }, (t) => {
    serverSide = t;
    t.on('error', () => undefined);
    t.on('keyUpdate', (d: string) => updates.push(d));
    t.on('data', (d: Buffer) => t.write(d.toString().toUpperCase()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const peer = startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', '-CAfile', pki.ca.certFile]);
  try {
    assert.ok(await waitForOutput(peer, (o) => o.includes('Verify return code: 0')), peer.stdout());
    // Echoes are matched as whole lines of stdout: s_client's banner has "Compression: NONE", which contains "ONE".
    const echoed = (word: string) => waitForOutput(peer, () => new RegExp(`^${word}$`, 'm').test(peer.stdout()));
    peer.child.stdin!.write('one\n');
    assert.ok(await echoed('ONE'), peer.stdout());
    // s_client treats a stdin read as a command only when it starts with k/K, so each line waits for its echo first.
    peer.child.stdin!.write('k\n');
    assert.ok(await waitForOutput(peer, (o) => (o.match(/KEYUPDATE/g) ?? []).length >= 1), peer.stdout());
    peer.child.stdin!.write('two\n');
    assert.ok(await echoed('TWO'), peer.stdout());
    peer.child.stdin!.write('K\n');
    assert.ok(await waitForOutput(peer, (o) => (o.match(/KEYUPDATE/g) ?? []).length >= 2), peer.stdout());
    peer.child.stdin!.write('three\n');
    assert.ok(await echoed('THREE'), peer.stdout());
    serverSide!.keyUpdate(true);
    peer.child.stdin!.write('four\n');
    assert.ok(await echoed('FOUR'), peer.stdout());
    // read: k and K (s_client sends its answer to our update_requested only with its next write); write: our answer
    // to K and our own update.
    assert.is(updates.filter((d) => d === 'read').length, 2, `updates ${updates}`);
    assert.is(updates.filter((d) => d === 'write').length, 2, `updates ${updates}`);
  } finally {
    peer.stop();
    server.close();
  }
});

/** A raw TCP server that answers the first bytes it gets with `reply` (or stays silent). */
async function rawPeer(reply: Uint8Array | null): Promise<{ port: number; close: () => void }> {
  const sockets: Socket[] = [];
  const server = netCreateServer((sock) => {
    sockets.push(sock);
    sock.once('data', () => {
      if (reply) sock.write(reply);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, close: () => { sockets.forEach((x) => x.destroy()); server.close(); } };
}

async function handshakeError(reply: Uint8Array | null, timeoutMs = 5000): Promise<Error> {
  const peer = await rawPeer(reply);
  try {
    const t = connect({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: pki.ca.cert, handshakeTimeoutMs: timeoutMs });
    t.on('error', () => undefined);
    const err = await t.secure.then(() => undefined, (e: Error) => e);
    assert.ok(err, 'handshake should fail');
    assert.ok(t.destroyed, 'socket destroyed');
    return err!;
  } finally {
    peer.close();
  }
}

s('bad input: garbage → decode_error (typed TlsAlert)', async () => {
  const e = await handshakeError(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
  assert.instance(e, TlsAlert);
  assert.ok(['decode_error', 'unexpected_message'].includes((e as TlsAlert).alert), (e as TlsAlert).alert);
});

s('bad input: a record over 2^14+256 bytes → record_overflow', async () => {
  const rec = Buffer.alloc(5 + 10);
  rec.writeUInt8(22, 0);
  rec.writeUInt16BE(0x0303, 1);
  rec.writeUInt16BE(16384 + 257, 3);
  const e = await handshakeError(rec);
  assert.is((e as TlsAlert).alert, 'record_overflow');
});

s('bad input: a fatal alert from the peer surfaces with its name', async () => {
  const e = await handshakeError(Uint8Array.of(21, 3, 3, 0, 2, 2, 40));
  assert.instance(e, TlsAlert);
  assert.is((e as TlsAlert).alert, 'handshake_failure');
  assert.ok((e as TlsAlert).remote);
});

s('bad input: a truncated record then EOF → ECONNRESET, not a hang', async () => {
  const peer = netCreateServer((sock) => sock.once('data', () => sock.end(Uint8Array.of(22, 3, 3, 0, 50, 2, 0))));
  peer.listen(0, '127.0.0.1');
  await once(peer, 'listening');
  const t = connect({ host: '127.0.0.1', port: (peer.address() as { port: number }).port, ca: pki.ca.cert, servername: 'localhost' });
  t.on('error', () => undefined);
  const e = (await t.secure.then(() => undefined, (x: Error) => x)) as Error & { code?: string };
  assert.is(e.code, 'ECONNRESET');
  peer.close();
});

s('bad input: a stalled peer → ETIMEDOUT and the socket is destroyed', async () => {
  const e = (await handshakeError(null, 300)) as Error & { code?: string };
  assert.is(e.code, 'ETIMEDOUT');
});

s.run();
