/**
 * Issue 3: our engine against real TLS 1.3 peers over loopback TCP — openssl s_server / s_client (OpenSSL 3.0) and
 * node:tls, both roles: each suite, x25519 and P-256, HelloRetryRequest (peer prefers another group), client
 * certificates, SNI and ALPN. Every case exchanges application data and checks what was negotiated; the matrix of
 * results is printed at the end. The engine runs inside @quichs/tls-socket's TlsSocket (engine + record layer).
 */
import { once } from 'node:events';
import { connect as netConnect, createServer as netCreateServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseX509Certificate, type TlsEngine, type TlsEngineOptions } from '@quichs/tls-hs';
import { tlsSocketHandshake, type TlsSocket } from '@quichs/tls-socket';
import { freeTcpPort, startPeer, waitForOutput } from './support/peerProcess.js';
import { makeTestPki } from './support/testCerts.js';

const pki = makeTestPki();
const clock = () => Date.now();
const results: string[] = [];
const SUITES = [
  ['TLS_AES_128_GCM_SHA256', 0x1301],
  ['TLS_AES_256_GCM_SHA384', 0x1302],
  ['TLS_CHACHA20_POLY1305_SHA256', 0x1303],
] as const;

function record(peer: string, role: string, what: string, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
      results.push(`pass  ${peer.padEnd(16)} ${role.padEnd(12)} ${what}`);
    } catch (e) {
      results.push(`FAIL  ${peer.padEnd(16)} ${role.padEnd(12)} ${what}: ${(e as Error).message}`);
      throw e;
    }
  };
}

// ---------------------------------------------------------------- our client against a server peer

async function ourClient(port: number, options: TlsEngineOptions): Promise<{ engine: TlsEngine; conn: TlsSocket }> {
  const socket = netConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  const conn = await tlsSocketHandshake(socket, { ca: pki.ca.cert, servername: 'localhost', clock, ...options });
  conn.on('error', () => undefined);
  return { engine: conn.engine, conn };
}

/** Reads from `conn` until `done(text so far)` holds (or 5 s pass). */
async function readUntil(conn: TlsSocket, done: (text: string) => boolean): Promise<string> {
  let text = '';
  const deadline = setTimeout(() => conn.destroy(), 5000);
  for await (const chunk of conn) {
    text += (chunk as Buffer).toString();
    if (done(text)) break;
  }
  clearTimeout(deadline);
  return text;
}

async function vsSServer(sArgs: string[], options: TlsEngineOptions, check: (e: TlsEngine) => void): Promise<void> {
  const port = await freeTcpPort();
  const peer = startPeer('openssl', ['s_server', '-accept', String(port), '-tls1_3', '-rev', '-naccept', '1',
    '-cert', pki.server.certFile, '-key', pki.server.keyFile, ...sArgs]);
  try {
    assert.ok(await waitForOutput(peer, (o) => o.includes('ACCEPT')), `s_server did not start: ${peer.stderr()}`);
    const { engine, conn } = await ourClient(port, options);
    conn.write('hello quichs\n');
    const echoed = await readUntil(conn, (t) => t.includes('olleh'));
    assert.ok(echoed.includes('shciuq olleh'), `s_server -rev answered ${JSON.stringify(echoed)}`);
    check(engine);
    conn.end();
  } finally {
    peer.stop();
  }
}

async function vsNodeServer(serverOptions: tls.TlsOptions, options: TlsEngineOptions, check: (e: TlsEngine, s: tls.TLSSocket) => void): Promise<void> {
  let serverSide: tls.TLSSocket | undefined;
  const server = tls.createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3', ...serverOptions }, (s) => {
    serverSide = s;
    s.on('data', (d: Buffer) => s.write(Buffer.from(d.toString().toUpperCase())));
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { engine, conn } = await ourClient((server.address() as { port: number }).port, options);
    conn.write('hello node\n');
    assert.is(await readUntil(conn, (t) => t.includes('\n')), 'HELLO NODE\n');
    check(engine, serverSide!);
    conn.end();
  } finally {
    server.close();
  }
}

// ---------------------------------------------------------------- our server against a client peer

async function ourServer(options: TlsEngineOptions, onConnected: (e: TlsEngine) => void): Promise<{ server: Server; port: number; done: Promise<void> }> {
  let finish!: (e?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve())));
  const server = netCreateServer(async (socket: Socket) => {
    try {
      const conn = await tlsSocketHandshake(socket, { server: true, cert: pki.server.cert, key: pki.server.key, clock, ...options });
      conn.on('error', () => undefined);
      onConnected(conn.engine);
      const got = await readUntil(conn, (t) => t.includes('\n'));
      conn.end(got.toUpperCase());
      finish();
    } catch (e) {
      finish(e as Error);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port, done };
}

async function vsSClient(cArgs: string[], options: TlsEngineOptions, check: (e: TlsEngine) => void): Promise<void> {
  let engine: TlsEngine | undefined;
  const { server, port, done } = await ourServer(options, (e) => (engine = e));
  const peer = startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-quiet', '-CAfile',
    pki.ca.certFile, '-verify_return_error', ...cArgs]);
  try {
    peer.child.stdin!.end('hello quichs\n');
    await done;
    assert.ok(await waitForOutput(peer, (o) => o.includes('HELLO QUICHS')), `s_client printed ${peer.stdout()} ${peer.stderr()}`);
    check(engine!);
  } finally {
    peer.stop();
    server.close();
  }
}

