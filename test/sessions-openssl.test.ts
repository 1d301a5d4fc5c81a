/**
 * Issue 4 against OpenSSL 3.0 over loopback TCP (the tests start s_server / s_client themselves, bounded, killed when
 * a case ends): external PSK both directions (psk_dhe_ke and psk_ke, exporter values compared with OpenSSL's
 * -keymatexport), resumption with our client against s_server and our server against `s_client -sess_out/-sess_in`,
 * 0-RTT both directions (accepted, and refused by our server's policy), an HRR with a PSK, and KeyUpdate both ways
 * (`k` / `K` typed into OpenSSL, and our own update_requested accepted). Our side is the tls-hs engine inside
 * @quichs/tls-socket's TlsSocket. The result matrix is printed at the end.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, createServer as netCreateServer, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TicketKeyManager, type TlsSession } from '@quichs/tls-hs';
import { tlsSocketHandshake, type TlsHandshakeOptions, type TlsSocket } from '@quichs/tls-socket';
import { readUntil, withDeadline, type CaseResources } from './support/bounded.js';
import { freeTcpPort, startPeer, waitForOutput, type PeerProcess } from './support/peerProcess.js';
import { makeTestPki } from './support/testCerts.js';

const pki = makeTestPki();
const clock = () => Date.now();
const CASE_MS = 20_000;
const WAIT_MS = 6_000;
const PSK_HEX = '5c0ffee0123456789abcdef0a1b2c3d4e5f60718293a4b5c6d7e8f9011223344';
const PSK = { identity: new TextEncoder().encode('quichs'), key: Uint8Array.from(Buffer.from(PSK_HEX, 'hex')) };
const LABEL = 'EXPERIMENTAL-quichs';
const results: string[] = [];

function record(role: string, what: string, fn: (r: CaseResources) => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await withDeadline(CASE_MS, `${role} / ${what}`, fn);
      results.push(`pass  ${role.padEnd(28)} ${what}`);
    } catch (e) {
      results.push(`FAIL  ${role.padEnd(28)} ${what}: ${(e as Error).message}`);
      throw e;
    }
  };
}

/** openssl's "Keying material: HEX" line, lowercased. */
function keyingMaterial(out: string): string {
  const m = /Keying material: ([0-9A-F]+)/.exec(out);
  assert.ok(m, `no keying material printed: ${out.slice(-400)}`);
  return m![1].toLowerCase();
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// ---------------------------------------------------------------- our client against s_server

/** s_server in its interactive mode (what we send is printed, what is typed into its stdin is sent to us). */
async function sServer(r: CaseResources, args: string[]): Promise<{ peer: PeerProcess; port: number }> {
  const port = await freeTcpPort();
  const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', ...args], CASE_MS));
  assert.ok(await waitForOutput(peer, (o) => o.includes('ACCEPT'), WAIT_MS), `s_server did not start: ${peer.stderr()}`);
  return { peer, port };
}

async function ourClient(r: CaseResources, port: number, options: TlsHandshakeOptions): Promise<TlsSocket> {
  const socket = r.socket(netConnect(port, '127.0.0.1'));
  await once(socket, 'connect', { signal: AbortSignal.timeout(WAIT_MS) });
  const conn = r.socket(await tlsSocketHandshake(socket, { clock, handshakeTimeoutMs: WAIT_MS, ...options }));
  conn.on('error', () => undefined);
  return conn;
}

/** One line each way with s_server: ours is printed by it, its stdin line reaches us. */
async function talk(peer: PeerProcess, conn: TlsSocket, mine: string, theirs: string): Promise<void> {
  conn.write(`${mine}\n`);
  assert.ok(await waitForOutput(peer, (o) => o.includes(mine), WAIT_MS), `s_server did not print ${mine}: ${peer.stdout().slice(-300)}`);
  peer.child.stdin!.write(`${theirs}\n`);
  assert.ok((await readUntil(conn, (t) => t.includes(theirs), WAIT_MS)).includes(theirs));
}

const CERT = ['-cert', pki.server.certFile, '-key', pki.server.keyFile];
const TRUST = { ca: pki.ca.cert, servername: 'localhost' };

/** First connection to s_server: collects the sessions its tickets give. */
async function sessionsFrom(r: CaseResources, peer: PeerProcess, port: number, options: TlsHandshakeOptions = {}): Promise<TlsSession[]> {
  const sessions: TlsSession[] = [];
  const conn = await ourClient(r, port, { ...TRUST, ...options });
  conn.on('session', (session: TlsSession) => sessions.push(session));
  await talk(peer, conn, 'first connection', 'first reply');
  assert.ok(sessions.length >= 1, 'no ticket from s_server');
  conn.end();
  return sessions;
}

// ---------------------------------------------------------------- our server against s_client

interface Served {
  port: number;
  /** Resolves with each connection's socket once its handshake completed. */
  next: () => Promise<TlsSocket>;
}

/** Our server: each connection answers the first line in upper case (after reading `until`), then ends. */
async function ourServer(r: CaseResources, options: TlsHandshakeOptions, until = '\n'): Promise<Served> {
  const queue: Promise<TlsSocket>[] = [];
  const waiters: ((p: Promise<TlsSocket>) => void)[] = [];
  const server = r.server(netCreateServer((socket: Socket) => {
    const p = (async () => {
      // 0-RTT data arrives before the handshake completes; the readable side buffers it until read below
      const conn = r.socket(await tlsSocketHandshake(socket, {
        server: true, cert: pki.server.cert, key: pki.server.key, clock, handshakeTimeoutMs: WAIT_MS, ...options,
      }));
      conn.on('error', () => undefined);
      const got = await readUntil(conn, (t) => t.includes(until), WAIT_MS);
      conn.end(got.toUpperCase());
      return conn;
    })();
    p.catch(() => undefined);
    const w = waiters.shift();
    if (w) w(p);
    else queue.push(p);
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    next: () => queue.length > 0 ? queue.shift()! : new Promise<Promise<TlsSocket>>((res) => waiters.push(res)).then((p) => p),
  };
}

/** s_client (not quiet: it prints its session summary) sending `input`, staying until our server closes. */
function sClient(r: CaseResources, port: number, args: string[], input: string): PeerProcess {
  const peer = r.peer(startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-ign_eof', ...args], CASE_MS));
  peer.child.stdin!.end(input);
  return peer;
}

const S_CLIENT_TRUST = ['-CAfile', pki.ca.certFile, '-verify_return_error', '-servername', 'localhost'];

// ---------------------------------------------------------------- cases

const s = suite('tls-hs sessions vs openssl');

s('external PSK psk_dhe_ke: our client, s_server -psk; exporters agree', record('our client vs s_server', 'external PSK (psk_dhe_ke)', async (r) => {
  const { peer, port } = await sServer(r, ['-nocert', '-psk', PSK_HEX, '-psk_identity', 'quichs', '-naccept', '1', '-keymatexport', LABEL, '-keymatexportlen', '32']);
  const conn = await ourClient(r, port, { psks: [PSK] });
  const e = conn.engine;
  assert.is(e.pskMode, 'psk_dhe_ke');
  assert.equal(e.pskIdentity, PSK.identity);
  assert.equal(e.peerCertificates, []);
  await talk(peer, conn, 'hello over psk', 'psk reply');
  assert.is(keyingMaterial(peer.stdout()), hex(e.exportKeyingMaterial(32, LABEL)));
  conn.end();
}));

s('external PSK psk_ke: s_server -allow_no_dhe_kex, no key exchange at all', record('our client vs s_server', 'external PSK (psk_ke)', async (r) => {
  const { peer, port } = await sServer(r, ['-nocert', '-psk', PSK_HEX, '-psk_identity', 'quichs', '-naccept', '1', '-allow_no_dhe_kex']);
  const conn = await ourClient(r, port, { psks: [PSK], pskModes: ['psk_ke'] });
  assert.is(conn.engine.pskMode, 'psk_ke');
  assert.is(conn.engine.group, undefined);
  await talk(peer, conn, 'hello over psk_ke', 'psk_ke reply');
  conn.end();
}));

s('external PSK with a HelloRetryRequest: s_server wants secp384r1', record('our client vs s_server', 'external PSK + HRR', async (r) => {
  const { peer, port } = await sServer(r, ['-nocert', '-psk', PSK_HEX, '-psk_identity', 'quichs', '-naccept', '1', '-groups', 'secp384r1']);
  const conn = await ourClient(r, port, { psks: [PSK], keyShares: ['x25519'] });
  assert.ok(conn.engine.helloRetried);
  assert.is(conn.engine.group, 'secp384r1');
  assert.is(conn.engine.pskMode, 'psk_dhe_ke');
  await talk(peer, conn, 'hello after hrr', 'hrr reply');
  conn.end();
}));

s('external PSK: s_client -psk against our server (several identities known); exporters agree', record('our server vs s_client', 'external PSK', async (r) => {
  const srv = await ourServer(r, { psks: [{ identity: new TextEncoder().encode('other'), key: new Uint8Array(32).fill(1) }, PSK] });
  const peer = sClient(r, srv.port, ['-psk', PSK_HEX, '-psk_identity', 'quichs', '-keymatexport', LABEL, '-keymatexportlen', '32'], 'hello psk server\n');
  const conn = await srv.next();
  assert.ok(await waitForOutput(peer, (o) => o.includes('HELLO PSK SERVER'), WAIT_MS), peer.stdout().slice(-400));
  assert.is(conn.engine.pskMode, 'psk_dhe_ke');
  assert.equal(conn.engine.pskIdentity, PSK.identity);
  assert.is(keyingMaterial(peer.stdout()), hex(conn.engine.exportKeyingMaterial(32, LABEL)));
}));

s('resumption: our client resumes with a ticket from s_server', record('our client vs s_server', 'resumption', async (r) => {
  const { peer, port } = await sServer(r, [...CERT, '-naccept', '2']);
  const sessions = await sessionsFrom(r, peer, port);
  const conn = await ourClient(r, port, { ...TRUST, session: sessions[0] });
  assert.ok(conn.engine.resumed);
  assert.is(conn.engine.pskMode, 'psk_dhe_ke');
  assert.is(conn.engine.signatureScheme, undefined, 'no CertificateVerify in a resumed handshake');
  await talk(peer, conn, 'resumed hello', 'resumed reply');
  conn.end();
}));

s('resumption: s_client -sess_out then -sess_in against our server', record('our server vs s_client', 'resumption', async (r) => {
  const keys = new TicketKeyManager();
  const srv = await ourServer(r, { ticketKeys: keys });
  const file = join(pki.dir, 'resume.sess');
  let peer = sClient(r, srv.port, [...S_CLIENT_TRUST, '-sess_out', file], 'first\n');
  const first = await srv.next();
  assert.ok(await waitForOutput(peer, (o) => o.includes('FIRST'), WAIT_MS));
  await peer.exited;
  assert.not.ok(first.engine.resumed);
  peer = sClient(r, srv.port, [...S_CLIENT_TRUST, '-sess_in', file], 'second\n');
  const second = await srv.next();
  assert.ok(await waitForOutput(peer, (o) => o.includes('SECOND'), WAIT_MS));
  assert.ok(second.engine.resumed);
  assert.match(peer.stdout(), /Reused, TLSv1\.3/);
}));

s('0-RTT: our client sends early data, s_server -early_data accepts it', record('our client vs s_server', '0-RTT accepted', async (r) => {
  const { peer, port } = await sServer(r, [...CERT, '-naccept', '2', '-early_data']);
  const sessions = await sessionsFrom(r, peer, port, { earlyData: true });
  assert.ok(sessions[0].maxEarlyDataSize > 0, 's_server -early_data tickets allow 0-RTT');
  const conn = await ourClient(r, port, { ...TRUST, session: sessions[0], earlyData: true, sendEarlyData: 'early hello quichs\n' });
  assert.ok(await waitForOutput(peer, (o) => o.includes('early hello quichs'), WAIT_MS), peer.stdout().slice(-300));
  assert.is(conn.engine.earlyDataStatus, 'accepted');
  assert.ok(conn.engine.resumed);
  await talk(peer, conn, 'then 1-rtt', 'reply after 0-rtt');
  conn.end();
}));

/**
 * Two s_client runs against our server: the first saves its session (-sess_out), the second resumes it (-sess_in)
 * sending `early` as 0-RTT data (-early_data). Returns the second s_client and our side of it.
 */
async function earlyDataFromSClient(r: CaseResources, options: TlsHandshakeOptions, name: string, early: string): Promise<{ peer: PeerProcess; conn: TlsSocket }> {
  const srv = await ourServer(r, { ticketKeys: new TicketKeyManager(), earlyData: true, ...options }, 'after');
  const file = join(pki.dir, `${name}.sess`);
  const earlyFile = join(pki.dir, `${name}.txt`);
  writeFileSync(earlyFile, early);
  const first = sClient(r, srv.port, [...S_CLIENT_TRUST, '-sess_out', file], 'first after\n');
  await srv.next();
  await first.exited;
  const peer = sClient(r, srv.port, [...S_CLIENT_TRUST, '-sess_in', file, '-early_data', earlyFile], 'then after\n');
  return { peer, conn: await srv.next() };
}

s('0-RTT: s_client -sess_in -early_data against our server (accepted)', record('our server vs s_client', '0-RTT accepted', async (r) => {
  const { peer, conn } = await earlyDataFromSClient(r, {}, 'early', 'early data from openssl;');
  assert.ok(await waitForOutput(peer, (o) => o.includes('EARLY DATA FROM OPENSSL;THEN AFTER'), WAIT_MS), peer.stdout().slice(-400));
  assert.match(peer.stdout(), /Early data was accepted/);
  assert.is(conn.engine.earlyDataStatus, 'accepted');
  assert.ok(conn.engine.resumed);
}));

s('0-RTT refused by our server policy: s_client is told, the handshake goes on 1-RTT', record('our server vs s_client', '0-RTT rejected', async (r) => {
  const { peer, conn } = await earlyDataFromSClient(r, { acceptEarlyData: () => false }, 'reject', 'refused early data;');
  assert.ok(await waitForOutput(peer, (o) => o.includes('THEN AFTER'), WAIT_MS), peer.stdout().slice(-400));
  assert.match(peer.stdout(), /Early data was rejected/);
  assert.not.match(peer.stdout(), /REFUSED EARLY DATA/);
  assert.is(conn.engine.earlyDataStatus, 'rejected');
  assert.is(conn.engine.earlyDataRejection, 'policy');
  assert.ok(conn.engine.resumed);
}));

s('KeyUpdate: s_server k / K handled by our client; our update_requested accepted by s_server', record('our client vs s_server', 'KeyUpdate both ways', async (r) => {
  const { peer, port } = await sServer(r, [...CERT, '-naccept', '1']);
  const conn = await ourClient(r, port, TRUST);
  const updates: string[] = [];
  conn.on('keyUpdate', (d: string) => updates.push(d));
  await talk(peer, conn, 'before updates', 'zero');
  const s0 = conn.engine.secret('serverApplication')!;
  // s_server drops the rest of a stdin read that starts with a command: one command per write, then wait
  peer.child.stdin!.write('k\n');
  await new Promise((res) => setTimeout(res, 300));
  peer.child.stdin!.write('one\n');
  assert.ok((await readUntil(conn, (t) => t.includes('one'), WAIT_MS)).includes('one'));
  assert.ok(updates.includes('read'), `updates ${updates.join(',')}`);
  assert.not.equal(conn.engine.secret('serverApplication'), s0);
  peer.child.stdin!.write('K\n');
  await new Promise((res) => setTimeout(res, 300));
  peer.child.stdin!.write('two\n');
  assert.ok((await readUntil(conn, (t) => t.includes('two'), WAIT_MS)).includes('two'));
  assert.ok(updates.includes('write'), 'update_requested answered with our own KeyUpdate');
  conn.write('after their updates\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('after their updates'), WAIT_MS));
  const before = updates.length;
  conn.keyUpdate(true);
  conn.write('after our update\n');
  assert.ok(await waitForOutput(peer, (o) => o.includes('after our update'), WAIT_MS));
  peer.child.stdin!.write('three\n');
  assert.ok((await readUntil(conn, (t) => t.includes('three'), WAIT_MS)).includes('three'));
  assert.ok(updates.slice(before).includes('read'), 's_server answered our update_requested');
  conn.end();
}));

s('KeyUpdate: s_client k / K handled by our server; our update_requested accepted by s_client', record('our server vs s_client', 'KeyUpdate both ways', async (r) => {
  const server = r.server(netCreateServer((socket: Socket) => {
    void tlsSocketHandshake(socket, { server: true, cert: pki.server.cert, key: pki.server.key, clock, handshakeTimeoutMs: WAIT_MS })
      .then((t) => {
        r.socket(t);
        t.on('error', () => undefined);
        t.on('data', (d: Buffer) => {
          t.write(d.toString().toUpperCase());
          if (d.toString().includes('three')) t.keyUpdate(true);
        });
      }, () => undefined);
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const peer = r.peer(startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', ...S_CLIENT_TRUST], CASE_MS));
  assert.ok(await waitForOutput(peer, (o) => o.includes('Verify return code: 0'), WAIT_MS), peer.stdout());
  const step = async (line: string, expect: (o: string) => boolean): Promise<void> => {
    peer.child.stdin!.write(line);
    assert.ok(await waitForOutput(peer, expect, WAIT_MS), `${line.trim()}: ${peer.stdout().slice(-300)}`);
  };
  // markers that cannot appear in s_client's own output ("Compression: NONE" contains ONE)
  await step('alpha\n', (o) => o.includes('ALPHA'));
  await step('k\n', (o) => (o.match(/KEYUPDATE/g) ?? []).length >= 1);
  await step('bravo\n', (o) => o.includes('BRAVO'));
  await step('K\n', (o) => (o.match(/KEYUPDATE/g) ?? []).length >= 2);
  await step('three\n', (o) => o.includes('THREE'));
  await step('delta\n', (o) => o.includes('DELTA'));
}));

s('print the matrix', () => {
  console.log(`\n  issue 4 vs OpenSSL 3.0:\n${results.map((l) => `    ${l}`).join('\n')}`);
  assert.ok(results.length >= 11);
});

s.run();
