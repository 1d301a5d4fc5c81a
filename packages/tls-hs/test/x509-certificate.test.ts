import { X509Certificate as NodeX509 } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExtKeyUsageOid, keyUsageAllows, parseX509Certificate } from '../src/x509/certificate.js';
import { derChildren, readDerTlv } from '../src/x509/derTlv.js';
import { namesEqual } from '../src/x509/distinguishedName.js';
import { certificateSignatureAlgorithm, encodeSignatureAlgorithmIdentifier } from '../src/x509/signatureAlgorithm.js';
import { cert, der, throwsAlert } from './x509-helpers.js';

const s = suite('x509 certificate');

const ALL = ['root', 'root-rsa', 'root-ed25519', 'other-root', 'inter', 'inter-open', 'inter-noku', 'sub', 'server', 'expired',
  'future', 'p384', 'ed25519', 'rsapss', 'rsa', 'client', 'anyeku', 'noeku', 'kuenc', 'cnonly', 'critical', 'deep',
  'noku-leaf', 'victim', 'stranger', 'sha1'];

s('every fixture agrees with node:crypto X509Certificate on serial, dates, key and CA flag', () => {
  for (const name of ALL) {
    const d = der(name);
    const c = parseX509Certificate(d);
    const n = new NodeX509(d);
    assert.is(c.serialHex.replace(/^0+/, '').toUpperCase(), n.serialNumber.replace(/^0+/, ''), name);
    assert.is(c.notBefore.getTime(), Date.parse(n.validFrom), name);
    assert.is(c.notAfter.getTime(), Date.parse(n.validTo), name);
    assert.equal(c.spki, new Uint8Array(n.publicKey.export({ type: 'spki', format: 'der' })), name);
    // node's `ca` is OpenSSL's X509_check_ca: cA and (keyUsage absent or keyCertSign).
    assert.is((c.extensions.basicConstraints?.cA ?? false) && keyUsageAllows(c, 'keyCertSign'), n.ca, name);
    assert.is(c.version, 3);
    assert.equal(c.der, d);
    // The TBS is the first element of the certificate, and the signature is over it.
    const outer = readDerTlv(d, 0)!;
    const tbs = derChildren(d, outer)![0];
    assert.equal(c.tbs, d.subarray(tbs.start, tbs.end));
    if (c.selfIssued) assert.ok(n.checkIssued(n), name);
  }
});

s('server leaf: names, SANs, key usages, key identifiers', () => {
  const c = cert('server');
  const inter = cert('inter');
  assert.is(c.subject.text, 'CN=example.com');
  assert.is(c.issuer.text, 'O=quichs test,CN=quichs Intermediate');
  assert.equal(c.subject.attributes, [{ oid: '2.5.4.3', type: 'CN', value: 'example.com' }]);
  assert.ok(namesEqual(c.issuer, inter.subject));
  assert.not.ok(namesEqual(c.subject, inter.subject));
  assert.not.ok(c.selfIssued);
  assert.equal(c.extensions.subjectAltName?.dnsNames, ['example.com', '*.example.com', 'WWW.Example.ORG']);
  assert.equal(c.extensions.subjectAltName?.ipAddresses, [new Uint8Array([127, 0, 0, 1]),
    new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])]);
  assert.is(c.extensions.subjectAltName?.otherNames, 0);
  assert.equal(c.extensions.basicConstraints, { cA: false, critical: true });
  assert.equal(c.extensions.keyUsage?.names, ['digitalSignature']);
  assert.ok(c.extensions.keyUsage?.critical);
  assert.equal(c.extensions.extKeyUsage, [ExtKeyUsageOid.serverAuth]);
  assert.equal(c.extensions.authorityKeyIdentifier, inter.extensions.subjectKeyIdentifier);
  assert.is(c.extensions.subjectKeyIdentifier?.length, 20);
  assert.equal(c.extensions.unknownCritical, []);
  assert.is(c.extensions.all.length, 6);
  assert.ok(keyUsageAllows(c, 'digitalSignature'));
  assert.not.ok(keyUsageAllows(c, 'keyCertSign'));
  assert.ok(keyUsageAllows(cert('noeku'), 'keyCertSign'), 'absent keyUsage allows everything');
  assert.equal(c.signatureAlgorithm, { supported: true, oid: '1.2.840.10045.4.3.2', name: 'ecdsa-with-SHA256', params: { kind: 'ecdsa', hash: 'sha256' } });
});