async function vsNodeClient(clientOptions: tls.ConnectionOptions, options: TlsEngineOptions, check: (e: TlsEngine, c: tls.TLSSocket) => void): Promise<void> {
  let engine: TlsEngine | undefined;
  const { server, port, done } = await ourServer(options, (e) => (engine = e));
  const client = tls.connect({ host: '127.0.0.1', port, ca: pki.ca.cert, servername: 'localhost', minVersion: 'TLSv1.3', ...clientOptions });
  try {
    await once(client, 'secureConnect');
    client.write('hello node\n');
    const [reply] = (await once(client, 'data')) as [Buffer];
    assert.is(reply.toString(), 'HELLO NODE\n');
    await done;
    check(engine!, client);
  } finally {
    client.destroy();
    server.close();
  }
}

/** Subject of the first certificate the peer sent (peers may append their CA). */
function leafSubject(e: TlsEngine): string {
  assert.ok(e.peerCertificates.length >= 1);
  return parseX509Certificate(e.peerCertificates[0]).subject.text;
}

// ---------------------------------------------------------------- the matrix

const s = suite('tls-hs vs real peers over TCP');

for (const [name, code] of SUITES) {
  s(`our client vs openssl s_server: ${name}`, record('openssl s_server', 'our client', name, () =>
    vsSServer(['-ciphersuites', name, '-groups', 'X25519'], {}, (e) => {
      assert.is(e.cipherSuite!.code, code);
      assert.is(e.group, 'x25519');
    })));
  s(`our server vs openssl s_client: ${name}`, record('openssl s_client', 'our server', name, () =>
    vsSClient(['-ciphersuites', name, '-servername', 'localhost'], {}, (e) => assert.is(e.cipherSuite!.code, code))));
  s(`our client vs node:tls server: ${name}`, record('node:tls server', 'our client', name, () =>
    vsNodeServer({ ciphers: name }, {}, (e) => assert.is(e.cipherSuite!.code, code))));
  s(`our server vs node:tls client: ${name}`, record('node:tls client', 'our server', name, () =>
    vsNodeClient({ ciphers: name }, {}, (e, c) => {
      assert.is(e.cipherSuite!.code, code);
      assert.is(c.getCipher().standardName, name);
    })));
}

s('our client vs openssl s_server: P-256 share (no HRR)', record('openssl s_server', 'our client', 'P-256', () =>
  vsSServer(['-groups', 'P-256'], { keyShares: ['secp256r1'] }, (e) => {
    assert.is(e.group, 'secp256r1');
    assert.not.ok(e.helloRetried);
  })));
s('our client vs openssl s_server: HRR (server only takes P-256, we share X25519MLKEM768 + x25519)', record('openssl s_server', 'our client', 'HRR -> P-256', () =>
  vsSServer(['-groups', 'P-256'], {}, (e) => {
    assert.is(e.group, 'secp256r1');
    assert.ok(e.helloRetried);
  })));
s('our server vs openssl s_client: P-256', record('openssl s_client', 'our server', 'P-256', () =>
  vsSClient(['-groups', 'P-256', '-servername', 'localhost'], {}, (e) => assert.is(e.group, 'secp256r1'))));
s('our server vs openssl s_client: HRR (client shares x25519, we only take P-256)', record('openssl s_client', 'our server', 'HRR -> P-256', () =>
  vsSClient(['-groups', 'X25519:P-256', '-servername', 'localhost'], { groups: ['secp256r1'] }, (e) => {
    assert.is(e.group, 'secp256r1');
    assert.ok(e.helloRetried);
  })));
s('our client vs node:tls server: HRR to P-256', record('node:tls server', 'our client', 'HRR -> P-256', () =>
  vsNodeServer({ ecdhCurve: 'P-256' }, {}, (e) => {
    assert.is(e.group, 'secp256r1');
    assert.ok(e.helloRetried);
  })));
s('our server vs node:tls client: HRR to P-256', record('node:tls client', 'our server', 'HRR -> P-256', () =>
  vsNodeClient({ ecdhCurve: 'X25519:P-256' }, { groups: ['secp256r1'] }, (e) => {
    assert.is(e.group, 'secp256r1');
    assert.ok(e.helloRetried);
  })));

