/**
 * The handshake-agent API (seed 001) over loopback TCP, against itself and node:tls: every status of the table produced
 * by a test that causes it (0, EACCES both ways, ENOMEM, EINVAL, ENOKEY, EIO, ETIMEDOUT), the start functions' own
 * -EINVAL / -EBUSY, done called exactly once, cancel before (never calls back) and after completion (false), keyring
 * isolation, peer identities, and the anonymous mode authenticating only the server.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer as netCreateServer, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsAlert, parseX509Certificate } from '@quichs/tls-hs';
import {
  HandshakeAgent,
  HandshakeStatus,
  Keyring,
  TLS_NO_PEERID,
  cancel,
  clientHelloX509,
  handshakeStatusName,
  serverHelloX509,
  type HandshakeArgs,
  type HandshakeOutcome,
  type KeySerial,
} from '../src/index.js';
import { withDeadline, type CaseResources } from '../../../test/support/bounded.js';
import { connectWhenListening, freeTcpPort, startPeer } from '../../../test/support/peerProcess.js';
import { makeTestPki, type TestIdentity } from '../../../test/support/testCerts.js';

const pki = makeTestPki();
const other = makeTestPki(); // a second CA nobody here trusts
const s = suite('tls-socket handshake agent');
const bounded = (name: string, fn: (r: CaseResources) => Promise<void>) => s(name, () => withDeadline(15_000, name, fn));

interface Done {
  status: number;
  peerId: KeySerial;
  outcome: HandshakeOutcome;
}

/** Starts a request and resolves with its (single) done call; `calls` counts every call. */
function request(start: (a: HandshakeArgs) => number, args: Omit<HandshakeArgs, 'done'>): { started: number; done: Promise<Done>; calls: () => number } {
  let n = 0;
  let resolve!: (d: Done) => void;
  const done = new Promise<Done>((r) => (resolve = r));
  const started = start({
    ...args,
    done: (status, peerId, outcome) => {
      n++;
      resolve({ status, peerId, outcome });
    },
  });
  return { started, done, calls: () => n };
}

/** After a request settled: give any stray second callback a chance, then check there was exactly one. */
async function once1(calls: () => number): Promise<void> {
  await new Promise((r) => setTimeout(r, 30));
  assert.is(calls(), 1, 'done called exactly once');
}

function ringWith(id: TestIdentity, anchors: TestIdentity[] = [pki.ca]): { ring: Keyring; cert: KeySerial; key: KeySerial } {
  const ring = new Keyring('test');
  const cert = ring.add('my-cert', { type: 'certificate', cert: id.cert });
  const key = ring.add('my-key', { type: 'privateKey', key: id.key });
  anchors.forEach((a, i) => ring.add(`ca-${i}`, { type: 'certificate', cert: a.cert, trusted: true }));
  return { ring, cert, key };
}

/** A connected TCP pair (client side, accepted server side). */
async function tcpPair(r: CaseResources): Promise<{ client: Socket; server: Socket }> {
  const server = r.server(netCreateServer());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = r.socket(netConnect((server.address() as { port: number }).port, '127.0.0.1'));
  await once(client, 'connect');
  const [srv] = (await accepted) as [Socket];
  return { client, server: r.socket(srv) };
}

