/**
 * Sessions over TlsSocket against real peers, both roles: external PSK (openssl -psk / -psk_identity, node:tls
 * pskCallback), resumption
 * (openssl -sess_out / -sess_in and s_server's tickets; node:tls's `session`), and 0-RTT early data (openssl
 * -early_data both ways); plus the agent's PSK requests (clientHelloPsk / serverHelloPsk, against each other and
 * s_server). Every case runs under a deadline that kills its peers.
 */
import { once } from 'node:events';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, createServer as netCreateServer, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TlsAlert, TlsSession } from '@quichs/tls-hs';
import {
  HandshakeAgent,
  HandshakeStatus,
  Keyring,
  createServer,
  tlsSocketHandshake,
  type HandshakeArgs,
  type HandshakeOutcome,
  type KeySerial,
  type TlsSocket,
} from '../src/index.js';
import { readUntil, withDeadline, type CaseResources } from '../../../test/support/bounded.js';
import { connectWhenListening, freeTcpPort, startPeer, waitForOutput } from '../../../test/support/peerProcess.js';
import { makeTestPki } from '../../../test/support/testCerts.js';

const pki = makeTestPki();
const s = suite('tls-socket sessions vs real peers');
const bounded = (name: string, fn: (r: CaseResources) => Promise<void>) => s(name, () => withDeadline(20_000, name, fn));
const PSK_HEX = '5ac851e04710692cdb8da27668839d605ac851e04710692cdb8da27668839d60';
const psk = { identity: new TextEncoder().encode('quichs-psk'), key: Buffer.from(PSK_HEX, 'hex') };
const clientTls = { servername: 'localhost', ca: pki.ca.cert };

async function ourServer(r: CaseResources, options: Parameters<typeof createServer>[0], onSocket: (t: TlsSocket) => void): Promise<number> {
  const server = r.server(createServer(options, (t) => {
    t.on('error', () => undefined);
    onSocket(t);
  }));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

const upperEcho = (t: TlsSocket) => t.on('data', (d: Buffer) => t.write(d.toString().toUpperCase()));

/** Polls `cond` every 10 ms for up to `ms`. */
async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((res) => setTimeout(res, 10));
  return cond();
}

const waitForFile = (path: string) => until(() => existsSync(path) && statSync(path).size > 0);

async function tcp(r: CaseResources, port: number): Promise<Socket> {
  const sock = r.socket(netConnect(port, '127.0.0.1'));
  await once(sock, 'connect');
  return sock;
}

// ---------------------------------------------------------------- external PSK

bounded('external PSK: our client vs openssl s_server -psk (no certificates)', async (r) => {
  const port = await freeTcpPort();
  const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-nocert', '-naccept', '1',
    '-psk', PSK_HEX, '-psk_identity', 'quichs-psk']));
  const t = r.socket(await tlsSocketHandshake(await connectWhenListening(port), { psks: [psk] }));
  assert.equal([...t.engine.pskIdentity!], [...psk.identity]);
  assert.is(t.getPeerCertificates().length, 0);
  t.write('psk hello\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('psk hello')), peer.stdout());
});

