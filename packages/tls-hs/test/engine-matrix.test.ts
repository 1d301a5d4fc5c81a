/**
 * Engine against engine with real X.509 chains (root → leaf, validated at a fixed clock with host-name checks):
 * every cipher suite × every group × every CertificateVerify signature scheme; HelloRetryRequest for every group from
 * both sides' configurations (and with a cookie); providers mixed both ways; SNI selection among several chains
 * (sync and async); ALPN; mutual TLS with every client key type; and whole handshakes delivered one byte at a time.
 * Keys and certificates are made once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createNobleProvider } from '../src/crypto/noble.js';
import type { CryptoProvider, KeyExchangeGroup, KeyType, PrivateKey } from '../src/crypto/provider.js';
import { CIPHER_SUITES } from '../src/keyschedule/cipherSuite.js';
import { createTlsEngine, type TlsEngine } from '../src/engine/tlsEngine.js';
import type { TlsEngineOptions } from '../src/engine/options.js';
import { CertRequest, TlsState } from '../src/engine/tlsState.js';
import { RecordCipher } from '../src/record/recordCipher.js';
import { createSelfSignedCertificate, issueCertificate, type CreatedCertificate } from '../src/x509/certificateBuilder.js';
import { keyOf, provider, rejectsAlert, runHandshake, sameBytes } from './engine-helpers.js';

const s = suite('engine matrix');

const noble = createNobleProvider();
const GROUPS: readonly KeyExchangeGroup[] = ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'];
const notBefore = new Date('2020-01-01T00:00:00Z');
const notAfter = new Date('2045-01-01T00:00:00Z');
const clock = (): number => Date.UTC(2030, 5, 1);

/** The CertificateVerify schemes and the leaf key type each needs. */
const SCHEMES: readonly { name: string; code: number; key: KeyType }[] = [
  { name: 'ecdsa_secp256r1_sha256', code: 0x0403, key: 'ec-p256' },
  { name: 'ecdsa_secp384r1_sha384', code: 0x0503, key: 'ec-p384' },
  { name: 'ed25519', code: 0x0807, key: 'ed25519' },
  { name: 'rsa_pss_rsae_sha256', code: 0x0804, key: 'rsa' },
  { name: 'rsa_pss_rsae_sha384', code: 0x0805, key: 'rsa' },
  { name: 'rsa_pss_rsae_sha512', code: 0x0806, key: 'rsa' },
  { name: 'rsa_pss_pss_sha256', code: 0x0809, key: 'rsa-pss' },
  { name: 'rsa_pss_pss_sha384', code: 0x080a, key: 'rsa-pss' },
  { name: 'rsa_pss_pss_sha512', code: 0x080b, key: 'rsa-pss' },
];

const root = createSelfSignedCertificate(provider, { subject: 'matrix root', isCA: true, notBefore, notAfter, key: keyOf('ec-p256') });

const leaves = new Map<string, CreatedCertificate>();
function leafFor(key: KeyType, name = 'server.test', purpose: 'serverAuth' | 'clientAuth' = 'serverAuth'): CreatedCertificate {
  const id = `${key}/${name}/${purpose}`;
  let l = leaves.get(id);
  if (l === undefined) {
    const k: PrivateKey = name === 'server.test' && purpose === 'serverAuth' ? keyOf(key) : provider.generateKeyPair(key, key.startsWith('rsa') ? { bits: 2048 } : undefined);
    l = issueCertificate(provider, root, { subject: name, dnsNames: [name], notBefore, notAfter, key: k, extKeyUsage: [purpose] });
    leaves.set(id, l);
  }
  return l;
}

function server(leaf: CreatedCertificate, opts: TlsEngineOptions = {}): TlsEngine {
  return createTlsEngine('server', { provider, clock, cert: [leaf.der, root.der], key: leaf.key, ...opts });
}

function client(opts: TlsEngineOptions = {}): TlsEngine {
  return createTlsEngine('client', { provider, clock, ca: root.der, servername: 'server.test', ...opts });
}

function assertAgree(c: TlsEngine, sv: TlsEngine, what: string): void {
  assert.is(c.state, TlsState.CONNECTED, what);
  assert.is(sv.state, TlsState.CONNECTED, what);
  for (const name of ['clientHandshake', 'serverHandshake', 'clientApplication', 'serverApplication', 'exporter', 'resumption'] as const) {
    assert.ok(sameBytes(c.secret(name), sv.secret(name)), `${what}: ${name}`);
  }
  assert.is(c.cipherSuite, sv.cipherSuite, what);
  assert.is(c.group, sv.group, what);
  assert.is(c.signatureScheme, sv.signatureScheme, what);
}