s('our client vs openssl s_server: client certificate required', record('openssl s_server', 'our client', 'client certificate', () =>
  vsSServer(['-Verify', '1', '-CAfile', pki.ca.certFile, '-verify_return_error'], { cert: pki.client.cert, key: pki.client.key }, (e) =>
    assert.is(e.clientSignatureScheme, 0x0403 /* ecdsa_secp256r1_sha256: we signed a CertificateVerify */))));
s('our server vs openssl s_client: client certificate', record('openssl s_client', 'our server', 'client certificate', () =>
  vsSClient(['-cert', pki.client.certFile, '-key', pki.client.keyFile, '-servername', 'localhost'],
    { requestCert: true, ca: pki.ca.cert }, (e) => assert.is(leafSubject(e), 'CN=quichs client'))));
s('our client vs node:tls server: client certificate', record('node:tls server', 'our client', 'client certificate', () =>
  vsNodeServer({ requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert }, { cert: pki.client.cert, key: pki.client.key }, (_e, srv) =>
    assert.is(srv.getPeerCertificate().subject.CN, 'quichs client'))));
s('our server vs node:tls client: client certificate', record('node:tls client', 'our server', 'client certificate', () =>
  vsNodeClient({ cert: pki.client.cert, key: pki.client.key }, { requestCert: true, ca: pki.ca.cert }, (e) =>
    assert.is(leafSubject(e), 'CN=quichs client'))));

s('our client vs openssl s_server: SNI selects the alt.example certificate', record('openssl s_server', 'our client', 'SNI', () =>
  vsSServer(['-servername', 'alt.example', '-cert2', pki.alt.certFile, '-key2', pki.alt.keyFile], { servername: 'alt.example' }, (e) =>
    assert.is(e.serverName, 'alt.example'))));
s('our server vs openssl s_client: SNICallback selects the alt.example certificate', record('openssl s_client', 'our server', 'SNI', () =>
  vsSClient(['-servername', 'alt.example', '-verify_hostname', 'alt.example'],
    { SNICallback: (name) => (name === 'alt.example' ? { cert: pki.alt.cert, key: pki.alt.key } : undefined) }, (e) =>
    assert.is(e.serverName, 'alt.example'))));
s('our client vs node:tls server: SNI', record('node:tls server', 'our client', 'SNI', () =>
  vsNodeServer({ SNICallback: (name, cb) => cb(null, tls.createSecureContext(name === 'alt.example' ? { key: pki.alt.key, cert: pki.alt.cert } : { key: pki.server.key, cert: pki.server.cert })) },
    { servername: 'alt.example' }, (e, srv) => {
      assert.is(e.serverName, 'alt.example');
      assert.is((srv as unknown as { servername: string }).servername, 'alt.example');
    })));
s('our server vs node:tls client: SNI', record('node:tls client', 'our server', 'SNI', () =>
  vsNodeClient({ servername: 'alt.example' },
    { SNICallback: (name) => (name === 'alt.example' ? { cert: pki.alt.cert, key: pki.alt.key } : undefined) }, (e, c) => {
      assert.is(e.serverName, 'alt.example');
      assert.is(c.getPeerCertificate().subject.CN, 'alt.example');
    })));

s('our client vs openssl s_server: ALPN', record('openssl s_server', 'our client', 'ALPN', () =>
  vsSServer(['-alpn', 'h2,http/1.1'], { ALPNProtocols: ['http/1.1'] }, (e) => assert.is(e.alpnProtocol, 'http/1.1'))));
s('our server vs openssl s_client: ALPN', record('openssl s_client', 'our server', 'ALPN', () =>
  vsSClient(['-alpn', 'h2', '-servername', 'localhost'], { ALPNProtocols: ['h2', 'http/1.1'] }, (e) => assert.is(e.alpnProtocol, 'h2'))));
s('our client vs node:tls server: ALPN', record('node:tls server', 'our client', 'ALPN', () =>
  vsNodeServer({ ALPNProtocols: ['h2', 'http/1.1'] }, { ALPNProtocols: ['http/1.1'] }, (e, srv) => {
    assert.is(e.alpnProtocol, 'http/1.1');
    assert.is(srv.alpnProtocol, 'http/1.1');
  })));
s('our server vs node:tls client: ALPN', record('node:tls client', 'our server', 'ALPN', () =>
  vsNodeClient({ ALPNProtocols: ['h2'] }, { ALPNProtocols: ['h2', 'http/1.1'] }, (e, c) => {
    assert.is(e.alpnProtocol, 'h2');
    assert.is(c.alpnProtocol, 'h2');
  })));

s('matrix', () => {
  console.log(`\n  tls-hs vs real peers (${results.length} cases):\n${results.map((r) => `    ${r}`).join('\n')}`);
  assert.ok(results.every((r) => r.startsWith('pass')));
});

s.run();