bounded('external PSK: openssl s_client -psk vs our PSK-only server', async (r) => {
  let served: TlsSocket | undefined;
  const port = await ourServer(r, { psks: [psk] }, (t) => {
    served = t;
    upperEcho(t);
  });
  const peer = r.peer(startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-quiet', '-psk', PSK_HEX, '-psk_identity', 'quichs-psk']));
  peer.child.stdin!.write('over psk\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('OVER PSK')), peer.stdout() + peer.stderr());
  assert.equal([...served!.engine.pskIdentity!], [...psk.identity]);
});

bounded('external PSK with node:tls (pskCallback), both roles', async (r) => {
  const identity = Buffer.from(psk.identity).toString();
  const nodeServer = r.server(tls.createServer({ minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256',
    pskCallback: (_socket, id) => (id === identity ? psk.key : null) }, (c) => {
    c.on('error', () => undefined);
    c.end('node psk');
  }));
  nodeServer.listen(0, '127.0.0.1');
  await once(nodeServer, 'listening');
  const ours = r.socket(await tlsSocketHandshake(await tcp(r, (nodeServer.address() as { port: number }).port), { psks: [psk] }));
  assert.equal([...ours.engine.pskIdentity!], [...psk.identity]);
  assert.is(await readUntil(ours, (x) => x.length >= 8), 'node psk');
  let served: TlsSocket | undefined;
  const port = await ourServer(r, { psks: [psk] }, (t) => {
    served = t;
    t.end('our psk');
  });
  const nc = r.socket(tls.connect({ host: '127.0.0.1', port, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256',
    checkServerIdentity: () => undefined, pskCallback: () => ({ psk: psk.key, identity }) }));
  nc.on('error', () => undefined);
  assert.is(await readUntil(nc, (x) => x.length >= 7), 'our psk');
  assert.equal([...served!.engine.pskIdentity!], [...psk.identity]);
});

// ---------------------------------------------------------------- resumption

bounded('resumption: our client resumes with openssl s_server (its ticket)', async (r) => {
  const port = await freeTcpPort();
  r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-naccept', '2', '-cert', pki.server.certFile, '-key', pki.server.keyFile]));
  const first = r.socket(await tlsSocketHandshake(await connectWhenListening(port), clientTls));
  const [session] = (await once(first, 'session')) as [TlsSession];
  assert.not.ok(first.isSessionReused());
  first.end();
  const second = r.socket(await tlsSocketHandshake(await tcp(r, port), { ...clientTls, session }));
  assert.ok(second.isSessionReused());
});

bounded('resumption: openssl s_client -sess_out then -sess_in resumes with our server', async (r) => {
  const reused: boolean[] = [];
  const port = await ourServer(r, { cert: pki.server.cert, key: pki.server.key }, (t) => {
    reused.push(t.isSessionReused());
    upperEcho(t);
  });
  const sess = join(pki.dir, `sess-${port}.pem`);
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', '-CAfile', pki.ca.certFile];
  const c1 = r.peer(startPeer('openssl', [...args, '-sess_out', sess]));
  c1.child.stdin!.write('one\n');
  assert.ok(await waitForOutput(c1, () => /^ONE$/m.test(c1.stdout())), c1.stdout());
  assert.ok(await waitForFile(sess), 's_client wrote the session from our NewSessionTicket');
  c1.child.stdin!.end();
  await c1.exited;
  // s_client's session printout is stdio-buffered: it shows up at exit.
  assert.match(c1.stdout(), /Post-Handshake New Session Ticket arrived/);
  const c2 = r.peer(startPeer('openssl', [...args, '-sess_in', sess]));
  c2.child.stdin!.write('two\n');
  assert.ok(await waitForOutput(c2, () => /^TWO$/m.test(c2.stdout())), c2.stdout());
  assert.match(c2.stdout(), /Reused, TLSv1\.3/);
  assert.equal(reused, [false, true]);
});

bounded('resumption with node:tls: our client resumes with a node:tls server, a node:tls client with ours', async (r) => {
  const server = r.server(tls.createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3' }, (c) => {
    c.on('error', () => undefined);
    c.end('x');
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const nport = (server.address() as { port: number }).port;
  const a = r.socket(await tlsSocketHandshake(await tcp(r, nport), clientTls));
  const [session] = (await once(a, 'session')) as [TlsSession];
  const b = r.socket(await tlsSocketHandshake(await tcp(r, nport), { ...clientTls, session }));
  assert.ok(b.isSessionReused(), 'node:tls resumed our session');
  // node:tls client, our server
  const reused: boolean[] = [];
  const port = await ourServer(r, { cert: pki.server.cert, key: pki.server.key }, (t) => {
    reused.push(t.isSessionReused());
    t.end('y');
  });
  const c1 = r.socket(tls.connect({ host: '127.0.0.1', port, ...clientTls }));
  const [nodeSession] = (await once(c1, 'session')) as [Buffer];
  c1.resume();
  const c2 = r.socket(tls.connect({ host: '127.0.0.1', port, ...clientTls, session: nodeSession }));
  await once(c2, 'secureConnect');
  assert.ok(c2.isSessionReused(), 'node:tls resumed with our server');
  await until(() => reused.length === 2); // our side is secure only once the client's Finished arrived
  assert.equal(reused, [false, true]);
});

// ---------------------------------------------------------------- 0-RTT

bounded('0-RTT: our client’s early data accepted by openssl s_server -early_data', async (r) => {
  const port = await freeTcpPort();
  const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-early_data', '-naccept', '2',
    '-cert', pki.server.certFile, '-key', pki.server.keyFile]));
  const first = r.socket(await tlsSocketHandshake(await connectWhenListening(port), clientTls));
  const [session] = (await once(first, 'session')) as [TlsSession];
  assert.is(session.maxEarlyDataSize, 16384);
  first.end();
  const second = r.socket(await tlsSocketHandshake(await tcp(r, port), { ...clientTls, session, sendEarlyData: 'EARLY-FROM-QUICHS\n' }));
  assert.is(second.earlyDataStatus, 'accepted');
  assert.is(second.connection.earlyDataSent, 18);
  assert.ok(await waitForOutput(peer, (o) => /EARLY-FROM-QUICHS\n[^]*Early data received/.test(o) || /Early data received:\n[^]*EARLY-FROM-QUICHS/.test(o)), peer.stdout());
  second.write('1-rtt\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('1-rtt')));
  assert.is(peer.stdout().split('EARLY-FROM-QUICHS').length, 2, 'the early data arrived once');
});

bounded('0-RTT: openssl s_client -sess_in -early_data accepted by our server', async (r) => {
  const seen: { reused: boolean; early: string; status: string }[] = [];
  const port = await ourServer(r, { cert: pki.server.cert, key: pki.server.key, earlyData: true }, (t) => {
    seen.push({ reused: t.isSessionReused(), early: t.earlyData.toString(), status: t.earlyDataStatus });
    t.resume();
  });
  const sess = join(pki.dir, `early-${port}.pem`);
  const earlyFile = join(pki.dir, `early-${port}.txt`);
  writeFileSync(earlyFile, 'EARLY-FROM-OPENSSL\n');
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', '-CAfile', pki.ca.certFile];
  const c1 = r.peer(startPeer('openssl', [...args, '-sess_out', sess]));
  assert.ok(await waitForFile(sess), 's_client wrote the session from our NewSessionTicket');
  c1.child.stdin!.end();
  await c1.exited;
  const c2 = r.peer(startPeer('openssl', [...args, '-sess_in', sess, '-early_data', earlyFile]));
  assert.ok(await waitForOutput(c2, () => seen.length === 2), c2.stdout());
  c2.child.stdin!.end();
  await c2.exited;
  assert.match(c2.stdout(), /Early data was accepted/);
  assert.match(c2.stdout(), /Reused, TLSv1\.3/);
  assert.equal(seen, [
    { reused: false, early: '', status: 'none' },
    { reused: true, early: 'EARLY-FROM-OPENSSL\n', status: 'accepted' },
  ]);
});

// ---------------------------------------------------------------- the agent's PSK requests

function requestOn(start: (a: HandshakeArgs) => number, args: Omit<HandshakeArgs, 'done'>) {
  let calls = 0;
  const done = new Promise<{ status: number; peerId: KeySerial; outcome: HandshakeOutcome }>((resolve) => {
    assert.is(start({ ...args, done: (status, peerId, outcome) => {
      calls++;
      resolve({ status, peerId, outcome });
    } }), 0);
  });
  return { done, calls: () => calls };
}

async function tcpPair(r: CaseResources): Promise<{ client: Socket; server: Socket }> {
  const srv = r.server(netCreateServer());
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const accepted = once(srv, 'connection');
  const client = await tcp(r, (srv.address() as { port: number }).port);
  const [server] = (await accepted) as [Socket];
  return { client, server: r.socket(server) };
}

bounded('agent PSK: clientHelloPsk vs serverHelloPsk; each side’s peer id is the PSK used', async (r) => {
  const agent = new HandshakeAgent();
  const { client, server } = await tcpPair(r);
  const cring = new Keyring('client');
  const mine = cring.add('psk-0', { type: 'psk', identity: 'quichs-psk', key: psk.key });
  const sring = new Keyring('server');
  sring.add('psk-other', { type: 'psk', identity: 'someone-else', key: new Uint8Array(32).fill(7) });
  const theirs = sring.add('psk-0', { type: 'psk', identity: 'quichs-psk', key: psk.key });
  const sreq = requestOn((a) => agent.serverHelloPsk(a), { socket: server, keyring: sring });
  const creq = requestOn((a) => agent.clientHelloPsk(a), { socket: client, keyring: cring, peerIds: [mine] });
  const [c, v] = await Promise.all([creq.done, sreq.done]);
  assert.is(c.status, HandshakeStatus.OK, String(c.outcome.error));
  assert.is(v.status, HandshakeStatus.OK, String(v.outcome.error));
  assert.is(c.peerId, mine);
  assert.is(v.peerId, theirs);
  const ct = r.socket(c.outcome.socket!);
  const st = r.socket(v.outcome.socket!);
  upperEcho(st);
  ct.write('psk agent');
  assert.is(await readUntil(ct, (x) => x.length >= 9), 'PSK AGENT');
});

bounded('agent PSK: clientHelloPsk vs openssl s_server -psk', async (r) => {
  const port = await freeTcpPort();
  const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-nocert', '-naccept', '1',
    '-psk', PSK_HEX, '-psk_identity', 'quichs-psk']));
  const socket = r.socket(await connectWhenListening(port));
  const ring = new Keyring('nfs');
  const id = ring.add('psk-0', { type: 'psk', identity: 'quichs-psk', key: psk.key });
  const d = await requestOn((a) => new HandshakeAgent().clientHelloPsk(a), { socket, keyring: ring, peerIds: [id] }).done;
  assert.is(d.status, HandshakeStatus.OK, String(d.outcome.error));
  assert.is(d.peerId, id);
  r.socket(d.outcome.socket!).write('from the agent\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('from the agent')));
});

