/**
 * Issue 3: our engine against real TLS 1.3 peers over loopback TCP — openssl s_server / s_client (OpenSSL 3.0) and
 * node:tls, both roles: each suite, x25519 and P-256, HelloRetryRequest (peer prefers another group), client
 * certificates, SNI and ALPN. Every case exchanges application data and checks what was negotiated; the matrix of
 * results is printed at the end. The engine runs inside @quichs/tls-socket's TlsSocket (engine + record layer).
 * Every case runs under a deadline that kills its peer process and destroys its sockets and servers, so a case can fail
 * but never hang; every wait inside a case is bounded too.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer as netCreateServer, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseX509Certificate, type TlsEngine, type TlsEngineOptions } from '@quichs/tls-hs';
import { tlsSocketHandshake } from '@quichs/tls-socket';
import { withDeadline, readUntil, type CaseResources } from './support/bounded.js';
import { freeTcpPort, startPeer, waitForOutput } from './support/peerProcess.js';
import { makeTestPki } from './support/testCerts.js';

const pki = makeTestPki();
const clock = () => Date.now();
/** Per case: handshake + one echo; generous for 2 shared cores, small enough that a stuck case fails fast. */
const CASE_MS = 15_000;
const WAIT_MS = 5_000;
const SUITES = [
  ['TLS_AES_128_GCM_SHA256', 0x1301],
  ['TLS_AES_256_GCM_SHA384', 0x1302],
  ['TLS_CHACHA20_POLY1305_SHA256', 0x1303],
] as const;

/** Matrix cells: feature → column → result. */
const COLUMNS = ['openssl s_server', 'openssl s_client', 'node:tls server', 'node:tls client'] as const;
type Column = (typeof COLUMNS)[number];
const matrix = new Map<string, Map<Column, string>>();
const failures: string[] = [];

function record(peer: Column, what: string, fn: (r: CaseResources) => Promise<void>): () => Promise<void> {
  return async () => {
    if (!matrix.has(what)) matrix.set(what, new Map());
    try {
      await withDeadline(CASE_MS, `${peer} / ${what}`, fn);
      matrix.get(what)!.set(peer, 'pass');
    } catch (e) {
      matrix.get(what)!.set(peer, 'FAIL');
      failures.push(`${peer} / ${what}: ${(e as Error).message}`);
      throw e;
    }
  };
}

// ---------------------------------------------------------------- our client against a server peer

async function ourClient(r: CaseResources, port: number, options: TlsEngineOptions) {
  const socket = r.socket(netConnect(port, '127.0.0.1'));
  await once(socket, 'connect', { signal: AbortSignal.timeout(WAIT_MS) });
  const conn = r.socket(await tlsSocketHandshake(socket, { ca: pki.ca.cert, servername: 'localhost', clock, handshakeTimeoutMs: WAIT_MS, ...options }));
  conn.on('error', () => undefined);
  return { engine: conn.engine, conn };
}

async function vsSServer(r: CaseResources, sArgs: string[], options: TlsEngineOptions, check: (e: TlsEngine) => void): Promise<void> {
  const port = await freeTcpPort();
  const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-rev', '-naccept', '1',
    '-cert', pki.server.certFile, '-key', pki.server.keyFile, ...sArgs], CASE_MS));
  assert.ok(await waitForOutput(peer, (o) => o.includes('ACCEPT'), WAIT_MS), `s_server did not start: ${peer.stderr()}`);
  const { engine, conn } = await ourClient(r, port, options);
  conn.write('hello quichs\n');
  const echoed = await readUntil(conn, (t) => t.includes('olleh'), WAIT_MS);
  assert.ok(echoed.includes('shciuq olleh'), `s_server -rev answered ${JSON.stringify(echoed)}`);
  check(engine);
  conn.end();
}