s('CA certificates: basicConstraints with and without pathLen, keyCertSign', () => {
  assert.equal(cert('inter').extensions.basicConstraints, { cA: true, pathLen: 0, critical: true });
  assert.equal(cert('inter-open').extensions.basicConstraints, { cA: true, critical: true });
  assert.equal(cert('root').extensions.keyUsage?.names, ['keyCertSign', 'cRLSign']);
  assert.ok(cert('root').selfIssued);
  assert.is(cert('root').extensions.authorityKeyIdentifier, undefined);
});

s('signature algorithms: P-384, Ed25519, RSA PKCS#1, RSA-PSS, SHA-1 flagged', () => {
  assert.equal(paramsOf('p384'), { kind: 'ecdsa', hash: 'sha384' });
  assert.equal(paramsOf('ed25519'), { kind: 'ed25519' });
  assert.equal(paramsOf('rsa'), { kind: 'rsa-pkcs1', hash: 'sha384' });
  assert.equal(paramsOf('root-rsa'), { kind: 'rsa-pkcs1', hash: 'sha256' });
  const pss = cert('rsapss').signatureAlgorithm;
  assert.equal(pss.supported && pss.params, { kind: 'rsa-pss', hash: 'sha256' });
  assert.is(pss.name, 'RSASSA-PSS-SHA256');
  const sha1 = cert('sha1').signatureAlgorithm;
  assert.is(sha1.supported, false);
  assert.match(!sha1.supported ? sha1.reason : '', /SHA-1/);
  assert.is(cert('ed25519').publicKeyAlgorithm, '1.3.101.112');
});

s('signature algorithm identifiers round-trip through the encoder', () => {
  for (const params of [
    { kind: 'ecdsa', hash: 'sha256' }, { kind: 'ecdsa', hash: 'sha384' }, { kind: 'ecdsa', hash: 'sha512' },
    { kind: 'ed25519' }, { kind: 'rsa-pkcs1', hash: 'sha256' }, { kind: 'rsa-pkcs1', hash: 'sha512' },
    { kind: 'rsa-pss', hash: 'sha256' }, { kind: 'rsa-pss', hash: 'sha384' }, { kind: 'rsa-pss', hash: 'sha512' },
  ] as const) {
    const enc = encodeSignatureAlgorithmIdentifier(params);
    const top = readDerTlv(enc, 0)!;
    const [oidTlv, paramTlv] = derChildren(enc, top)!;
    const oidDer = enc.subarray(oidTlv.start, oidTlv.end);
    const oid = oidText(oidDer);
    const p = paramTlv === undefined ? undefined : enc.slice(paramTlv.start, paramTlv.end).buffer;
    const back = certificateSignatureAlgorithm(oid, p);
    assert.ok(back.supported, JSON.stringify(params));
    assert.equal(back.supported && back.params, params);
  }
  // The RSA-PSS encoding is exactly the one openssl wrote for SHA-256 / MGF1-SHA-256 / salt 32.
  const fromOpenssl = der('rsapss');
  const enc = encodeSignatureAlgorithmIdentifier({ kind: 'rsa-pss', hash: 'sha256' });
  assert.ok(Buffer.from(fromOpenssl).includes(Buffer.from(enc)));
});

