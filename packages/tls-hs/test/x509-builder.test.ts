import { spawnSync } from 'node:child_process';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SignatureParams } from '../src/crypto/provider.js';
import { ExtKeyUsageOid } from '../src/x509/certificate.js';
import {
  createSelfSignedCertificate,
  defaultCertificateSignature,
  issueCertificate,
  type CertificateKeyType,
  type CreatedCertificate,
} from '../src/x509/certificateBuilder.js';
import { loadCertificates, loadPrivateKeyDer } from '../src/x509/pem.js';
import { verifyCertificateChain } from '../src/x509/pathValidation.js';
import { providers } from './crypto-helpers.js';
import { NOW, throwsAlert } from './x509-helpers.js';

const s = suite('x509 certificate builder');
const [node, noble] = providers;
const validity = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2045-01-01T00:00:00Z') };
const ATTIME = String(NOW.getTime() / 1000);

const dir = mkdtempSync(join(tmpdir(), 'quichs-x509-'));
let fileNo = 0;
function file(text: string): string {
  const p = join(dir, `f${fileNo++}.pem`);
  writeFileSync(p, text);
  return p;
}

/** Runs `openssl verify` at NOW; returns [ok, output]. */
function opensslVerify(leaf: CreatedCertificate, anchors: CreatedCertificate[], untrusted: CreatedCertificate[], extra: string[] = []): [boolean, string] {
  const args = ['verify', '-attime', ATTIME, '-CAfile', file(anchors.map((a) => a.pem).join(''))];
  if (untrusted.length > 0) args.push('-untrusted', file(untrusted.map((u) => u.pem).join('')));
  args.push(...extra, file(leaf.pem));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return [r.status === 0, `${r.stdout}${r.stderr}`];
}

const root = createSelfSignedCertificate(node, { subject: { commonName: 'Builder Root', organization: 'quichs', country: 'DE' }, isCA: true, ...validity });
const inter = issueCertificate(node, root, { subject: 'Builder Intermediate', isCA: true, pathLen: 0, keyType: 'ec-p384', ...validity });

s('root and intermediate: fields as asked', () => {
  const r = root.certificate;
  assert.is(r.subject.text, 'CN=Builder Root,O=quichs,C=DE');
  assert.ok(r.selfIssued);
  assert.equal(r.extensions.basicConstraints, { cA: true, critical: true });
  assert.equal(r.extensions.keyUsage?.names, ['keyCertSign', 'cRLSign']);
  assert.is(r.extensions.extKeyUsage, undefined);
  assert.equal(r.extensions.authorityKeyIdentifier, r.extensions.subjectKeyIdentifier);
  assert.equal(r.notBefore, validity.notBefore);
  assert.equal(r.notAfter, validity.notAfter);
  assert.equal(r.spki, root.key.publicKey.spki);
  const i = inter.certificate;
  assert.equal(i.issuer.der, r.subject.der);
  assert.equal(i.extensions.basicConstraints, { cA: true, pathLen: 0, critical: true });
  assert.equal(i.extensions.authorityKeyIdentifier, r.extensions.subjectKeyIdentifier);
  assert.is(inter.key.type, 'ec-p384');
  assert.ok(new NodeX509(i.der).verify(new NodeX509(r.der).publicKey));
});

const leafTypes: CertificateKeyType[] = ['ec-p256', 'ec-p384', 'ed25519', 'rsa'];