async function vsNodeServer(r: CaseResources, serverOptions: tls.TlsOptions, options: TlsEngineOptions, check: (e: TlsEngine, s: tls.TLSSocket) => void): Promise<void> {
  let serverSide: tls.TLSSocket | undefined;
  const server = r.server(tls.createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3', ...serverOptions }, (s) => {
    serverSide = s;
    s.on('data', (d: Buffer) => s.write(Buffer.from(d.toString().toUpperCase())));
    s.on('error', () => undefined);
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { engine, conn } = await ourClient(r, (server.address() as { port: number }).port, options);
  conn.write('hello node\n');
  assert.is(await readUntil(conn, (t) => t.includes('\n'), WAIT_MS), 'HELLO NODE\n');
  check(engine, serverSide!);
  conn.end();
}

// ---------------------------------------------------------------- our server against a client peer

/** Our TLS server on a free port: answers the first line in upper case, then ends with close_notify. */
async function ourServer(r: CaseResources, options: TlsEngineOptions): Promise<{ port: number; served: Promise<TlsEngine> }> {
  let settle!: (e: TlsEngine | Error) => void;
  const served = new Promise<TlsEngine>((resolve, reject) => (settle = (v) => (v instanceof Error ? reject(v) : resolve(v))));
  served.catch(() => undefined);
  const server = r.server(netCreateServer((socket: Socket) => {
    void (async () => {
      const conn = r.socket(await tlsSocketHandshake(socket, { server: true, cert: pki.server.cert, key: pki.server.key, clock, handshakeTimeoutMs: WAIT_MS, ...options }));
      conn.on('error', () => undefined);
      const got = await readUntil(conn, (t) => t.includes('\n'), WAIT_MS);
      conn.end(got.toUpperCase());
      settle(conn.engine);
    })().catch((e: Error) => settle(e));
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, served };
}

async function vsSClient(r: CaseResources, cArgs: string[], options: TlsEngineOptions, check: (e: TlsEngine) => void): Promise<void> {
  const { port, served } = await ourServer(r, options);
  const peer = r.peer(startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-quiet', '-CAfile',
    pki.ca.certFile, '-verify_return_error', ...cArgs], CASE_MS));
  peer.child.stdin!.end('hello quichs\n');
  const engine = await served;
  assert.ok(await waitForOutput(peer, (o) => o.includes('HELLO QUICHS'), WAIT_MS), `s_client printed ${peer.stdout()} ${peer.stderr()}`);
  check(engine);
}

async function vsNodeClient(r: CaseResources, clientOptions: tls.ConnectionOptions, options: TlsEngineOptions, check: (e: TlsEngine, c: tls.TLSSocket) => void): Promise<void> {
  const { port, served } = await ourServer(r, options);
  const client = r.socket(tls.connect({ host: '127.0.0.1', port, ca: pki.ca.cert, servername: 'localhost', minVersion: 'TLSv1.3', ...clientOptions }));
  await once(client, 'secureConnect', { signal: AbortSignal.timeout(WAIT_MS) });
  client.write('hello node\n');
  assert.is(await readUntil(client, (t) => t.includes('\n'), WAIT_MS), 'HELLO NODE\n');
  check(await served, client);
}

/** Subject of the first certificate the peer sent (peers may append their CA). */
function leafSubject(e: TlsEngine): string {
  assert.ok(e.peerCertificates.length >= 1);
  return parseX509Certificate(e.peerCertificates[0]).subject.text;
}

// ---------------------------------------------------------------- the matrix

const s = suite('tls-hs vs real peers over TCP');
const ROLE: Record<Column, string> = {
  'openssl s_server': 'our client vs openssl s_server',
  'openssl s_client': 'our server vs openssl s_client',
  'node:tls server': 'our client vs node:tls server',
  'node:tls client': 'our server vs node:tls client',
};
/** One matrix cell: a named test in the suite, recorded under (feature, peer). */
function cell(peer: Column, what: string, fn: (r: CaseResources) => Promise<void>): void {
  s(`${ROLE[peer]}: ${what}`, record(peer, what, fn));
}

const sni = (name: string) => (name === 'alt.example' ? { cert: pki.alt.cert, key: pki.alt.key } : undefined);

for (const [name, code] of SUITES) {
  const what = `${name} (x25519)`;
  cell('openssl s_server', what, (r) => vsSServer(r, ['-ciphersuites', name, '-groups', 'X25519'], {}, (e) => {
    assert.is(e.cipherSuite!.code, code);
    assert.is(e.group, 'x25519');
  }));
  cell('openssl s_client', what, (r) => vsSClient(r, ['-ciphersuites', name, '-groups', 'X25519', '-servername', 'localhost'], {}, (e) => {
    assert.is(e.cipherSuite!.code, code);
    assert.is(e.group, 'x25519');
  }));
  cell('node:tls server', what, (r) => vsNodeServer(r, { ciphers: name, ecdhCurve: 'X25519' }, {}, (e) => {
    assert.is(e.cipherSuite!.code, code);
    assert.is(e.group, 'x25519');
  }));
  cell('node:tls client', what, (r) => vsNodeClient(r, { ciphers: name, ecdhCurve: 'X25519' }, {}, (e, c) => {
    assert.is(e.cipherSuite!.code, code);
    assert.is(e.group, 'x25519');
    assert.is(c.getCipher().standardName, name);
  }));
}

const p256 = (e: TlsEngine) => {
  assert.is(e.group, 'secp256r1');
  assert.not.ok(e.helloRetried);
};
cell('openssl s_server', 'P-256 (no HRR)', (r) => vsSServer(r, ['-groups', 'P-256'], { keyShares: ['secp256r1'] }, p256));
cell('openssl s_client', 'P-256 (no HRR)', (r) => vsSClient(r, ['-groups', 'P-256', '-servername', 'localhost'], {}, p256));
cell('node:tls server', 'P-256 (no HRR)', (r) => vsNodeServer(r, { ecdhCurve: 'P-256' }, { keyShares: ['secp256r1'] }, p256));
cell('node:tls client', 'P-256 (no HRR)', (r) => vsNodeClient(r, { ecdhCurve: 'P-256' }, {}, p256));

// HelloRetryRequest: the server side prefers a group the client did not share a key for.
const hrr = (e: TlsEngine) => {
  assert.is(e.group, 'secp256r1');
  assert.ok(e.helloRetried);
};
cell('openssl s_server', 'HRR -> P-256', (r) => vsSServer(r, ['-groups', 'P-256'], {}, hrr)); // we share X25519MLKEM768 + x25519
cell('openssl s_client', 'HRR -> P-256', (r) => vsSClient(r, ['-groups', 'X25519:P-256', '-servername', 'localhost'], { groups: ['secp256r1'] }, hrr));
cell('node:tls server', 'HRR -> P-256', (r) => vsNodeServer(r, { ecdhCurve: 'P-256' }, {}, hrr));
cell('node:tls client', 'HRR -> P-256', (r) => vsNodeClient(r, { ecdhCurve: 'X25519:P-256' }, { groups: ['secp256r1'] }, hrr));

cell('openssl s_server', 'client certificate', (r) =>
  vsSServer(r, ['-Verify', '1', '-CAfile', pki.ca.certFile, '-verify_return_error'], { cert: pki.client.cert, key: pki.client.key }, (e) =>
    assert.is(e.clientSignatureScheme, 0x0403 /* ecdsa_secp256r1_sha256: we signed a CertificateVerify */)));
cell('openssl s_client', 'client certificate', (r) =>
  vsSClient(r, ['-cert', pki.client.certFile, '-key', pki.client.keyFile, '-servername', 'localhost'],
    { requestCert: true, ca: pki.ca.cert }, (e) => assert.is(leafSubject(e), 'CN=quichs client')));
cell('node:tls server', 'client certificate', (r) =>
  vsNodeServer(r, { requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert }, { cert: pki.client.cert, key: pki.client.key }, (_e, srv) =>
    assert.is(srv.getPeerCertificate().subject.CN, 'quichs client')));
cell('node:tls client', 'client certificate', (r) =>
  vsNodeClient(r, { cert: pki.client.cert, key: pki.client.key }, { requestCert: true, ca: pki.ca.cert }, (e) =>
    assert.is(leafSubject(e), 'CN=quichs client')));

cell('openssl s_server', 'SNI', (r) =>
  vsSServer(r, ['-servername', 'alt.example', '-cert2', pki.alt.certFile, '-key2', pki.alt.keyFile], { servername: 'alt.example' }, (e) => {
    assert.is(e.serverName, 'alt.example');
    assert.is(leafSubject(e), 'CN=alt.example');
  }));
cell('openssl s_client', 'SNI', (r) =>
  vsSClient(r, ['-servername', 'alt.example', '-verify_hostname', 'alt.example'], { SNICallback: sni }, (e) =>
    assert.is(e.serverName, 'alt.example')));
cell('node:tls server', 'SNI', (r) =>
  vsNodeServer(r, { SNICallback: (name, cb) => cb(null, tls.createSecureContext(name === 'alt.example' ? { key: pki.alt.key, cert: pki.alt.cert } : { key: pki.server.key, cert: pki.server.cert })) },
    { servername: 'alt.example' }, (e, srv) => {
      assert.is(e.serverName, 'alt.example');
      assert.is(leafSubject(e), 'CN=alt.example');
      assert.is((srv as unknown as { servername: string }).servername, 'alt.example');
    }));
cell('node:tls client', 'SNI', (r) =>
  vsNodeClient(r, { servername: 'alt.example' }, { SNICallback: sni }, (e, c) => {
    assert.is(e.serverName, 'alt.example');
    assert.is(c.getPeerCertificate().subject.CN, 'alt.example');
  }));

cell('openssl s_server', 'ALPN', (r) => vsSServer(r, ['-alpn', 'h2,http/1.1'], { ALPNProtocols: ['http/1.1'] }, (e) => assert.is(e.alpnProtocol, 'http/1.1')));
cell('openssl s_client', 'ALPN', (r) => vsSClient(r, ['-alpn', 'h2', '-servername', 'localhost'], { ALPNProtocols: ['h2', 'http/1.1'] }, (e) => assert.is(e.alpnProtocol, 'h2')));
cell('node:tls server', 'ALPN', (r) =>
  vsNodeServer(r, { ALPNProtocols: ['h2', 'http/1.1'] }, { ALPNProtocols: ['http/1.1'] }, (e, srv) => {
    assert.is(e.alpnProtocol, 'http/1.1');
    assert.is(srv.alpnProtocol, 'http/1.1');
  }));
cell('node:tls client', 'ALPN', (r) =>
  vsNodeClient(r, { ALPNProtocols: ['h2'] }, { ALPNProtocols: ['h2', 'http/1.1'] }, (e, c) => {
    assert.is(e.alpnProtocol, 'h2');
    assert.is(c.alpnProtocol, 'h2');
  }));

s('matrix', () => {
  const width = Math.max(...[...matrix.keys()].map((k) => k.length));
  const lines = [`${''.padEnd(width)}  ${COLUMNS.map((c) => c.padEnd(16)).join(' ')}`,
    `${''.padEnd(width)}  ${['our client', 'our server', 'our client', 'our server'].map((c) => c.padEnd(16)).join(' ')}`];
  for (const [what, row] of matrix) lines.push(`${what.padEnd(width)}  ${COLUMNS.map((c) => (row.get(c) ?? '-').padEnd(16)).join(' ')}`);
  const cells = [...matrix.values()].reduce((n, row) => n + row.size, 0);
  console.log(`\n  tls-hs vs real peers (${cells} cases):\n${lines.map((l) => `    ${l}`).join('\n')}\n${failures.map((f) => `    FAIL ${f}`).join('\n')}`);
  assert.is(cells, matrix.size * COLUMNS.length, 'every feature ran against every peer');
  assert.is(failures.length, 0, failures.join('\n'));
});

s.run();