s('unsupported or odd signature algorithm parameters are reported, not thrown', () => {
  const nul = new Uint8Array([5, 0]).buffer;
  const reasons = [
    certificateSignatureAlgorithm('1.2.840.10045.4.3.2', nul),
    certificateSignatureAlgorithm('1.2.840.113549.1.1.11', new Uint8Array([2, 1, 0]).buffer),
    certificateSignatureAlgorithm('1.2.3.4', undefined),
    certificateSignatureAlgorithm('1.2.840.113549.1.1.10', undefined),
    certificateSignatureAlgorithm('1.2.840.113549.1.1.10', new Uint8Array([0x30, 0x00]).buffer), // SHA-1 defaults
    certificateSignatureAlgorithm('1.2.840.113549.1.1.10', new Uint8Array([0x04, 0x00]).buffer),
    certificateSignatureAlgorithm('1.3.101.113', undefined),
  ];
  for (const r of reasons) assert.is(r.supported, false, JSON.stringify(r));
  assert.ok(certificateSignatureAlgorithm('1.2.840.113549.1.1.11', undefined).supported, 'absent NULL tolerated');
  // PSS variants: salt length, MGF hash and trailer field that the provider cannot honour.
  const pssDer = encodeSignatureAlgorithmIdentifier({ kind: 'rsa-pss', hash: 'sha256' });
  const top = readDerTlv(pssDer, 0)!;
  const params = derChildren(pssDer, top)![1];
  const p = pssDer.slice(params.start, params.end);
  const saltAt = findSeq(p, [0xa2, 0x03, 0x02, 0x01, 0x20]);
  const bad = p.slice();
  bad[saltAt + 4] = 0x10;
  assert.match(reasonOf(certificateSignatureAlgorithm('1.2.840.113549.1.1.10', bad.buffer)), /salt/);
  const mgfSha384 = p.slice();
  // The second sha256 OID (inside MGF1's parameters) → sha384 (…04 02 01 → …04 02 02).
  const sha256Oid = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
  const second = findSeq(mgfSha384, sha256Oid, findSeq(mgfSha384, sha256Oid) + 1);
  mgfSha384[second + 8] = 0x02;
  assert.match(reasonOf(certificateSignatureAlgorithm('1.2.840.113549.1.1.10', mgfSha384.buffer)), /MGF1 hash/);
});

function paramsOf(name: string): unknown {
  const a = cert(name).signatureAlgorithm;
  return a.supported ? a.params : undefined;
}

function reasonOf(a: ReturnType<typeof certificateSignatureAlgorithm>): string {
  return a.supported ? '' : a.reason;
}

function findSeq(hay: Uint8Array, needle: readonly number[], from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}

function oidText(tlv: Uint8Array): string {
  const body = tlv.subarray(2);
  const parts: number[] = [Math.floor(body[0] / 40), body[0] % 40];
  let v = 0;
  for (const b of body.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

s('unknown critical extension is flagged, not fatal', () => {
  const c = cert('critical');
  assert.equal(c.extensions.unknownCritical, ['1.2.3.4']);
  assert.ok(c.extensions.all.some((e) => e.oid === '1.2.3.4' && e.critical));
});

s('a certificate with CN only has no SAN', () => {
  const c = cert('cnonly');
  assert.is(c.extensions.subjectAltName, undefined);
  assert.is(c.subject.attributes[0].value, 'cnonly.example.com');
});

s('malformed DER → bad_certificate', () => {
  const d = der('server');
  throwsAlert(() => parseX509Certificate(new Uint8Array(0)), 'bad_certificate');
  throwsAlert(() => parseX509Certificate('x' as unknown as Uint8Array), 'bad_certificate');
  throwsAlert(() => parseX509Certificate(d.subarray(0, d.length - 1)), 'bad_certificate');
  const trailing = new Uint8Array(d.length + 1);
  trailing.set(d);
  throwsAlert(() => parseX509Certificate(trailing), 'bad_certificate', /single DER/);
  for (const cut of [10, 100, 300]) throwsAlert(() => parseX509Certificate(d.subarray(0, cut)), 'bad_certificate');
  throwsAlert(() => parseX509Certificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), 'bad_certificate');
  // Non-minimal length encoding of the outer SEQUENCE.
  const loose = new Uint8Array([0x30, 0x81, 0x03, 0x02, 0x01, 0x00]);
  throwsAlert(() => parseX509Certificate(loose), 'bad_certificate');
  // Every single-byte corruption either still parses or fails with bad_certificate, never anything else.
  for (let i = 0; i < d.length; i += 7) {
    const x = d.slice();
    x[i] ^= 0x41;
    try {
      parseX509Certificate(x);
    } catch (e) {
      assert.is((e as { alert?: string }).alert, 'bad_certificate', `byte ${i}: ${String(e)}`);
    }
  }
});

s('the input is copied', () => {
  const d = der('server').slice();
  const c = parseX509Certificate(d);
  d[d.length - 1] ^= 1;
  assert.equal(c.der, der('server'));
});

s.run();
