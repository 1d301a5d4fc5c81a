/** The parsed-certificate cache: same DER → same shared object, exact byte comparison, bounded size, no cached errors. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createNobleProvider } from '../src/crypto/noble.js';
import { createNodeProvider } from '../src/crypto/node.js';
import {
  CERTIFICATE_CACHE_SIZE,
  certificatePublicKey,
  clearCertificateCache,
  parseX509CertificateCached,
} from '../src/x509/certificateCache.js';
import { parseX509Certificate } from '../src/x509/certificate.js';
import { der, throwsAlert } from './x509-helpers.js';

const s = suite('x509 certificate cache');

s('the same bytes give the same parsed object; other bytes another; the input may change afterwards', () => {
  clearCertificateCache();
  const a = der('server');
  const first = parseX509CertificateCached(a);
  assert.equal(first, parseX509Certificate(a));
  assert.is(parseX509CertificateCached(a.slice()), first);
  const b = der('client');
  assert.is.not(parseX509CertificateCached(b), first);
  const copy = a.slice();
  const c1 = parseX509CertificateCached(copy);
  copy[copy.length - 1] ^= 1; // the caller's buffer changes: the cached certificate keeps its own copy
  assert.is(c1.der[c1.der.length - 1], a[a.length - 1]);
  // a node Buffer (whose slice() is a view) is copied too
  const buf = Buffer.from(der('inter'));
  const c2 = parseX509CertificateCached(buf);
  buf.fill(0);
  assert.equal(c2.der, der('inter'));
  assert.is(c2.der.constructor, Uint8Array);
});

s('malformed input is refused every time (errors are not cached)', () => {
  const bad = der('server').slice(0, 100);
  throwsAlert(() => parseX509CertificateCached(bad), 'bad_certificate');
  throwsAlert(() => parseX509CertificateCached(bad), 'bad_certificate');
});

s('bounded: after more than CERTIFICATE_CACHE_SIZE distinct certificates the oldest are parsed again', () => {
  clearCertificateCache();
  const base = der('server');
  const first = parseX509CertificateCached(base);
  // distinct DER with the same structure: vary the last signature byte (parsing does not verify signatures)
  for (let i = 0; i < CERTIFICATE_CACHE_SIZE + 8; i++) {
    const d = base.slice();
    d[d.length - 1] = i & 0xff;
    d[d.length - 2] ^= (i >> 8) + 1;
    parseX509CertificateCached(d);
  }
  assert.is.not(parseX509CertificateCached(base), first);
});

s('public keys are imported once per certificate and provider', () => {
  const c = parseX509CertificateCached(der('server'));
  const node = createNodeProvider();
  const noble = createNobleProvider();
  const k1 = certificatePublicKey(c, node);
  assert.is(certificatePublicKey(c, node), k1);
  const k2 = certificatePublicKey(c, noble);
  assert.is.not(k2, k1);
  assert.equal(k2.spki, k1.spki);
});

s.run();