s('3 suites × 4 groups × 9 signature schemes: every combination completes and agrees', async () => {
  let n = 0;
  for (const cs of CIPHER_SUITES) {
    for (const g of GROUPS) {
      for (const sc of SCHEMES) {
        const what = `${cs.name} ${g} ${sc.name}`;
        const c = client({ ciphers: [cs.name], groups: [g], keyShares: [g], sigalgs: [sc.name] });
        const sv = server(leafFor(sc.key));
        await runHandshake(c, sv);
        assertAgree(c, sv, what);
        assert.is(c.cipherSuite, cs, what);
        assert.is(c.group, g, what);
        assert.is(c.signatureScheme, sc.code, what);
        assert.not.ok(c.helloRetried, what);
        assert.is(c.peerCertificates.length, 2, what);
        n++;
      }
    }
  }
  assert.is(n, 108);
});

s('the application traffic keys of each suite interoperate', async () => {
  for (const cs of CIPHER_SUITES) {
    const c = client({ ciphers: [cs.code] });
    const sv = server(leafFor('ec-p256'));
    await runHandshake(c, sv);
    for (const dir of ['clientApplication', 'serverApplication'] as const) {
      const w = new RecordCipher(provider, cs, c.secret(dir)!);
      const r = new RecordCipher(provider, cs, sv.secret(dir)!);
      for (let i = 0; i < 3; i++) {
        const rec = w.seal(23, Uint8Array.of(i, 1, 2));
        assert.equal([...r.open(rec.subarray(0, 5), rec.subarray(5)).content], [i, 1, 2]);
      }
    }
  }
});

s('providers mixed both ways: noble client ↔ node server and node client ↔ noble server, every group and key type', async () => {
  const keyTypes: KeyType[] = ['ec-p256', 'ec-p384', 'ed25519', 'rsa', 'rsa-pss'];
  const pairs: [CryptoProvider, CryptoProvider][] = [[noble, provider], [provider, noble]];
  for (const [cp, sp] of pairs) {
    for (let i = 0; i < GROUPS.length; i++) {
      const g = GROUPS[i];
      const kt = keyTypes[i];
      const what = `${cp.name}→${sp.name} ${g} ${kt}`;
      const c = client({ provider: cp, groups: [g], keyShares: [g] });
      const sv = server(leafFor(kt), { provider: sp });
      await runHandshake(c, sv);
      assertAgree(c, sv, what);
    }
  }
  // the last key type with an HRR, noble on the server
  const c = client({ keyShares: ['x25519'] });
  const sv = server(leafFor('rsa-pss'), { provider: noble, groups: ['secp384r1'] });
  await runHandshake(c, sv);
  assert.ok(c.helloRetried);
  assertAgree(c, sv, 'HRR noble server');
});

s('HelloRetryRequest for every group, from the server preference and from the client shares, with and without cookie', async () => {
  for (const g of GROUPS) {
    // the server only takes g; the client shared something else
    const other: KeyExchangeGroup = g === 'x25519' ? 'secp256r1' : 'x25519';
    for (const hrrCookie of [false, true]) {
      const trace: [string, number][] = [];
      const c = client({ keyShares: [other] });
      const sv = server(leafFor('ed25519'), { groups: [g], hrrCookie });
      await runHandshake(c, sv, { trace });
      assert.ok(c.helloRetried && sv.helloRetried, g);
      assert.is(c.group, g);
      assert.equal(trace.slice(0, 3), [['client', TlsState.START], ['server', TlsState.START], ['client', TlsState.START]]);
      assertAgree(c, sv, `HRR to ${g} cookie=${hrrCookie}`);
    }
    // the client supports g but shares a group the server does not support at all
    const c2 = client({ groups: [other, g], keyShares: [other] });
    const sv2 = server(leafFor('ec-p256'), { groups: GROUPS.filter((x) => x !== other) });
    await runHandshake(c2, sv2);
    assert.ok(c2.helloRetried);
    assert.is(sv2.group, g);
  }
  // a server with a share it likes less than a group the client merely supports takes the share (no extra round trip)
  const c3 = client();
  const sv3 = server(leafFor('ec-p256'), { groups: ['secp384r1', 'x25519'] });
  await runHandshake(c3, sv3);
  assert.not.ok(c3.helloRetried);
  assert.is(c3.group, 'x25519');
});

