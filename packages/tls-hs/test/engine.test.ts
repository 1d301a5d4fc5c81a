/** Engine vs engine in memory: suites × groups, signature schemes, HRR, SNI, ALPN, mTLS, splits, QUIC, alerts. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsEngine, createTlsEngine } from '../src/engine/tlsEngine.js';
import { TlsState, TlsOpt, CertRequest } from '../src/engine/tlsState.js';
import type { TlsEngineOptions } from '../src/engine/options.js';
import type { KeyExchangeGroup, KeyType } from '../src/crypto/provider.js';
import { CIPHER_SUITES } from '../src/keyschedule/cipherSuite.js';
import { RecordCipher } from '../src/record/recordCipher.js';
import { enginePair, fakeCert, fakeVerifier, keyOf, provider, rejectsAlert, runHandshake, sameBytes } from './engine-helpers.js';

const s = suite('engine');

const GROUPS: KeyExchangeGroup[] = ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'];

const pair = enginePair;

function assertSameSecrets(client: TlsEngine, server: TlsEngine): void {
  for (const name of ['handshake', 'master', 'resumption', 'clientHandshake', 'serverHandshake', 'clientApplication', 'serverApplication', 'exporter'] as const) {
    assert.ok(sameBytes(client.secret(name), server.secret(name)), `secret ${name} differs`);
  }
}

s('every suite × every group completes with matching secrets and working record keys', async () => {
  for (const cs of CIPHER_SUITES) {
    for (const g of GROUPS) {
      const { client, server } = pair({ ciphers: [cs.name], groups: [g], keyShares: [g] }, { ciphers: [cs.code] });
      await runHandshake(client, server);
      assert.is(client.state, TlsState.CONNECTED);
      assert.is(server.state, TlsState.CONNECTED);
      assert.is(client.cipherSuite, cs);
      assert.is(server.cipherSuite, cs);
      assert.is(client.group, g);
      assert.is(server.group, g);
      assert.not.ok(client.helloRetried);
      assertSameSecrets(client, server);
      assert.is(client.secret('master')!.length, cs.hashLength);
      // the traffic secrets really produce interoperable record keys
      const w = new RecordCipher(provider, cs, client.secret('clientApplication')!);
      const r = new RecordCipher(provider, cs, server.secret('clientApplication')!);
      const rec = w.seal(23, Uint8Array.of(1, 2, 3));
      assert.equal([...r.open(rec.subarray(0, 5), rec.subarray(5)).content], [1, 2, 3]);
      assert.ok(sameBytes(client.exportKeyingMaterial(32, 'EXPORTER-test', Uint8Array.of(1)), server.exportKeyingMaterial(32, 'EXPORTER-test', Uint8Array.of(1))));
    }
  }
});

s('default client offers hybrid + x25519 shares and gets X25519MLKEM768', async () => {
  const { client, server } = pair();
  await runHandshake(client, server);
  assert.is(client.group, 'X25519MLKEM768');
  assert.is(client.cipherSuite!.name, 'TLS_AES_128_GCM_SHA256');
});

s('signature schemes: ECDSA P-256/P-384, Ed25519, RSA-PSS (rsae and pss keys)', async () => {
  const cases: [KeyType, string][] = [
    ['ec-p256', 'ecdsa_secp256r1_sha256'],
    ['ec-p384', 'ecdsa_secp384r1_sha384'],
    ['ed25519', 'ed25519'],
    ['rsa', 'rsa_pss_rsae_sha256'],
    ['rsa-pss', 'rsa_pss_pss_sha256'],
  ];
  const codes: Record<string, number> = {
    ecdsa_secp256r1_sha256: 0x0403,
    ecdsa_secp384r1_sha384: 0x0503,
    ed25519: 0x0807,
    rsa_pss_rsae_sha256: 0x0804,
    rsa_pss_pss_sha256: 0x0809,
  };
  for (const [type, scheme] of cases) {
    const { client, server } = pair({}, {}, type);
    await runHandshake(client, server);
    assert.is(client.signatureScheme, codes[scheme], type);
    assert.is(server.signatureScheme, codes[scheme], type);
  }
  // the client's preference list restricts the choice
  const { client, server } = pair({ sigalgs: ['rsa_pss_rsae_sha384'] }, {}, 'rsa');
  await runHandshake(client, server);
  assert.is(client.signatureScheme, 0x0805);
  // no usable scheme for the server key → handshake_failure
  const p = pair({ sigalgs: ['ed25519'] }, {}, 'ec-p256');
  await rejectsAlert(runHandshake(p.client, p.server), 'handshake_failure');
});

s('HelloRetryRequest when the server prefers a group the client did not share', async () => {
  const trace: [string, number][] = [];
  const { client, server } = pair({}, { groups: ['secp384r1', 'x25519'] });
  // client shares X25519MLKEM768 + x25519 → server picks x25519 (share present): no HRR
  await runHandshake(client, server);
  assert.not.ok(client.helloRetried);
  const p = pair({}, { groups: ['secp384r1'] });
  await runHandshake(p.client, p.server, { trace });
  assert.ok(p.client.helloRetried);
  assert.ok(p.server.helloRetried);
  assert.is(p.client.group, 'secp384r1');
  assertSameSecrets(p.client, p.server);
  // server answered CH1 with HRR in START, the client answered the HRR in START
  assert.equal(trace.slice(0, 3), [['client', TlsState.START], ['server', TlsState.START], ['client', TlsState.START]]);
  // with a cookie
  const q = pair({}, { groups: ['secp256r1'], hrrCookie: true });
  await runHandshake(q.client, q.server);
  assert.ok(q.client.helloRetried);
  assert.is(q.server.group, 'secp256r1');
  // no group in common → handshake_failure
  const r = pair({ groups: ['x25519'] }, { groups: ['secp384r1'] });
  await rejectsAlert(runHandshake(r.client, r.server), 'handshake_failure');
});

s('bytes delivered one at a time', async () => {
  const { client, server } = pair({ ALPNProtocols: ['h2'] }, { ALPNProtocols: ['h2'], requestCert: true, rejectUnauthorized: true }, 'ec-p384');
  const c2 = createTlsEngine('client', {
    provider,
    servername: 'example.com',
    cert: fakeCert('client'),
    key: keyOf('ed25519'),
    certificateVerifier: fakeVerifier({ server: keyOf('ec-p384').publicKey }),
    ALPNProtocols: ['h2'],
  });
  void client;
  await runHandshake(c2, server, { chunk: 1 });
  assert.is(c2.state, TlsState.CONNECTED);
  assert.is(server.peerCertificates.length, 1);
  assertSameSecrets(c2, server);
});

s('ALPN: server preference wins; no overlap → no_application_protocol', async () => {
  const { client, server } = pair({ ALPNProtocols: ['h2', 'http/1.1'] }, { ALPNProtocols: ['http/1.1', 'h2'] });
  await runHandshake(client, server);
  assert.is(client.alpnProtocol, 'http/1.1');
  assert.is(server.alpnProtocol, 'http/1.1');
  const p = pair({ ALPNProtocols: ['h2'] }, { ALPNProtocols: ['h3'] });
  await rejectsAlert(runHandshake(p.client, p.server), 'no_application_protocol');
  const q = pair({}, { ALPNProtocols: ['h3'] }); // TCP: a client without ALPN is fine
  await runHandshake(q.client, q.server);
  assert.is(q.server.alpnProtocol, undefined);
});

s('SNI: server name seen, SNICallback selects the chain (sync and async), strict SNI', async () => {
  const edKey = keyOf('ed25519');
  const registry = { other: edKey.publicKey, server: keyOf('ec-p256').publicKey };
  const names: string[] = [];
  const mk = (cb: TlsEngineOptions['SNICallback'], servername = 'Other.Example') => {
    const client = createTlsEngine('client', { provider, servername, certificateVerifier: fakeVerifier(registry) });
    const server = createTlsEngine('server', {
      provider,
      cert: fakeCert('server'),
      key: keyOf('ec-p256'),
      SNICallback: cb,
    });
    return { client, server };
  };
  const a = mk((name) => {
    names.push(name);
    return name === 'other.example' ? { cert: fakeCert('other'), key: edKey } : null;
  });
  await runHandshake(a.client, a.server);
  assert.equal(names, ['other.example']);
  assert.is(a.server.serverName, 'other.example');
  assert.is(a.client.signatureScheme, 0x0807); // the SNI chain's Ed25519 key signed
  const trace: [string, number][] = [];
  const b = mk(async (name) => {
    await new Promise((r) => setTimeout(r, 1));
    return name === 'other.example' ? { cert: fakeCert('other'), key: edKey } : null;
  });
  await runHandshake(b.client, b.server, { trace });
  assert.ok(trace.some(([who, st]) => who === 'server' && st === TlsState.PENDING));
  assert.is(b.client.signatureScheme, 0x0807);
  const c = mk(async () => {
    throw new Error('nope');
  });
  await rejectsAlert(runHandshake(c.client, c.server), 'unrecognized_name');
  const d = mk(() => {
    throw new Error('nope');
  });
  await rejectsAlert(runHandshake(d.client, d.server), 'unrecognized_name');
  // strict SNI with a fixed name list
  const e = pair({ servername: 'unknown.test' }, { strictSNI: true, serverNames: ['example.com'] });
  await rejectsAlert(runHandshake(e.client, e.server), 'unrecognized_name');
  const f = pair({ servername: 'example.com' }, { strictSNI: true, serverNames: ['example.com'] });
  await runHandshake(f.client, f.server);
  // IP literal → no SNI sent, but the hostname still goes to the verifier
  const g = pair({ servername: '192.0.2.1' });
  await runHandshake(g.client, g.server);
  assert.is(g.server.serverName, undefined);
  assert.is(g.seen[0].hostname, '192.0.2.1');
});

s('mutual TLS: required, optional without certificate, required without → certificate_required', async () => {
  const withCert = { cert: fakeCert('client'), key: keyOf('ed25519') };
  const a = pair(withCert, { certRequest: CertRequest.REQUIRED });
  await runHandshake(a.client, a.server);
  assert.is(a.server.peerCertificates.length, 1);
  assert.is(a.server.clientSignatureScheme, 0x0807);
  assert.is(a.client.clientSignatureScheme, 0x0807);
  assert.ok(a.seen.some((x) => x.purpose === 'clientAuth'));
  const b = pair({}, { certRequest: CertRequest.OPTIONAL });
  await runHandshake(b.client, b.server);
  assert.is(b.server.peerCertificates.length, 0);
  const c = pair({}, { requestCert: true });
  await rejectsAlert(runHandshake(c.client, c.server), 'certificate_required');
  // via set(): the seed's option API
  const d = pair();
  d.server.set(TlsOpt.CERT_REQUEST, CertRequest.REQUIRED);
  d.client.set(TlsOpt.CERTIFICATE_CHAIN, fakeCert('client'));
  d.client.set(TlsOpt.PRIVATE_KEY, keyOf('ed25519'));
  assert.is(d.server.get(TlsOpt.CERT_REQUEST), CertRequest.REQUIRED);
  await runHandshake(d.client, d.server);
  assert.is(d.server.peerCertificates.length, 1);
  // a client key that fits none of the server's schemes → empty Certificate
  const e = pair(withCert, { certRequest: CertRequest.OPTIONAL, sigalgs: ['ecdsa_secp256r1_sha256'] });
  await runHandshake(e.client, e.server);
  assert.is(e.server.peerCertificates.length, 0);
});

s('QUIC mode: transport parameters both ways, empty session id, ALPN mandatory, missing parameters', async () => {
  const ctp = Uint8Array.of(1, 2, 3);
  const stp = Uint8Array.of(4, 5);
  const a = pair({ quic: true, transportParameters: ctp, ALPNProtocols: ['h3'] }, { quic: true, transportParameters: stp, ALPNProtocols: ['h3'] });
  const first = a.client.handshake(null);
  assert.is(first.flights.length, 1);
  assert.is(first.flights[0].level, 'initial');
  assert.is(first.out[4 + 2 + 32], 0); // legacy_session_id length 0
  const sh = a.server.handshake(first.out);
  assert.is(sh.state, TlsState.RCVD);
  assert.equal(sh.flights.map((f) => f.level), ['initial']);
  assert.ok(a.server.secret('serverHandshake') !== undefined);
  const flight = a.server.handshake(null);
  assert.is(flight.state, TlsState.WAIT);
  assert.equal(flight.flights.map((f) => f.level), ['handshake']);
  assert.ok(a.server.secret('serverApplication') !== undefined);
  assert.is(a.client.handshake(sh.out).state, TlsState.RCVD);
  const fin = a.client.handshake(flight.out);
  assert.is(fin.state, TlsState.CONNECTED);
  assert.equal(fin.flights.map((f) => f.level), ['handshake']);
  assert.is(a.server.handshake(fin.out).state, TlsState.CONNECTED);
  assert.ok(sameBytes(a.server.peerTransportParameters, ctp));
  assert.ok(sameBytes(a.client.peerTransportParameters, stp));
  assert.ok(a.client.quic);
  // a server without QUIC parameters from the client → missing_extension
  const b = pair({ ALPNProtocols: ['h3'] }, { quic: true, transportParameters: stp, ALPNProtocols: ['h3'] });
  await rejectsAlert(runHandshake(b.client, b.server), 'missing_extension');
  // QUIC server and a client without ALPN → no_application_protocol
  const c = pair({ quic: true, transportParameters: ctp }, { quic: true, transportParameters: stp, ALPNProtocols: ['h3'] });
  await rejectsAlert(runHandshake(c.client, c.server), 'no_application_protocol');
  // QUIC rejects TLS KeyUpdate
  await rejectsAlert(() => a.client.post('keyUpdate'), 'internal_error');
});

s('negative: bad Finished → decrypt_error, tampered CertificateVerify → decrypt_error', async () => {
  const a = pair();
  await rejectsAlert(
    runHandshake(a.client, a.server, {
      tamper: (from, level, d) => {
        if (from !== 'server' || level !== 'handshake') return d;
        const t = d.slice();
        t[t.length - 1] ^= 0x80;
        return t;
      },
    }),
    'decrypt_error',
  );
  assert.is(a.client.error!.alert, 'decrypt_error');
  // the engine stays failed
  await rejectsAlert(() => a.client.handshake(new Uint8Array(1)), 'decrypt_error');
  const b = pair();
  await rejectsAlert(
    runHandshake(b.client, b.server, {
      tamper: (from, level, d) => {
        if (from !== 'client' || level !== 'handshake') return d;
        const t = d.slice();
        t[t.length - 1] ^= 1;
        return t;
      },
    }),
    'decrypt_error',
  );
  // the server's CertificateVerify signature, flipped: find it by type 15 in the server flight
  const c = pair({}, {}, 'ed25519');
  await rejectsAlert(
    runHandshake(c.client, c.server, {
      tamper: (from, level, d) => {
        if (from !== 'server' || level !== 'handshake') return d;
        const t = d.slice();
        let p = 0;
        while (p < t.length && t[p] !== 15) p += 4 + ((t[p + 1] << 16) | (t[p + 2] << 8) | t[p + 3]);
        t[p + 10] ^= 1;
        return t;
      },
    }),
    'decrypt_error',
  );
});

s('negative: unexpected message order and unknown certificates', async () => {
  // client gets a Finished instead of a ServerHello
  const a = pair();
  a.client.handshake(null);
  await rejectsAlert(() => a.client.handshake(Uint8Array.of(20, 0, 0, 32, ...new Uint8Array(32))), 'unexpected_message');
  // server gets a Finished instead of a ClientHello
  const b = pair();
  await rejectsAlert(() => b.server.handshake(Uint8Array.of(20, 0, 0, 0)), 'unexpected_message');
  // client data before the ClientHello
  const c = pair();
  await rejectsAlert(() => c.client.handshake(Uint8Array.of(2, 0, 0, 0)), 'unexpected_message');
  // server flight delivered together with the ServerHello (crosses a key change)
  const d = pair();
  const ch = d.client.handshake(null);
  const sh = d.server.handshake(ch.out);
  const fl = d.server.handshake(null);
  const both = new Uint8Array(sh.out.length + fl.out.length);
  both.set(sh.out);
  both.set(fl.out, sh.out.length);
  await rejectsAlert(() => d.client.handshake(both), 'unexpected_message');
  // bytes tagged with the wrong level
  const h = pair();
  const hello = h.client.handshake(null);
  await rejectsAlert(() => h.server.handshake(hello.out, 'handshake'), 'unexpected_message');
  const h2 = pair();
  assert.is(h2.server.handshake(h2.client.handshake(null).out, 'initial').state, TlsState.RCVD);
  assert.is(h2.server.readLevel, 'handshake');
  // the verifier rejects the chain → its alert
  const e = pair({ certificateVerifier: fakeVerifier({}) });
  await rejectsAlert(runHandshake(e.client, e.server), 'unknown_ca');
  // server without any certificate → internal_error
  const f = createTlsEngine('server', { provider });
  const g = createTlsEngine('client', { provider });
  await rejectsAlert(runHandshake(g, f), 'internal_error');
});

s('keylog lines, set/get, KeyUpdate over TCP', async () => {
  const lines: string[] = [];
  const { client, server } = pair({ keylog: (l) => lines.push(l) });
  assert.equal(client.get(TlsOpt.EXTENSIONS), []);
  client.set(TlsOpt.EXTENSIONS, [{ type: 0xff77, data: Uint8Array.of(7) }]);
  assert.is(client.get(TlsOpt.EXTENSIONS).length, 1);
  client.set(TlsOpt.EARLY_DATA, true);
  assert.is(client.get(TlsOpt.EARLY_DATA), true);
  client.set(TlsOpt.PSKS, []);
  client.set(TlsOpt.CA, undefined);
  await runHandshake(client, server);
  assert.equal(lines.map((l) => l.split(' ')[0]), [
    'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
    'SERVER_HANDSHAKE_TRAFFIC_SECRET',
    'CLIENT_TRAFFIC_SECRET_0',
    'SERVER_TRAFFIC_SECRET_0',
    'EXPORTER_SECRET',
  ]);
  assert.ok(server.peerExtensions.some((e) => e.type === 0xff77));
  assert.throws(() => client.set(TlsOpt.EARLY_DATA, false), /cannot change/);
  // KeyUpdate with update_requested: both directions move forward
  const before = client.secret('clientApplication')!;
  const ku = client.post('keyUpdate', { requestPeer: true });
  assert.equal(ku.map((f) => f.level), ['application']);
  assert.not.ok(sameBytes(before, client.secret('clientApplication')));
  const answer = server.handshake(ku[0].data);
  assert.ok(sameBytes(client.secret('clientApplication'), server.secret('clientApplication')));
  assert.is(answer.flights.length, 1);
  client.handshake(answer.out);
  assert.ok(sameBytes(client.secret('serverApplication'), server.secret('serverApplication')));
  assert.is(client.handshake(new Uint8Array(0)).state, TlsState.CONNECTED);
  // hkdf helpers bound to the suite
  assert.is(client.hkdfExpandLabel(client.secret('master')!, 'x', new Uint8Array(0), 12).length, 12);
  assert.is(client.hkdfExtract(new Uint8Array(0), Uint8Array.of(1)).length, 32);
});

s('bad options are programming errors', () => {
  assert.throws(() => new TlsEngine('client', { ciphers: ['TLS_FOO'] }), RangeError);
  assert.throws(() => new TlsEngine('client', { groups: ['x448'] }), RangeError);
  assert.throws(() => new TlsEngine('client', { sigalgs: ['rsa_pkcs1_sha1'] }), RangeError);
  assert.throws(() => new TlsEngine('client', { groups: ['x25519'], keyShares: ['secp256r1'] }), RangeError);
  assert.throws(() => new TlsEngine('client', { ALPNProtocols: [''] }), RangeError);
  assert.throws(() => new TlsEngine('peer' as 'client'), TypeError);
  const e = new TlsEngine('client', { ciphers: 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256', groups: 'P-256:X25519' });
  assert.is(e.state, TlsState.START);
  assert.throws(() => e.hkdfExtract(new Uint8Array(0), new Uint8Array(0)), /not negotiated/);
});

s('public exports of @quichs/tls-hs', async () => {
  const pkg = await import('../src/index.js');
  assert.is(pkg.createTlsEngine, createTlsEngine);
  assert.is(pkg.TlsState.CONNECTED, 3);
  assert.is(pkg.tlsStateName(TlsState.PENDING), 'PENDING');
  assert.is(pkg.TlsOpt.CERT_REQUEST, 'certRequest');
  assert.is(typeof pkg.RecordLayer, 'function');
  assert.is(typeof pkg.KeySchedule, 'function');
});

s.run();