s('leaves of every key type: accepted by openssl verify and by our validator (both providers)', () => {
  for (const keyType of leafTypes) {
    const leaf = issueCertificate(node, inter, {
      subject: `${keyType}.test`,
      dnsNames: [`${keyType}.test`, '*.wild.test'],
      ipAddresses: ['192.0.2.7', '2001:db8::7'],
      keyType,
      ...validity,
    });
    const c = leaf.certificate;
    assert.equal(c.extensions.subjectAltName?.dnsNames, [`${keyType}.test`, '*.wild.test']);
    assert.is(c.extensions.subjectAltName?.ipAddresses.length, 2);
    assert.equal(c.extensions.extKeyUsage, [ExtKeyUsageOid.serverAuth, ExtKeyUsageOid.clientAuth]);
    assert.equal(c.extensions.keyUsage?.names, ['digitalSignature']);
    assert.equal(c.extensions.basicConstraints, { cA: false, critical: true });
    assert.equal(c.signatureAlgorithm.supported && c.signatureAlgorithm.params, { kind: 'ecdsa', hash: 'sha384' });
    const [ok, out] = opensslVerify(leaf, [root], [inter], ['-purpose', 'sslserver', '-verify_hostname', 'a.wild.test']);
    assert.ok(ok, `${keyType}: ${out}`);
    const [ipOk, ipOut] = opensslVerify(leaf, [root], [inter], ['-verify_ip', '2001:db8::7']);
    assert.ok(ipOk, `${keyType}: ${ipOut}`);
    for (const p of providers) {
      const r = verifyCertificateChain({ chain: [leaf.der, inter.der], anchors: [root.certificate], now: NOW, purpose: 'serverAuth', hostname: 'x.wild.test', provider: p });
      assert.is(r.publicKey.type, keyType);
      verifyCertificateChain({ chain: [leaf.der, inter.der], anchors: [root.der], now: NOW, purpose: 'clientAuth', hostname: '192.0.2.7', provider: p });
    }
    // The key PEM loads back to the same key.
    assert.equal(node.importPrivateKey(loadPrivateKeyDer(leaf.keyPem).der).publicKey.spki, leaf.key.publicKey.spki);
    assert.equal(loadCertificates(leaf.pem), [leaf.der]);
  }
});

s('CAs of every key type sign certificates openssl and we accept (RSA PKCS#1 and RSA-PSS, Ed25519, P-384)', () => {
  const rsaKey = node.generateKeyPair('rsa', { bits: 2048 });
  const cases: [CertificateKeyType, SignatureParams | undefined, ReturnType<typeof node.generateKeyPair> | undefined][] = [
    ['ed25519', undefined, undefined],
    ['ec-p384', { kind: 'ecdsa', hash: 'sha512' }, undefined],
    ['rsa', undefined, rsaKey],
    ['rsa', { kind: 'rsa-pss', hash: 'sha256' }, rsaKey],
    ['rsa', { kind: 'rsa-pss', hash: 'sha384' }, rsaKey],
  ];
  for (const [keyType, signature, key] of cases) {
    const ca = createSelfSignedCertificate(noble, { subject: `CA ${keyType}`, isCA: true, keyType, key, signature, ...validity });
    const leaf = issueCertificate(noble, ca, { subject: 'leaf', dnsNames: ['leaf.test'], signature, ...validity });
    const want = signature ?? defaultCertificateSignature(ca.key);
    assert.equal(leaf.certificate.signatureAlgorithm.supported && leaf.certificate.signatureAlgorithm.params, want);
    const [ok, out] = opensslVerify(leaf, [ca], [], ['-purpose', 'sslserver']);
    assert.ok(ok, `${keyType} ${JSON.stringify(signature)}: ${out}`);
    for (const p of providers) {
      verifyCertificateChain({ chain: [leaf.der], anchors: [ca.certificate], now: NOW, purpose: 'serverAuth', hostname: 'leaf.test', provider: p });
    }
  }
});

s('a self-signed leaf that is its own anchor is accepted', () => {
  const self = createSelfSignedCertificate(node, { subject: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], ...validity });
  const r = verifyCertificateChain({ chain: [self.der], anchors: [self.der], now: NOW, purpose: 'serverAuth', hostname: 'localhost', provider: node });
  assert.is(r.path.length, 1);
  assert.is(r.anchor, r.path[0]);
  throwsAlert(() => verifyCertificateChain({ chain: [self.der], anchors: [root.der], now: NOW, purpose: 'serverAuth', provider: node }), 'unknown_ca');
});