bounded('agent PSK: a server without the client’s identity refuses it (EACCES both sides); no PSK at all is ENOKEY', async (r) => {
  const agent = new HandshakeAgent();
  const { client, server } = await tcpPair(r);
  const cring = new Keyring('client');
  const mine = cring.add('psk', { type: 'psk', identity: 'stranger', key: psk.key });
  const sring = new Keyring('server');
  sring.add('psk', { type: 'psk', identity: 'quichs-psk', key: psk.key });
  const sreq = requestOn((a) => agent.serverHelloPsk(a), { socket: server, keyring: sring });
  const creq = requestOn((a) => agent.clientHelloPsk(a), { socket: client, keyring: cring, peerIds: [mine] });
  const [c, v] = await Promise.all([creq.done, sreq.done]);
  assert.is(v.status, HandshakeStatus.EACCES);
  assert.is((v.outcome.error as TlsAlert).alert, 'unknown_psk_identity');
  assert.is(c.status, HandshakeStatus.EACCES);
  assert.ok((c.outcome.error as TlsAlert).remote);
  const { client: lone } = await tcpPair(r);
  const none = await requestOn((a) => agent.clientHelloPsk(a), { socket: lone, keyring: new Keyring('empty') }).done;
  assert.is(none.status, HandshakeStatus.ENOKEY);
});

s.run();
