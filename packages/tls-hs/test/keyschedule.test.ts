/** Key schedule pieces beyond the RFC 8448 trace: HRR transcript rule, lazy hash, SHA-384, PSK, exporter, errors. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KeySchedule, KeyScheduleError } from '../src/keyschedule/keySchedule.js';
import { Transcript } from '../src/keyschedule/transcript.js';
import {
  CIPHER_SUITES,
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256,
  cipherSuiteByCode,
  cipherSuiteByName,
} from '../src/keyschedule/cipherSuite.js';
import { nextTrafficSecret, trafficKeys } from '../src/keyschedule/trafficKeys.js';
import { tlsExporter } from '../src/keyschedule/exporter.js';
import { deriveSecret, emptyHash } from '../src/keyschedule/deriveSecret.js';
import { hkdfExpandLabel } from '../src/keyschedule/hkdfExpandLabel.js';
import { hex, providers, toHex } from './crypto-helpers.js';

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

for (const provider of providers) {
  const s = suite(`keyschedule (${provider.name})`);

  s('PSK-free constants are shared but the early secret handed out is a copy', () => {
    const a = new KeySchedule(provider, 'sha256');
    const e1 = a.early(null);
    const expected = toHex(e1);
    e1.fill(0); // a caller wiping its secret must not affect the next connection
    const b = new KeySchedule(provider, 'sha256');
    assert.is(toHex(b.early()), expected);
    assert.is(toHex(b.handshake(new Uint8Array(32))), toHex(new KeySchedule(provider, 'sha256').handshake(new Uint8Array(32))));
    // with a PSK the early secret differs and so does the handshake secret
    const c = new KeySchedule(provider, 'sha256');
    c.early(new Uint8Array(32).fill(1));
    assert.is.not(toHex(c.handshake(new Uint8Array(32))), toHex(b.handshakeSecret!));
  });

  s('transcript digests are memoized until the next update', () => {
    const t = new Transcript(provider, 'sha256');
    t.update(Uint8Array.of(1, 0, 0, 0));
    const d1 = t.digest();
    assert.is(t.digest(), d1);
    t.update(Uint8Array.of(2, 0, 0, 0));
    const d2 = t.digest();
    assert.is.not(toHex(d2), toHex(d1));
    assert.is(toHex(d2), toHex(provider.hash('sha256', Uint8Array.of(1, 0, 0, 0, 2, 0, 0, 0))));
    t.replaceWithMessageHash();
    assert.is.not(toHex(t.digest()), toHex(d2));
  });

  s('cipher suite table', () => {
    assert.is(CIPHER_SUITES.length, 3);
    assert.is(cipherSuiteByCode(0x1302), TLS_AES_256_GCM_SHA384);
    assert.is(cipherSuiteByCode(0x1304), undefined);
    assert.is(cipherSuiteByName('tls_chacha20_poly1305_sha256'), TLS_CHACHA20_POLY1305_SHA256);
    assert.is(cipherSuiteByName('nope'), undefined);
    for (const c of CIPHER_SUITES) assert.is(provider.hashLength(c.hash), c.hashLength);
  });

  s('transcript buffers until the hash is chosen, and equals a one-shot hash', () => {
    const m1 = Uint8Array.of(1, 0, 0, 2, 0xaa, 0xbb);
    const m2 = Uint8Array.of(2, 0, 0, 1, 0xcc);
    const t = new Transcript(provider);
    assert.is(t.hash, undefined);
    t.update(m1);
    assert.throws(() => t.digest(), /not chosen/);
    t.setHash('sha384');
    t.setHash('sha384');
    assert.throws(() => t.setHash('sha256'), /cannot switch/);
    assert.is(t.hash, 'sha384');
    assert.is(toHex(t.digest()), toHex(provider.hash('sha384', m1)));
    assert.is(toHex(t.digestWith(m2)), toHex(provider.hash('sha384', concat(m1, m2))));
    t.update(m2);
    assert.is(toHex(t.digest()), toHex(provider.hash('sha384', concat(m1, m2))));
  });

  s('HRR rule: ClientHello1 replaced by message_hash', () => {
    const ch1 = Uint8Array.of(1, 0, 0, 3, 1, 2, 3);
    const hrr = Uint8Array.of(2, 0, 0, 1, 9);
    const ch2 = Uint8Array.of(1, 0, 0, 1, 7);
    const t = new Transcript(provider);
    t.update(ch1);
    t.setHash('sha256');
    t.replaceWithMessageHash();
    t.update(hrr);
    t.update(ch2);
    const h1 = provider.hash('sha256', ch1);
    const synthetic = concat(Uint8Array.of(254, 0, 0, 32), h1);
    assert.is(toHex(t.digest()), toHex(provider.hash('sha256', concat(synthetic, hrr, ch2))));
    const t2 = new Transcript(provider, 'sha256');
    t2.update(ch1);
    t2.replaceWithMessageHash();
    assert.is(toHex(t2.digest()), toHex(provider.hash('sha256', synthetic)));
  });

  s('SHA-384 schedule follows the definitions (ChaCha/AES-256 key lengths)', () => {
    const ks = new KeySchedule(provider, 'sha384');
    const zeros = new Uint8Array(48);
    const early = ks.early();
    assert.is(toHex(early), toHex(provider.hkdfExtract('sha384', zeros, zeros)));
    const dhe = hex('11'.repeat(32));
    const hs = ks.handshake(dhe);
    const salt = hkdfExpandLabel(provider, 'sha384', early, 'derived', emptyHash(provider, 'sha384'), 48);
    assert.is(toHex(hs), toHex(provider.hkdfExtract('sha384', salt, dhe)));
    const th = provider.hash('sha384', Uint8Array.of(1));
    const c = ks.clientHandshakeTrafficSecret(th);
    assert.is(c.length, 48);
    assert.is(toHex(c), toHex(hkdfExpandLabel(provider, 'sha384', hs, 'c hs traffic', th, 48)));
    const k = trafficKeys(provider, TLS_AES_256_GCM_SHA384, c);
    assert.is(k.key.length, 32);
    assert.is(k.iv.length, 12);
    const next = nextTrafficSecret(provider, TLS_AES_256_GCM_SHA384, c);
    assert.is(toHex(next), toHex(hkdfExpandLabel(provider, 'sha384', c, 'traffic upd', new Uint8Array(0), 48)));
    assert.is(trafficKeys(provider, TLS_CHACHA20_POLY1305_SHA256, hex('22'.repeat(32))).key.length, 32);
  });

  s('PSK early secret, binder keys, early traffic, psk_ke handshake', () => {
    const psk = hex('33'.repeat(32));
    const ks = new KeySchedule(provider, 'sha256');
    const early = ks.early(psk);
    assert.is(toHex(early), toHex(provider.hkdfExtract('sha256', new Uint8Array(32), psk)));
    const e = emptyHash(provider, 'sha256');
    assert.is(toHex(ks.binderKey('external')), toHex(deriveSecret(provider, 'sha256', early, 'ext binder', e)));
    assert.is(toHex(ks.binderKey('resumption')), toHex(deriveSecret(provider, 'sha256', early, 'res binder', e)));
    const th = provider.hash('sha256', Uint8Array.of(5));
    assert.is(toHex(ks.clientEarlyTrafficSecret(th)), toHex(deriveSecret(provider, 'sha256', early, 'c e traffic', th)));
    assert.is(toHex(ks.earlyExporterMasterSecret(th)), toHex(deriveSecret(provider, 'sha256', early, 'e exp master', th)));
    const hs = ks.handshake(null); // psk_ke: zeros as the (EC)DHE input
    const salt = deriveSecret(provider, 'sha256', early, 'derived', e);
    assert.is(toHex(hs), toHex(provider.hkdfExtract('sha256', salt, new Uint8Array(32))));
  });

  s('out-of-order use throws KeyScheduleError', () => {
    const ks = new KeySchedule(provider, 'sha256');
    const th = new Uint8Array(32);
    assert.throws(() => ks.binderKey('external'), (e: unknown) => e instanceof KeyScheduleError);
    assert.throws(() => ks.clientHandshakeTrafficSecret(th), (e: unknown) => e instanceof KeyScheduleError);
    assert.throws(() => ks.master(), (e: unknown) => e instanceof KeyScheduleError);
    assert.throws(() => ks.clientApplicationTrafficSecret(th), (e: unknown) => e instanceof KeyScheduleError);
    ks.handshake(new Uint8Array(32)); // early secret implied
    assert.is(ks.stage, 'handshake');
    assert.throws(() => ks.early(), (e: unknown) => e instanceof KeyScheduleError);
    assert.throws(() => ks.handshake(null), (e: unknown) => e instanceof KeyScheduleError);
    ks.master();
    assert.throws(() => ks.master(), (e: unknown) => e instanceof KeyScheduleError);
    assert.is(ks.resumptionMasterSecret(th).length, 32);
  });

  s('TLS exporter (RFC 8446 §7.5) follows its definition; empty and absent context agree', () => {
    const ems = hex('44'.repeat(48));
    const ctx = Uint8Array.of(1, 2, 3);
    const out = tlsExporter(provider, 'sha384', ems, 'EXPERIMENTAL test', ctx, 40);
    const inner = deriveSecret(provider, 'sha384', ems, 'EXPERIMENTAL test', emptyHash(provider, 'sha384'));
    const want = hkdfExpandLabel(provider, 'sha384', inner, 'exporter', provider.hash('sha384', ctx), 40);
    assert.is(toHex(out), toHex(want));
    assert.is(
      toHex(tlsExporter(provider, 'sha384', ems, 'x', null, 16)),
      toHex(tlsExporter(provider, 'sha384', ems, 'x', new Uint8Array(0), 16)),
    );
  });

  s.run();
}