s('builder-made bad certificates are refused by openssl and by us alike', () => {
  const leaf = issueCertificate(node, inter, { subject: 'leaf', dnsNames: ['leaf.test'], ...validity });
  // A leaf (cA false) issuing another certificate.
  const victim = issueCertificate(node, leaf, { subject: 'victim', dnsNames: ['victim.test'], ...validity });
  assert.not.ok(opensslVerify(victim, [root], [inter, leaf])[0]);
  throwsAlert(() => verifyCertificateChain({ chain: [victim.der, leaf.der, inter.der], anchors: [root.der], now: NOW, purpose: 'serverAuth', provider: node }), 'bad_certificate', /not a CA/);
  // pathLen 0 exceeded.
  const sub = issueCertificate(node, inter, { subject: 'Sub CA', isCA: true, ...validity });
  const deep = issueCertificate(node, sub, { subject: 'deep', dnsNames: ['deep.test'], ...validity });
  assert.not.ok(opensslVerify(deep, [root], [inter, sub])[0]);
  throwsAlert(() => verifyCertificateChain({ chain: [deep.der, sub.der, inter.der], anchors: [root.der], now: NOW, purpose: 'serverAuth', provider: node }), 'bad_certificate', /pathLen/);
  // clientAuth-only for a server.
  const client = issueCertificate(node, inter, { subject: 'client', extKeyUsage: ['clientAuth'], ...validity });
  assert.not.ok(opensslVerify(client, [root], [inter], ['-purpose', 'sslserver'])[0]);
  assert.ok(opensslVerify(client, [root], [inter], ['-purpose', 'sslclient'])[0]);
  throwsAlert(() => verifyCertificateChain({ chain: [client.der, inter.der], anchors: [root.der], now: NOW, purpose: 'serverAuth', provider: node }), 'unsupported_certificate');
  // Expired at NOW.
  const old = issueCertificate(node, inter, { subject: 'old', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
  assert.not.ok(opensslVerify(old, [root], [inter])[0]);
  throwsAlert(() => verifyCertificateChain({ chain: [old.der, inter.der], anchors: [root.der], now: NOW, purpose: 'serverAuth', provider: node }), 'certificate_expired');
  // Validity after 2049 is written as GeneralizedTime and read back exactly.
  const far = issueCertificate(node, inter, { subject: 'far', notBefore: validity.notBefore, notAfter: new Date('2060-06-01T12:00:00Z'), keyUsage: [], extKeyUsage: [] });
  assert.equal(far.certificate.notAfter, new Date('2060-06-01T12:00:00Z'));
  assert.is(far.certificate.extensions.keyUsage, undefined);
  assert.is(far.certificate.extensions.extKeyUsage, undefined);
});

s('given serial numbers, explicit key usages and EKU OIDs', () => {
  const c = issueCertificate(node, { certificate: inter.certificate, key: inter.key }, {
    subject: { commonName: 'x', organizationalUnit: 'unit' },
    serialNumber: new Uint8Array([0x01, 0x02, 0x03]),
    keyUsage: ['digitalSignature', 'keyEncipherment', 'decipherOnly'],
    extKeyUsage: ['serverAuth', '1.3.6.1.5.5.7.3.4'],
    key: leafKey(),
    ...validity,
  }).certificate;
  assert.is(c.serialHex, '010203');
  assert.equal(c.extensions.keyUsage?.names, ['digitalSignature', 'keyEncipherment', 'decipherOnly']);
  assert.equal(c.extensions.extKeyUsage, [ExtKeyUsageOid.serverAuth, ExtKeyUsageOid.emailProtection]);
  assert.is(c.subject.text, 'CN=x,OU=unit');
  // Random serials are positive and differ.
  const a = createSelfSignedCertificate(node, { subject: 'a', key: leafKey(), ...validity }).certificate.serialHex;
  const b = createSelfSignedCertificate(node, { subject: 'a', key: leafKey(), ...validity }).certificate.serialHex;
  assert.is.not(a, b);
  assert.ok(parseInt(a.slice(0, 2), 16) < 0x80);
});

let cachedKey: ReturnType<typeof node.generateKeyPair> | undefined;
function leafKey(): ReturnType<typeof node.generateKeyPair> {
  return (cachedKey ??= node.generateKeyPair('ec-p256'));
}

s('bad templates → internal_error', () => {
  const base = { subject: 'x', key: leafKey(), ...validity };
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, notAfter: new Date('2019-01-01') }), 'internal_error', /validity/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, pathLen: 1 }), 'internal_error', /pathLen/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, isCA: true, pathLen: -1 }), 'internal_error', /pathLen/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, ipAddresses: ['1.2.3.256'] }), 'internal_error', /IP/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, dnsNames: ['bad name'] }), 'internal_error', /dNSName/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, subject: { commonName: 'x', country: 'Germany' } }), 'internal_error', /country/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, serialNumber: new Uint8Array([0x80]) }), 'internal_error', /serial/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, serialNumber: new Uint8Array([0, 1]) }), 'internal_error', /serial/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, extKeyUsage: ['nonsense'] }), 'internal_error', /extKeyUsage/);
  throwsAlert(() => createSelfSignedCertificate(node, { ...base, keyUsage: ['bogus' as 'digitalSignature'] }), 'internal_error', /keyUsage/);
});

s.after(() => rmSync(dir, { recursive: true, force: true }));
s.run();