s('SNI selects among chains (sync and async); unknown names fall back or are refused; the client checks the name', async () => {
  const byName: Record<string, CreatedCertificate> = {
    'a.test': leafFor('ed25519', 'a.test'),
    'b.test': leafFor('ec-p384', 'b.test'),
  };
  const pick = (name: string) => (byName[name] === undefined ? null : { cert: [byName[name].der, root.der], key: byName[name].key });
  for (const asyncCb of [false, true]) {
    for (const [name, scheme] of [['a.test', 0x0807], ['b.test', 0x0503]] as const) {
      const c = client({ servername: name });
      const sv = server(leafFor('ec-p256'), { SNICallback: asyncCb ? async (n) => pick(n) : pick });
      await runHandshake(c, sv);
      assert.is(sv.serverName, name);
      assert.is(c.signatureScheme, scheme, `${name} async=${asyncCb}`);
    }
  }
  // no match → the default chain (server.test)
  const c = client();
  const sv = server(leafFor('ec-p256'), { SNICallback: pick });
  await runHandshake(c, sv);
  assert.is(c.signatureScheme, 0x0403);
  // strict: an unknown name → unrecognized_name; the default chain for another name → bad_certificate at the client
  await rejectsAlert(runHandshake(client({ servername: 'c.test' }), server(leafFor('ec-p256'), { SNICallback: pick, strictSNI: true, serverNames: ['server.test'] })), 'unrecognized_name');
  await rejectsAlert(runHandshake(client({ servername: 'c.test' }), server(leafFor('ec-p256'), { SNICallback: pick })), 'bad_certificate');
});

s('ALPN: server preference, single overlap, none offered, QUIC requires it', async () => {
  const cases: [string[], string[], string | undefined][] = [
    [['h3', 'h2', 'http/1.1'], ['http/1.1', 'h2'], 'http/1.1'],
    [['x', 'h2'], ['h2'], 'h2'],
    [[], ['h2'], undefined],
    [['h2'], [], undefined],
  ];
  for (const [offered, served, expected] of cases) {
    const c = client({ ALPNProtocols: offered });
    const sv = server(leafFor('ec-p256'), { ALPNProtocols: served });
    await runHandshake(c, sv);
    assert.is(c.alpnProtocol, expected);
    assert.is(sv.alpnProtocol, expected);
  }
  await rejectsAlert(runHandshake(client({ ALPNProtocols: ['h2'] }), server(leafFor('ec-p256'), { ALPNProtocols: ['h3'] })), 'no_application_protocol');
  const quic = { quic: true, transportParameters: Uint8Array.of(0) };
  await rejectsAlert(runHandshake(client({ ...quic }), server(leafFor('ec-p256'), { ...quic, ALPNProtocols: ['h3'] })), 'no_application_protocol');
});

s('mutual TLS with every client key type; optional and required', async () => {
  for (const sc of SCHEMES) {
    const cl = leafFor(sc.key, 'client.test', 'clientAuth');
    const c = client({ cert: [cl.der, root.der], key: cl.key, sigalgs: [sc.name, 'ecdsa_secp256r1_sha256'] });
    const sv = server(leafFor('ec-p256'), { ca: root.der, certRequest: CertRequest.REQUIRED, sigalgs: [sc.name, 'ecdsa_secp256r1_sha256'] });
    await runHandshake(c, sv);
    assert.is(sv.clientSignatureScheme, sc.code, sc.name);
    assert.is(sv.peerCertificates.length, 2);
    assertAgree(c, sv, `mTLS ${sc.name}`);
  }
  const opt = server(leafFor('ec-p256'), { ca: root.der, certRequest: CertRequest.OPTIONAL });
  const anon = client();
  await runHandshake(anon, opt);
  assert.is(opt.peerCertificates.length, 0);
  await rejectsAlert(runHandshake(client(), server(leafFor('ec-p256'), { ca: root.der, certRequest: CertRequest.REQUIRED })), 'certificate_required');
});

s('one byte at a time: each suite, HRR + cookie, mTLS + ALPN, QUIC mode', async () => {
  for (const cs of CIPHER_SUITES) {
    const c = client({ ciphers: [cs.code] });
    const sv = server(leafFor('ec-p256'));
    await runHandshake(c, sv, { chunk: 1 });
    assertAgree(c, sv, `bytewise ${cs.name}`);
  }
  const cl = leafFor('ed25519', 'client.test', 'clientAuth');
  const c = client({ cert: [cl.der, root.der], key: cl.key, ALPNProtocols: ['h2'], keyShares: ['x25519'] });
  const sv = server(leafFor('rsa'), { ca: root.der, requestCert: true, ALPNProtocols: ['h2'], groups: ['secp256r1'], hrrCookie: true });
  await runHandshake(c, sv, { chunk: 1 });
  assertAgree(c, sv, 'bytewise HRR mTLS ALPN');
  assert.ok(c.helloRetried);
  assert.is(c.alpnProtocol, 'h2');
  const quic = { quic: true, transportParameters: Uint8Array.of(1, 2), ALPNProtocols: ['h3'] };
  const qc = client(quic);
  const qs = server(leafFor('ec-p384'), quic);
  await runHandshake(qc, qs, { chunk: 1 });
  assertAgree(qc, qs, 'bytewise QUIC');
  // odd chunk sizes
  for (const chunk of [2, 3, 7, 100]) {
    const a = client();
    const b = server(leafFor('ed25519'));
    await runHandshake(a, b, { chunk });
    assertAgree(a, b, `chunk ${chunk}`);
  }
});

s.run();
