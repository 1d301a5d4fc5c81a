import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { base64Decode, base64Encode, base64UrlDecode } from '../src/x509/base64.js';
import {
  decodePem,
  encodeCertificatesPem,
  encodePem,
  guessPrivateKeyFormat,
  loadCertificates,
  loadPrivateKeyDer,
} from '../src/x509/pem.js';
import { createNobleProvider } from '../src/crypto/noble.js';
import { der, fixtureBytes, fixtureText, throwsAlert } from './x509-helpers.js';

const s = suite('x509 pem');

s('base64 round-trips every length and rejects bad input', () => {
  for (let n = 0; n < 40; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    const t = base64Encode(b);
    assert.is(t, Buffer.from(b).toString('base64'));
    assert.equal(base64Decode(t), b);
  }
  for (const bad of ['A', 'AB=C', 'A===', '====', 'AB*D', 'ABC=ABCD', 'AB==AB==', 'AR==', 'ABD=', 'é===']) {
    assert.is(base64Decode(bad), undefined, bad);
  }
});

s('decodes the openssl certificate and matches its DER file', () => {
  const blocks = decodePem(fixtureText('server.pem'));
  assert.is(blocks.length, 1);
  assert.is(blocks[0].label, 'CERTIFICATE');
  assert.equal(blocks[0].der, fixtureBytes('server.der'));
});

s('several blocks, explanatory text between them, CRLF line ends', () => {
  const text = `leaf:\r\n${fixtureText('server.pem').replace(/\n/g, '\r\n')}issuer follows\n${fixtureText('inter.pem')}trailer`;
  const certs = loadCertificates(text);
  assert.is(certs.length, 2);
  assert.equal(certs[0], der('server'));
  assert.equal(certs[1], der('inter'));
  assert.equal(loadCertificates(fixtureText('server-chain.pem')), certs);
});

s('encodePem writes 64-character lines and decodes back', () => {
  const d = der('root');
  const pem = encodePem('CERTIFICATE', d);
  const lines = pem.trim().split('\n');
  assert.is(lines[0], '-----BEGIN CERTIFICATE-----');
  assert.is(lines[lines.length - 1], '-----END CERTIFICATE-----');
  for (const l of lines.slice(1, -2)) assert.is(l.length, 64);
  assert.equal(decodePem(pem)[0].der, d);
  const chain = encodeCertificatesPem([d, der('inter')]);
  assert.equal(loadCertificates(chain), [d, der('inter')]);
  throwsAlert(() => encodePem('bad label', d), 'internal_error');
});

s('malformed PEM → bad_certificate', () => {
  const body = fixtureText('server.pem');
  throwsAlert(() => decodePem(body.replace('-----END CERTIFICATE-----', '')), 'bad_certificate', /no matching END/);
  throwsAlert(() => decodePem(body.replace('END CERTIFICATE', 'END PRIVATE KEY')), 'bad_certificate', /no matching END/);
  throwsAlert(() => decodePem(body.replace(/\n([A-Za-z])/, '\n!$1')), 'bad_certificate', /base64/);
  throwsAlert(() => loadCertificates('no pem here'), 'bad_certificate', /no CERTIFICATE/);
  throwsAlert(() => loadCertificates(new Uint8Array(0)), 'bad_certificate');
  throwsAlert(() => loadCertificates([42 as unknown as string]), 'bad_certificate');
  throwsAlert(() => decodePem(7 as unknown as string), 'bad_certificate');
  assert.equal(decodePem('nothing'), []);
});

s('DER and lists of DER/PEM load in order', () => {
  const list = loadCertificates([der('server'), fixtureText('inter.pem')]);
  assert.equal(list, [der('server'), der('inter')]);
});

s('private keys: PKCS#8, SEC1 and PKCS#1 PEM, and DER guessing; the provider imports them', () => {
  const p = createNobleProvider();
  const pk8 = loadPrivateKeyDer(fixtureText('server.key'));
  assert.is(pk8.format, 'pkcs8');
  const sec1 = loadPrivateKeyDer(fixtureText('server-sec1.key'));
  assert.is(sec1.format, 'sec1');
  const rsa = loadPrivateKeyDer(fixtureText('rsa-pkcs1.key'));
  assert.is(rsa.format, 'pkcs1');
  for (const k of [pk8, sec1, rsa]) {
    assert.is(loadPrivateKeyDer(k.der).format, k.format);
    assert.is(guessPrivateKeyFormat(k.der), k.format);
  }
  // SEC1 and PKCS#8 of the same key give the same public key.
  assert.equal(p.importPrivateKey(pk8.der).publicKey.spki, p.importPrivateKey(sec1.der).publicKey.spki);
  assert.is(p.importPrivateKey(rsa.der).type, 'rsa');
  assert.is(guessPrivateKeyFormat(der('server')), undefined);
  assert.is(guessPrivateKeyFormat(new Uint8Array(3)), undefined);
});

s('private key errors', () => {
  throwsAlert(() => loadPrivateKeyDer(fixtureText('server.pem')), 'bad_certificate', /no private key/);
  throwsAlert(() => loadPrivateKeyDer(fixtureText('server.key') + fixtureText('root.key')), 'bad_certificate', /more than one/);
  throwsAlert(() => loadPrivateKeyDer(encodePem('ENCRYPTED PRIVATE KEY', new Uint8Array([1]))), 'bad_certificate', /unsupported/);
  throwsAlert(() => loadPrivateKeyDer(der('server')), 'bad_certificate', /unrecognised/);
  throwsAlert(() => loadPrivateKeyDer(5 as unknown as Uint8Array), 'bad_certificate');
});

s('base64url (unpadded, as in JWK) decodes every length and alphabet char, and refuses the rest', () => {
  for (let n = 0; n <= 70; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 0xff);
    const text = Buffer.from(b).toString('base64url');
    assert.equal(base64UrlDecode(text), b, `${n} bytes`);
  }
  // All 64 characters: 0x00..0xff spread over 48 bytes hits every 6-bit value.
  const all = Uint8Array.from({ length: 48 }, (_, i) => [0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30, 0xd3, 0x8f,
    0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9b, 0x71, 0xd7, 0x9f, 0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a, 0xab,
    0xb2, 0xdb, 0xaf, 0xc3, 0x1c, 0xb3, 0xd3, 0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf][i]);
  assert.is(Buffer.from(all).toString('base64url'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
  assert.equal(base64UrlDecode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), all);
  // X25519 public key of RFC 7748 §6.1 (Alice), as a JWK x member.
  assert.equal(
    base64UrlDecode('hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo'),
    Uint8Array.from(Buffer.from('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a', 'hex')),
  );
  for (const bad of ['A', 'AAAAA', 'AB+C', 'AB/C', 'AB=', 'AA==', 'A B', 'AB\u00e9', 'AB', 'AAB']) {
    // 'AB' and 'AAB' carry non-zero unused bits ('AA' and 'AAA' would not).
    assert.is(base64UrlDecode(bad), undefined, bad);
  }
  assert.equal(base64UrlDecode('AA'), new Uint8Array(1));
  assert.equal(base64UrlDecode('AAA'), new Uint8Array(2));
});

s.run();
