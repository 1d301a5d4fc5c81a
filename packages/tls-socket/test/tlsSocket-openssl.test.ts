/**
 * TlsSocket against OpenSSL 3.0's s_server / s_client over loopback, both roles: 10 MB echoed intact (the test pipes
 * the peer's stdout back into its stdin, so OpenSSL itself sends every byte back), and KeyUpdate both ways — ours (with
 * update_requested) accepted, OpenSSL's `k` / `K` handled. Every case runs under a deadline that kills the peer.
 */
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, tlsSocketHandshake, type TlsSocket } from '../src/index.js';
import { collectBytes, readUntil, withDeadline } from '../../../test/support/bounded.js';
import { connectWhenListening, freeTcpPort, startPeer, waitForOutput, type PeerProcess } from '../../../test/support/peerProcess.js';
import { makeTestPki } from '../../../test/support/testCerts.js';

const pki = makeTestPki();
const s = suite('tls-socket vs openssl');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const TEN_MB = 10 * 1024 * 1024;
const CASE_MS = 40_000;

/** Makes OpenSSL echo: whatever it prints (the peer's data, with -quiet) goes back into its stdin. */
function echoThrough(peer: PeerProcess): void {
  peer.child.stdout!.on('data', (d: Buffer) => peer.child.stdin!.write(d));
}

s('our client: 10 MB echoed intact through openssl s_server', () => withDeadline(CASE_MS, '10 MB via s_server', async (r) => {
  const port = await freeTcpPort();
  const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-quiet', '-naccept', '1',
    '-cert', pki.server.certFile, '-key', pki.server.keyFile], CASE_MS));
  const tcp = r.socket(await connectWhenListening(port)); // -quiet: s_server prints no ACCEPT
  const t = r.socket(await tlsSocketHandshake(tcp, { servername: 'localhost', ca: pki.ca.cert }));
  t.on('error', () => undefined);
  echoThrough(peer);
  const data = randomBytes(TEN_MB);
  const echoed = collectBytes(t, data.length);
  t.write(data);
  const got = await echoed;
  assert.is(got.length, data.length);
  assert.is(sha(got), sha(data));
}));

s('our server: 10 MB echoed intact to openssl s_client', () => withDeadline(CASE_MS, '10 MB via s_client', async (r) => {
  const server = r.server(createServer({ cert: pki.server.cert, key: pki.server.key }, (t) => t.pipe(t)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const peer = r.peer(startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-quiet',
    '-servername', 'localhost', '-CAfile', pki.ca.certFile, '-verify_return_error'], CASE_MS));
  const data = randomBytes(TEN_MB);
  const echoed = collectBytes(peer.child.stdout!, data.length);
  peer.child.stdin!.write(data);
  const got = await echoed;
  assert.is(got.length, data.length);
  assert.is(sha(got), sha(data));
}));

s('KeyUpdate: ours (update_requested) accepted by openssl s_server, and its K handled by us', () => withDeadline(20_000, 'KeyUpdate vs s_server', async (r) => {
  const port = await freeTcpPort();
  const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-naccept', '1', '-cert', pki.server.certFile, '-key', pki.server.keyFile]));
  assert.ok(await waitForOutput(peer, (o) => o.includes('ACCEPT')));
  const tcp = r.socket(netConnect(port, '127.0.0.1'));
  await once(tcp, 'connect');
  const t = r.socket(await tlsSocketHandshake(tcp, { servername: 'localhost', ca: pki.ca.cert }));
  t.on('error', () => undefined);
  const updates: string[] = [];
  t.on('keyUpdate', (d: string) => updates.push(d));
  t.keyUpdate(true); // we move our write keys and ask the peer to move too
  t.write('after our update\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('after our update')), peer.stdout());
  peer.child.stdin!.write('K\n'); // OpenSSL: KeyUpdate with update_requested
  assert.ok(await waitForOutput(peer, (o) => o.includes('SSL_do_handshake -> 1')), peer.stdout()); // s_server's K done
  peer.child.stdin!.write('from openssl\n');
  assert.match(await readUntil(t, (x) => x.includes('from openssl')), 'from openssl');
  t.write('after their update\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('after their update')), peer.stdout());
  // write: ours, and our answer to K. read: OpenSSL's answer to ours and its K (it may fold them into one).
  assert.is(updates.filter((d) => d === 'write').length, 2, `updates ${updates}`);
  assert.ok(updates.filter((d) => d === 'read').length >= 1, `updates ${updates}`);
  t.end();
}));

s('KeyUpdate: openssl s_client k/K handled by our server, our update accepted by s_client', () => withDeadline(20_000, 'KeyUpdate vs s_client', async (r) => {
  let serverSide: TlsSocket | undefined;
  const updates: string[] = [];
  const server = r.server(createServer({ cert: pki.server.cert, key: pki.server.key }, (t) => {
    serverSide = t;
    t.on('error', () => undefined);
    t.on('keyUpdate', (d: string) => updates.push(d));
    t.on('data', (d: Buffer) => t.write(d.toString().toUpperCase()));
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const peer = r.peer(startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', '-CAfile', pki.ca.certFile]));
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
}));

s.run();
