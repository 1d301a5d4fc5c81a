/**
 * Engine with real X.509 chains: CA → intermediate → leaf made by the certificate builder, PEM credentials,
 * validation at an injected clock, hostname/IP checks, unknown CA, expiry, rejectUnauthorized:false, the verify
 * override, and mutual TLS with a client certificate.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTlsEngine } from '../src/engine/tlsEngine.js';
import { TlsState, CertRequest } from '../src/engine/tlsState.js';
import type { TlsEngineOptions } from '../src/engine/options.js';
import { createSelfSignedCertificate, issueCertificate, type CreatedCertificate, type CertificateKeyType } from '../src/x509/certificateBuilder.js';
import { chainSignedWithin } from '../src/engine/credentials.js';
import { keyOf, provider, rejectsAlert, runHandshake, splitMessages } from './engine-helpers.js';
import { parseCertificateRequest } from '../src/wire/certificateRequest.js';

const s = suite('engine x509');

const notBefore = new Date('2020-01-01T00:00:00Z');
const notAfter = new Date('2045-01-01T00:00:00Z');
const clock = (): number => Date.UTC(2026, 0, 1);

const root = createSelfSignedCertificate(provider, { subject: 'quichs test root', isCA: true, notBefore, notAfter, key: keyOf('ec-p256') });
const intermediate = issueCertificate(provider, root, { subject: 'quichs test intermediate', isCA: true, pathLen: 0, notBefore, notAfter, keyType: 'ec-p384' });
const otherRoot = createSelfSignedCertificate(provider, { subject: 'someone else', isCA: true, notBefore, notAfter });

const leaves = new Map<string, CreatedCertificate>();
function leaf(keyType: CertificateKeyType = 'ec-p256', extKeyUsage: ('serverAuth' | 'clientAuth')[] = ['serverAuth', 'clientAuth']): CreatedCertificate {
  const id = `${keyType}:${extKeyUsage.join(',')}`;
  let l = leaves.get(id);
  if (l === undefined) {
    l = issueCertificate(provider, intermediate, {
      subject: 'example.com',
      dnsNames: ['example.com', '*.wild.test'],
      ipAddresses: ['192.0.2.1', '2001:db8::1'],
      notBefore,
      notAfter,
      keyType,
      extKeyUsage,
    });
    leaves.set(id, l);
  }
  return l;
}

function serverWith(l: CreatedCertificate, extra: TlsEngineOptions = {}) {
  return createTlsEngine('server', { provider, clock, cert: l.pem + intermediate.pem, key: l.keyPem, ...extra });
}

function clientFor(servername: string, extra: TlsEngineOptions = {}) {
  return createTlsEngine('client', { provider, clock, servername, ca: root.pem, ...extra });
}

s('chain through an intermediate validates; leaf key types ECDSA P-256/P-384, Ed25519, RSA', async () => {
  for (const kt of ['ec-p256', 'ec-p384', 'ed25519', 'rsa'] as const) {
    const client = clientFor('example.com');
    const server = serverWith(leaf(kt));
    await runHandshake(client, server);
    assert.is(client.state, TlsState.CONNECTED, kt);
    assert.is(client.peerCertificates.length, 2);
  }
});

s('host names: wildcard and IP SANs match, a wrong name → bad_certificate', async () => {
  for (const name of ['a.wild.test', '192.0.2.1', '2001:db8::1', 'EXAMPLE.com.']) {
    const client = clientFor(name);
    await runHandshake(client, serverWith(leaf()));
    assert.is(client.state, TlsState.CONNECTED, name);
  }
  await rejectsAlert(runHandshake(clientFor('other.example'), serverWith(leaf())), 'bad_certificate');
  await rejectsAlert(runHandshake(clientFor('a.b.wild.test'), serverWith(leaf())), 'bad_certificate');
});

s('unknown CA, expired, no clock, and the overrides', async () => {
  await rejectsAlert(runHandshake(clientFor('example.com', { ca: otherRoot.pem }), serverWith(leaf())), 'unknown_ca');
  await rejectsAlert(runHandshake(clientFor('example.com', { ca: undefined }), serverWith(leaf())), 'unknown_ca');
  await rejectsAlert(runHandshake(clientFor('example.com', { clock: () => Date.UTC(2050, 0, 1) }), serverWith(leaf())), 'certificate_expired');
  await rejectsAlert(runHandshake(clientFor('example.com', { clock: undefined }), serverWith(leaf())), 'internal_error');
  const lax = clientFor('wrong.name', { ca: otherRoot.pem, rejectUnauthorized: false });
  await runHandshake(lax, serverWith(leaf()));
  assert.is(lax.state, TlsState.CONNECTED);
  const errors: (string | null)[] = [];
  const overridden = clientFor('example.com', {
    ca: otherRoot.pem,
    verify: (err, chain) => {
      errors.push(err === null ? null : (err as Error & { alert?: string }).alert ?? 'error');
      return chain.length === 2;
    },
  });
  await runHandshake(overridden, serverWith(leaf()));
  assert.equal(errors, ['unknown_ca']);
  const refused = clientFor('example.com', { verify: () => false });
  await rejectsAlert(runHandshake(refused, serverWith(leaf())), 'bad_certificate');
});

s('mutual TLS with a real client certificate; wrong EKU is refused', async () => {
  const clientLeaf = leaf('ed25519', ['clientAuth']);
  const client = clientFor('example.com', { cert: [clientLeaf.der, intermediate.der], key: clientLeaf.key });
  const server = serverWith(leaf(), { ca: root.pem, certRequest: CertRequest.REQUIRED });
  await runHandshake(client, server);
  assert.is(server.peerCertificates.length, 2);
  assert.is(server.clientSignatureScheme, 0x0807);
  // a serverAuth-only certificate used as a client certificate
  const wrong = leaf('ec-p256', ['serverAuth']);
  const c2 = clientFor('example.com', { cert: wrong.pem + intermediate.pem, key: wrong.keyPem });
  const s2 = serverWith(leaf(), { ca: root.pem, certRequest: CertRequest.REQUIRED });
  await rejectsAlert(runHandshake(c2, s2), 'unsupported_certificate');
});

s('certificate selection honours signature_algorithms(_cert) for the chain signatures', async () => {
  const selfSigned = createSelfSignedCertificate(provider, { subject: 'example.com', dnsNames: ['example.com'], notBefore, notAfter, key: keyOf('ec-p256') });
  const viaP384 = leaf('ec-p256'); // signed by the P-384 intermediate: ecdsa_secp384r1_sha384
  assert.ok(chainSignedWithin([viaP384.der, intermediate.der], [0x0503, 0x0403]));
  assert.not.ok(chainSignedWithin([viaP384.der, intermediate.der], [0x0403]));
  assert.ok(chainSignedWithin([viaP384.der, intermediate.der, root.der], [0x0503, 0x0403])); // self-signed root exempt
  const mk = (sigalgs: string[]) => {
    const client = clientFor('example.com', { sigalgs, rejectUnauthorized: false });
    const server = createTlsEngine('server', {
      provider,
      clock,
      cert: selfSigned.der,
      key: selfSigned.key,
      SNICallback: () => ({ cert: [viaP384.der, intermediate.der], key: viaP384.key }),
    });
    return { client, server };
  };
  const a = mk(['ecdsa_secp256r1_sha256']);
  await runHandshake(a.client, a.server);
  assert.is(a.client.peerCertificates.length, 1); // the SNI chain needs P-384 signatures: default chain chosen
  const b = mk(['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384']);
  await runHandshake(b.client, b.server);
  assert.is(b.client.peerCertificates.length, 2); // the SNI chain is acceptable and preferred
});

s('our signature_algorithms_cert: sent in ClientHello / CertificateRequest and enforced on the peer path', async () => {
  // the leaf is signed by the P-384 intermediate (ecdsa_secp384r1_sha384), the intermediate by the P-256 root
  const ok = clientFor('example.com', { sigalgsCert: ['ecdsa_secp384r1_sha384', 'ecdsa_secp256r1_sha256'] });
  const server = serverWith(leaf());
  await runHandshake(ok, server);
  const sac = server.peerExtensions.find((e) => e.type === 50);
  assert.ok(sac !== undefined, 'signature_algorithms_cert sent');
  assert.equal([...sac!.data], [0, 4, 0x05, 0x03, 0x04, 0x03]);
  await rejectsAlert(runHandshake(clientFor('example.com', { sigalgsCert: ['ecdsa_secp256r1_sha256'] }), serverWith(leaf())), 'unsupported_certificate');
  await rejectsAlert(runHandshake(clientFor('example.com', { sigalgsCert: [0x0503] }), serverWith(leaf())), 'unsupported_certificate');
  // RSA PKCS#1 v1.5 is accepted by name in this list (certificates only)
  const rsaRoot = createSelfSignedCertificate(provider, { subject: 'rsa root', isCA: true, notBefore, notAfter, key: keyOf('rsa') });
  const rsaLeaf = issueCertificate(provider, rsaRoot, { subject: 'example.com', dnsNames: ['example.com'], notBefore, notAfter, keyType: 'ed25519' });
  const c = createTlsEngine('client', { provider, clock, servername: 'example.com', ca: rsaRoot.pem, sigalgsCert: 'rsa_pkcs1_sha256' });
  await runHandshake(c, createTlsEngine('server', { provider, clock, cert: rsaLeaf.der, key: rsaLeaf.key }));
  assert.is(c.state, TlsState.CONNECTED);
  assert.throws(() => clientFor('example.com', { sigalgsCert: ['rsa_pkcs1_sha1'] }), RangeError);
  // server side: the CertificateRequest carries it and the client chain is checked against it
  const clientLeaf = leaf('ed25519', ['clientAuth']);
  const mtls = (sigalgsCert: string[]) => {
    const cl = clientFor('example.com', { cert: [clientLeaf.der, intermediate.der], key: clientLeaf.key });
    const sv = serverWith(leaf(), { ca: root.pem, certRequest: CertRequest.REQUIRED, sigalgsCert });
    return { cl, sv };
  };
  const a = mtls(['ecdsa_secp384r1_sha384', 'ecdsa_secp256r1_sha256']);
  await runHandshake(a.cl, a.sv);
  assert.is(a.sv.state, TlsState.CONNECTED);
  const b = mtls(['ed25519']);
  await rejectsAlert(runHandshake(b.cl, b.sv), 'unsupported_certificate');
  const m = mtls(['ed25519']);
  m.cl.handshake(m.sv.handshake(m.cl.handshake(null).out).out);
  const cr = splitMessages(m.sv.handshake(null).out).find((x) => x.type === 13)!;
  assert.ok(parseCertificateRequest(cr.body).extensions.some((e) => e.type === 50 && e.data.length === 4));
});

s.run();