/** A raw TCP peer: answers the first bytes with `reply` (null: silence), `end` closes after it. */
async function rawPeer(r: CaseResources, reply: Uint8Array | null, end = false): Promise<Socket> {
  const server = r.server(netCreateServer((sock) => {
    sock.on('error', () => undefined);
    sock.once('data', () => {
      if (reply === null) return;
      if (end) sock.end(reply);
      else sock.write(reply);
    });
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const c = r.socket(netConnect((server.address() as { port: number }).port, '127.0.0.1'));
  c.on('error', () => undefined);
  await once(c, 'connect');
  return c;
}

const subjectOf = (ring: Keyring, serial: KeySerial) => {
  const p = ring.get(serial)!.payload;
  assert.is(p.type, 'certificate');
  return parseX509Certificate((p as unknown as { cert: Uint8Array[] }).cert[0]).subject.text;
};

bounded('status 0: x509 client and server (mutual), peer identities land in each ring, data flows', async (r) => {
  const { client, server } = await tcpPair(r);
  const c = ringWith(pki.client);
  const v = ringWith(pki.server);
  const sreq = request(serverHelloX509, { socket: server, keyring: v.ring, myCert: v.cert, myPrivateKey: v.key });
  const creq = request(clientHelloX509, { socket: client, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' });
  assert.is(sreq.started, 0);
  assert.is(creq.started, 0);
  const [cd, sd] = await Promise.all([creq.done, sreq.done]);
  assert.is(handshakeStatusName(cd.status), 'OK', String(cd.outcome.error));
  assert.is(sd.status, HandshakeStatus.OK, String(sd.outcome.error));
  assert.is(subjectOf(c.ring, cd.peerId), 'CN=localhost');
  assert.is(subjectOf(v.ring, sd.peerId), 'CN=quichs client');
  const ct = r.socket(cd.outcome.socket!);
  const st = r.socket(sd.outcome.socket!);
  st.on('data', (d: Buffer) => st.write(d.toString().toUpperCase()));
  ct.write('over the agent');
  const [reply] = (await once(ct, 'data')) as [Buffer];
  assert.is(reply.toString(), 'OVER THE AGENT');
  await once1(creq.calls);
  await once1(sreq.calls);
});

bounded('anonymous client: authenticates the server only, sends no certificate when asked', async (r) => {
  let peerCert: object | undefined;
  const server = r.server(tls.createServer({ key: pki.server.key, cert: pki.server.cert, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, (c) => {
    peerCert = c.getPeerCertificate();
    c.on('error', () => undefined);
    c.end('hi');
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = r.socket(netConnect((server.address() as { port: number }).port, '127.0.0.1'));
  await once(socket, 'connect');
  const { ring } = ringWith(pki.client); // holds a client cert too: anonymous mode must not use it
  const req = request((a) => new HandshakeAgent().clientHelloAnon(a), { socket, keyring: ring, peername: 'localhost' });
  const d = await req.done;
  assert.is(d.status, HandshakeStatus.OK, String(d.outcome.error));
  assert.is(subjectOf(ring, d.peerId), 'CN=localhost');
  r.socket(d.outcome.socket!).resume();
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(peerCert, {}, 'node:tls server got no client certificate');
  await once1(req.calls);
});

bounded('server x509 without trust anchors asks for no client certificate: peer id TLS_NO_PEERID', async (r) => {
  const { client, server } = await tcpPair(r);
  const v = ringWith(pki.server, []);
  const sreq = request(serverHelloX509, { socket: server, keyring: v.ring, myCert: v.cert, myPrivateKey: v.key });
  const nodeClient = r.socket(tls.connect({ socket: client, servername: 'localhost', ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }));
  nodeClient.on('error', () => undefined);
  const sd = await sreq.done;
  assert.is(sd.status, HandshakeStatus.OK, String(sd.outcome.error));
  assert.is(sd.peerId, TLS_NO_PEERID);
  r.socket(sd.outcome.socket!);
});

bounded('EACCES: the server certificate is not trusted by our ring (our alert), socket destroyed', async (r) => {
  const { client, server } = await tcpPair(r);
  const v = ringWith(pki.server);
  request(serverHelloX509, { socket: server, keyring: v.ring, myCert: v.cert, myPrivateKey: v.key });
  const c = ringWith(pki.client, [other.ca]);
  const req = request(clientHelloX509, { socket: client, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' });
  const d = await req.done;
  assert.is(d.status, HandshakeStatus.EACCES);
  assert.instance(d.outcome.error, TlsAlert);
  assert.not.ok((d.outcome.error as TlsAlert).remote);
  assert.is(d.peerId, TLS_NO_PEERID);
  assert.ok(client.destroyed, 'socket destroyed');
  await once1(req.calls);
});

bounded('EACCES: the peer rejects the handshake (its alert: no suite in common)', async (r) => {
  const server = r.server(tls.createServer({ key: pki.server.key, cert: pki.server.cert, ciphers: 'TLS_AES_128_GCM_SHA256', minVersion: 'TLSv1.3' }));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = r.socket(netConnect((server.address() as { port: number }).port, '127.0.0.1'));
  await once(socket, 'connect');
  const c = ringWith(pki.client);
  const req = request(clientHelloX509, {
    socket, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost',
    engine: { ciphers: ['TLS_CHACHA20_POLY1305_SHA256'] },
  });
  const d = await req.done;
  assert.is(d.status, HandshakeStatus.EACCES, String(d.outcome.error));
  assert.ok((d.outcome.error as TlsAlert).remote, 'the alert came from node:tls');
  assert.is((d.outcome.error as TlsAlert).alert, 'handshake_failure');
  await once1(req.calls);
});

bounded('a server that rejects our client certificate: in TLS 1.3 that alert comes after our handshake completed', async (r) => {
  const port = await freeTcpPort();
  r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-naccept', '1', '-cert', pki.server.certFile,
    '-key', pki.server.keyFile, '-Verify', '1', '-CAfile', other.ca.certFile, '-verify_return_error'], 15_000));
  const socket = r.socket(await connectWhenListening(port));
  const c = ringWith(pki.client);
  const d = await request(clientHelloX509, { socket, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' }).done;
  assert.is(d.status, HandshakeStatus.OK); // our Finished went out before the server judged the certificate
  const t = r.socket(d.outcome.socket!);
  const [err] = (await once(t, 'error')) as [TlsAlert];
  assert.ok(err.remote);
  assert.ok(['bad_certificate', 'unknown_ca', 'certificate_unknown'].includes(err.alert), err.alert);
});

bounded('EINVAL: a PSK in the certificate slot; a private key that does not match the certificate', async (r) => {
  for (const mismatch of [false, true]) {
    const { server } = await tcpPair(r);
    const v = ringWith(pki.server);
    const psk = v.ring.add('psk', { type: 'psk', identity: 'id', key: new Uint8Array(32).fill(1) });
    const wrongKey = v.ring.add('client-key', { type: 'privateKey', key: pki.client.key });
    const req = request(serverHelloX509, mismatch
      ? { socket: server, keyring: v.ring, myCert: v.cert, myPrivateKey: wrongKey }
      : { socket: server, keyring: v.ring, myCert: psk, myPrivateKey: v.key });
    const d = await req.done;
    assert.is(d.status, HandshakeStatus.EINVAL, String(d.outcome.error));
    assert.match(d.outcome.error!.message, mismatch ? /does not match/ : /holds a psk, not a certificate/);
    assert.ok(server.destroyed);
    await once1(req.calls);
  }
});

bounded('ENOKEY and keyring isolation: a serial from another ring, a revoked key, no trust anchor', async (r) => {
  const a = ringWith(pki.server);
  const b = new Keyring('other');
  b.add('unrelated', { type: 'psk', identity: 'x', key: new Uint8Array(16) });
  // Ring b cannot reach a's keys, even by their serials…
  const { server: s1 } = await tcpPair(r);
  const outside = request(serverHelloX509, { socket: s1, keyring: b, myCert: a.cert, myPrivateKey: a.key });
  const d1 = await outside.done;
  assert.is(d1.status, HandshakeStatus.ENOKEY);
  assert.match(d1.outcome.error!.message, new RegExp(`key ${a.cert} is not in keyring "other"`));
  // …while ring a can.
  const { client: c2, server: s2 } = await tcpPair(r);
  const inside = request(serverHelloX509, { socket: s2, keyring: a.ring, myCert: a.cert, myPrivateKey: a.key });
  const nodeClient = r.socket(tls.connect({ socket: c2, servername: 'localhost', ca: pki.ca.cert }));
  nodeClient.on('error', () => undefined);
  assert.is((await inside.done).status, HandshakeStatus.OK);
  // A revoked key is gone.
  const { server: s3 } = await tcpPair(r);
  const revoked = ringWith(pki.server);
  assert.ok(revoked.ring.revoke(revoked.key));
  assert.is((await request(serverHelloX509, { socket: s3, keyring: revoked.ring, myCert: revoked.cert, myPrivateKey: revoked.key }).done).status, HandshakeStatus.ENOKEY);
  // A client with nothing to verify the server against.
  const { client: c4 } = await tcpPair(r);
  const bare = ringWith(pki.client, []);
  const d4 = await request(clientHelloX509, { socket: c4, keyring: bare.ring, myCert: bare.cert, myPrivateKey: bare.key, peername: 'localhost' }).done;
  assert.is(d4.status, HandshakeStatus.ENOKEY);
  assert.match(d4.outcome.error!.message, /no trust anchor/);
  // An x509 client without a certificate.
  const { client: c5 } = await tcpPair(r);
  assert.is((await request(clientHelloX509, { socket: c5, keyring: bare.ring, peername: 'localhost' }).done).status, HandshakeStatus.ENOKEY);
  await once1(outside.calls);
});

bounded('EIO: garbage from the peer; the peer closing mid-handshake (a truncated record); a record over 2^14+256', async (r) => {
  const c = ringWith(pki.client);
  const garbage = await rawPeer(r, Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'));
  const g = request(clientHelloX509, { socket: garbage, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' });
  const dg = await g.done;
  assert.is(dg.status, HandshakeStatus.EIO);
  assert.is((dg.outcome.error as TlsAlert).alert, 'unexpected_message');
  assert.ok(garbage.destroyed);
  const closing = await rawPeer(r, Uint8Array.of(22, 3, 3, 0, 40, 2), true);
  const cl = request(clientHelloX509, { socket: closing, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' });
  const dc = await cl.done;
  assert.is(dc.status, HandshakeStatus.EIO);
  assert.is((dc.outcome.error as { code?: string }).code, 'ECONNRESET');
  const big = await rawPeer(r, Uint8Array.of(22, 3, 3, (16384 + 257) >> 8, (16384 + 257) & 0xff));
  const ov = request(clientHelloX509, { socket: big, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' });
  const dov = await ov.done;
  assert.is(dov.status, HandshakeStatus.EIO);
  assert.is((dov.outcome.error as TlsAlert).alert, 'record_overflow');
  await once1(g.calls);
  await once1(cl.calls);
  await once1(ov.calls);
});

bounded('EACCES: a fatal alert from the peer, reported once by name', async (r) => {
  const c = ringWith(pki.client);
  const alerting = await rawPeer(r, Uint8Array.of(21, 3, 3, 0, 2, 2, 49)); // access_denied
  const req = request(clientHelloX509, { socket: alerting, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' });
  const d = await req.done;
  assert.is(d.status, HandshakeStatus.EACCES);
  assert.is((d.outcome.error as TlsAlert).alert, 'access_denied');
  assert.ok((d.outcome.error as TlsAlert).remote);
  assert.ok(alerting.destroyed);
  await once1(req.calls);
});

bounded('ETIMEDOUT: a peer that never answers; the socket is destroyed', async (r) => {
  const c = ringWith(pki.client);
  const silent = await rawPeer(r, null);
  const started = Date.now();
  const req = request(clientHelloX509, { socket: silent, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost', timeoutMs: 200 });
  const d = await req.done;
  assert.is(d.status, HandshakeStatus.ETIMEDOUT);
  assert.ok(Date.now() - started >= 190);
  assert.ok(silent.destroyed);
  await once1(req.calls);
});

bounded('ENOMEM: a peer that floods the handshake past the agent’s memory limit', async (r) => {
  const agent = new HandshakeAgent({ memoryLimit: 4096 });
  const c = ringWith(pki.client);
  const header = Uint8Array.of(22, 3, 3, 0x3f, 0xff); // a 16383-byte handshake record…
  const flood = await rawPeer(r, Buffer.concat([header, Buffer.alloc(6000, 1)])); // …of which 6000 bytes arrive
  const req = request((a) => agent.clientHelloX509(a), { socket: flood, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost' });
  const d = await req.done;
  assert.is(d.status, HandshakeStatus.ENOMEM, String(d.outcome.error));
  assert.ok(flood.destroyed);
  assert.is(agent.memoryInUse, 0, 'memory given back');
  assert.is(agent.pending, 0);
  await once1(req.calls);
});

bounded('cancel before completion: true, the callback never runs; while queued the socket is left alone', async (r) => {
  const c = ringWith(pki.client);
  const silent = await rawPeer(r, null);
  const running = request(clientHelloX509, { socket: silent, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost', timeoutMs: 300 });
  await new Promise((res) => setTimeout(res, 50)); // the handshake is under way (ClientHello sent)
  assert.is(cancel(silent), true);
  assert.ok(silent.destroyed, 'a running handshake is aborted');
  assert.is(cancel(silent), false, 'nothing left to cancel');
  const quiet = await rawPeer(r, null);
  const queued = request(clientHelloX509, { socket: quiet, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost', timeoutMs: 300 });
  assert.is(cancel(quiet), true);
  await new Promise((res) => setTimeout(res, 500)); // past both timeouts
  assert.is(running.calls(), 0);
  assert.is(queued.calls(), 0);
  assert.not.ok(quiet.destroyed, 'never started: the socket is still the consumer’s');
});

bounded('cancel after completion: false (the callback already ran)', async (r) => {
  const { client, server } = await tcpPair(r);
  const v = ringWith(pki.server);
  const req = request(serverHelloX509, { socket: server, keyring: v.ring, myCert: v.cert, myPrivateKey: v.key });
  const nodeClient = r.socket(tls.connect({ socket: client, servername: 'localhost', ca: pki.ca.cert }));
  nodeClient.on('error', () => undefined);
  const d = await req.done;
  assert.is(d.status, HandshakeStatus.OK);
  r.socket(d.outcome.socket!);
  assert.is(cancel(server), false);
  await once1(req.calls);
});

bounded('start functions: -EINVAL for bad arguments or a closed socket, -EBUSY for a second request; done never called', async (r) => {
  const c = ringWith(pki.client);
  const { client } = await tcpPair(r);
  const first = request(clientHelloX509, { socket: client, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key, peername: 'localhost', timeoutMs: 200 });
  assert.is(first.started, 0);
  const busy = request(clientHelloX509, { socket: client, keyring: c.ring, myCert: c.cert, myPrivateKey: c.key });
  assert.is(busy.started, HandshakeStatus.EBUSY);
  const closed = r.socket(netConnect(1, '127.0.0.1'));
  closed.on('error', () => undefined);
  closed.destroy();
  assert.is(request(clientHelloX509, { socket: closed, keyring: c.ring }).started, HandshakeStatus.EINVAL);
  assert.is(request(clientHelloX509, { socket: client, keyring: c.ring, timeoutMs: -1 }).started, HandshakeStatus.EINVAL);
  assert.is(request(clientHelloX509, { socket: client, keyring: c.ring, peerIds: [1, 2, 3, 4, 5, 6] }).started, HandshakeStatus.EINVAL);
  assert.is(clientHelloX509({ socket: client, keyring: c.ring } as unknown as HandshakeArgs), HandshakeStatus.EINVAL);
  assert.is(cancel(client), true);
  await new Promise((res) => setTimeout(res, 300));
  assert.is(busy.calls(), 0);
  assert.is(first.calls(), 0);
});

s('keyring: serials are unique, add() with a known description updates in place, keys are copied', () => {
  const a = new Keyring('a');
  const b = new Keyring('b');
  const bytes = new Uint8Array(16).fill(9);
  const k1 = a.add('psk', { type: 'psk', identity: 'id', key: bytes });
  const k2 = b.add('psk', { type: 'psk', identity: 'id', key: bytes });
  assert.is.not(k1, k2);
  assert.is.not(a.serial, b.serial);
  bytes.fill(0);
  assert.equal([...(a.get(k1)!.payload as { key: Uint8Array }).key], new Array(16).fill(9), 'the ring holds its own copy');
  assert.is(a.add('psk', { type: 'psk', identity: 'id2', key: bytes }), k1, 'same description: same serial');
  assert.is((a.search('psk')!.payload as { identity: string }).identity, 'id2');
  assert.is(a.get(k2), undefined, 'another ring’s serial is not found');
  assert.is(a.size, 1);
  assert.ok(a.revoke(k1));
  assert.not.ok(a.revoke(k1));
  assert.throws(() => a.add('', { type: 'psk', identity: 'x', key: bytes }), TypeError);
  assert.is(handshakeStatusName(-110), 'ETIMEDOUT');
  assert.is(handshakeStatusName(-999), 'status -999');
});

s.run();
