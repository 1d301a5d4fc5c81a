import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AeadAlgorithm, HashAlgorithm, HeaderProtectionAlgorithm } from '../src/crypto/provider.js';
import { defaultProvider } from '../src/crypto/default.js';
import { fixture, hex, providers, pseudoRandom, throwsCode, toHex } from './crypto-helpers.js';

interface HkdfCase { name: string; hash: HashAlgorithm; ikm: string; salt: string; info: string; length: number; prk: string; okm: string }
const hkdfCases = fixture<{ cases: HkdfCase[] }>('rfc5869-hkdf-sha256.json').cases;
interface V9001 {
  keys: Record<string, string>;
  client_initial: { sample: string; mask: string; packet_number: number; unprotected_header: string; crypto_frame: string;
    payload_length_with_padding: number; protected_packet: string };
  server_initial: { sample: string; mask: string; packet_number: number; unprotected_header: string; payload: string; protected_packet: string };
  chacha20_short_header: { key: string; iv: string; hp: string; nonce: string; unprotected_header: string; payload_plaintext: string;
    payload_ciphertext: string; sample: string; mask: string };
}
const v = fixture<V9001>('vectors-rfc9001.json');

function nonceFor(iv: Uint8Array, pn: number): Uint8Array {
  const n = Uint8Array.from(iv);
  for (let i = 0; i < 8; i++) n[n.length - 1 - i] ^= Math.floor(pn / 2 ** (8 * i)) & 0xff;
  return n;
}

const s = suite('crypto symmetric');

// FIPS 180-2 examples: SHA-256/384/512 of "abc".
const ABC = new TextEncoder().encode('abc');
const SHA_ABC: Record<HashAlgorithm, string> = {
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  sha384: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  sha512: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
};

for (const p of providers) {
  s(`${p.name}: hash lengths and one-shot hashes of "abc"`, () => {
    for (const h of ['sha256', 'sha384', 'sha512'] as const) {
      assert.is(p.hashLength(h), SHA_ABC[h].length / 2);
      assert.is(toHex(p.hash(h, ABC)), SHA_ABC[h]);
    }
    throwsCode(() => p.hashLength('md5' as HashAlgorithm), 'UNSUPPORTED');
    throwsCode(() => p.hash('sha1' as HashAlgorithm, ABC), 'UNSUPPORTED');
  });

  s(`${p.name}: incremental hash with clone keeps intermediate values`, () => {
    const h = p.createHash('sha256');
    h.update(ABC.subarray(0, 1));
    const early = h.clone();
    h.update(ABC.subarray(1));
    assert.is(toHex(early.digest()), toHex(p.hash('sha256', ABC.subarray(0, 1))));
    assert.is(toHex(h.digest()), SHA_ABC.sha256);
    throwsCode(() => h.update(ABC), 'BAD_INPUT', 'update after digest');
    throwsCode(() => h.digest(), 'BAD_INPUT', 'digest twice');
    throwsCode(() => h.clone(), 'BAD_INPUT', 'clone after digest');
    throwsCode(() => p.createHash('sha256').update('abc' as unknown as Uint8Array), 'BAD_INPUT');
  });

  s(`${p.name}: HMAC (RFC 4231 test case 2) and HKDF RFC 5869 A.1-A.3`, () => {
    const mac = p.hmac('sha256', new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'));
    assert.is(toHex(mac), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    for (const c of hkdfCases) {
      const prk = p.hkdfExtract(c.hash, hex(c.salt), hex(c.ikm));
      assert.is(toHex(prk), c.prk, c.name);
      assert.is(toHex(p.hkdfExpand(c.hash, prk, hex(c.info), c.length)), c.okm, c.name);
    }
  });

  s(`${p.name}: HKDF-Expand bounds`, () => {
    const prk = new Uint8Array(32).fill(7);
    assert.is(p.hkdfExpand('sha256', prk, new Uint8Array(0), 255 * 32).length, 255 * 32);
    assert.is(p.hkdfExpand('sha256', prk, new Uint8Array(0), 0).length, 0);
    throwsCode(() => p.hkdfExpand('sha256', prk, new Uint8Array(0), 255 * 32 + 1), 'BAD_INPUT');
    throwsCode(() => p.hkdfExpand('sha384', prk, new Uint8Array(0), -1), 'BAD_INPUT');
    throwsCode(() => p.hkdfExpand('sha256', prk, new Uint8Array(0), 1.5), 'BAD_INPUT');
  });

  s(`${p.name}: RFC 9001 A.2/A.3 AES-128-GCM packet protection and AES-ECB header protection`, () => {
    const k = v.keys;
    const ci = v.client_initial;
    const payload = new Uint8Array(ci.payload_length_with_padding);
    payload.set(hex(ci.crypto_frame));
    const header = hex(ci.unprotected_header);
    const aead = p.createAead('aes-128-gcm', hex(k.client_key));
    assert.is(aead.keyLength, 16);
    assert.is(aead.nonceLength, 12);
    assert.is(aead.tagLength, 16);
    const sealed = aead.seal(nonceFor(hex(k.client_iv), ci.packet_number), header, payload);
    const expected = hex(ci.protected_packet).subarray(header.length);
    assert.is(toHex(sealed), toHex(expected));
    assert.is(toHex(aead.open(nonceFor(hex(k.client_iv), ci.packet_number), header, expected)), toHex(payload));
    const hp = p.createHeaderProtection('aes-128-ecb', hex(k.client_hp));
    assert.is(hp.sampleLength, 16);
    assert.is(toHex(hp.mask(hex(ci.sample)).subarray(0, 5)), ci.mask);
    // The context is reused: a second and third mask from the same object stay correct.
    const si = v.server_initial;
    const shp = p.createHeaderProtection('aes-128-ecb', hex(k.server_hp));
    assert.is(toHex(shp.mask(hex(si.sample)).subarray(0, 5)), si.mask);
    assert.is(toHex(shp.mask(hex(si.sample)).subarray(0, 5)), si.mask);
    const saead = p.createAead('aes-128-gcm', hex(k.server_key));
    const sh = hex(si.unprotected_header);
    const sSealed = saead.seal(nonceFor(hex(k.server_iv), si.packet_number), sh, hex(si.payload));
    assert.is(toHex(sSealed), toHex(hex(si.protected_packet).subarray(sh.length)));
  });

  s(`${p.name}: RFC 9001 A.5 ChaCha20-Poly1305 short header packet`, () => {
    const c = v.chacha20_short_header;
    const aead = p.createAead('chacha20-poly1305', hex(c.key));
    assert.is(aead.keyLength, 32);
    const sealed = aead.seal(hex(c.nonce), hex(c.unprotected_header), hex(c.payload_plaintext));
    assert.is(toHex(sealed), c.payload_ciphertext);
    assert.is(toHex(aead.open(hex(c.nonce), hex(c.unprotected_header), sealed)), c.payload_plaintext);
    const hp = p.createHeaderProtection('chacha20', hex(c.hp));
    assert.is(toHex(hp.mask(hex(c.sample)).subarray(0, 5)), c.mask);
    // A longer sample buffer: only the first 16 bytes count.
    const longer = new Uint8Array(20);
    longer.set(hex(c.sample));
    assert.is(toHex(hp.mask(longer).subarray(0, 5)), c.mask);
  });

  s(`${p.name}: AEAD rejects bad keys, nonces and tampering`, () => {
    for (const [alg, len] of [['aes-128-gcm', 16], ['aes-256-gcm', 32], ['chacha20-poly1305', 32]] as const) {
      throwsCode(() => p.createAead(alg, new Uint8Array(len - 1)), 'BAD_KEY', `${alg} short key`);
      throwsCode(() => p.createAead(alg, new Uint8Array(len + 8)), 'BAD_KEY', `${alg} long key`);
      const key = pseudoRandom(len, len);
      const a = p.createAead(alg, key);
      const nonce = pseudoRandom(12, 3);
      const aad = pseudoRandom(21, 4);
      const pt = pseudoRandom(100, 5);
      const ct = a.seal(nonce, aad, pt);
      assert.is(ct.length, pt.length + 16);
      assert.is(toHex(a.open(nonce, aad, ct)), toHex(pt));
      throwsCode(() => a.seal(new Uint8Array(8), aad, pt), 'BAD_NONCE', `${alg} short nonce`);
      throwsCode(() => a.open(new Uint8Array(16), aad, ct), 'BAD_NONCE', `${alg} long nonce`);
      const flip = (b: Uint8Array, i: number): Uint8Array => { const c = Uint8Array.from(b); c[i] ^= 1; return c; };
      throwsCode(() => a.open(nonce, aad, flip(ct, 0)), 'AUTH_FAILED', `${alg} tampered ciphertext`);
      throwsCode(() => a.open(nonce, aad, flip(ct, ct.length - 1)), 'AUTH_FAILED', `${alg} tampered tag`);
      throwsCode(() => a.open(nonce, flip(aad, 3), ct), 'AUTH_FAILED', `${alg} tampered aad`);
      throwsCode(() => a.open(flip(nonce, 11), aad, ct), 'AUTH_FAILED', `${alg} wrong nonce`);
      throwsCode(() => a.open(nonce, aad, ct.subarray(0, 15)), 'AUTH_FAILED', `${alg} shorter than tag`);
      throwsCode(() => a.open(nonce, new Uint8Array(0), ct), 'AUTH_FAILED', `${alg} missing aad`);
      // Empty plaintext and empty AAD work.
      const empty = a.seal(nonce, new Uint8Array(0), new Uint8Array(0));
      assert.is(empty.length, 16);
      assert.is(a.open(nonce, new Uint8Array(0), empty).length, 0);
      throwsCode(() => a.seal(nonce, 'x' as unknown as Uint8Array, pt), 'BAD_INPUT');
      throwsCode(() => a.seal(nonce, aad, {} as unknown as Uint8Array), 'BAD_INPUT', `${alg} plaintext not bytes`);
      throwsCode(() => a.seal(nonce, aad, 'abc' as unknown as Uint8Array), 'BAD_INPUT', `${alg} plaintext a string`);
      throwsCode(() => a.open(nonce, aad, {} as unknown as Uint8Array), 'BAD_INPUT', `${alg} ciphertext not bytes`);
      throwsCode(() => a.sealInto(nonce, aad, {} as unknown as Uint8Array, new Uint8Array(100), 0), 'BAD_INPUT', `${alg} sealInto plaintext`);
    }
    throwsCode(() => p.createAead('aes-128-ccm' as AeadAlgorithm, new Uint8Array(16)), 'UNSUPPORTED');
  });

  s(`${p.name}: AEAD sealInto writes ciphertext‖tag at an offset, in place too, and refuses a short buffer`, () => {
    for (const [alg, len] of [['aes-128-gcm', 16], ['aes-256-gcm', 32], ['chacha20-poly1305', 32]] as const) {
      const a = p.createAead(alg, pseudoRandom(len, 40 + len));
      const nonce = pseudoRandom(12, 41);
      const aad = pseudoRandom(13, 42);
      for (const n of [0, 1, 100, 1171]) {
        const pt = pseudoRandom(n, 43 + n);
        const expected = toHex(a.seal(nonce, aad, pt));
        // At an unaligned offset, with the bytes around it untouched.
        const out = new Uint8Array(n + 16 + 10).fill(0xee);
        assert.is(a.sealInto(nonce, aad, pt, out, 7), n + 16, `${alg} ${n}: length`);
        assert.is(toHex(out.subarray(7, 7 + n + 16)), expected, `${alg} ${n}: bytes`);
        assert.ok(out.subarray(0, 7).every((b) => b === 0xee) && out.subarray(7 + n + 16).every((b) => b === 0xee), `${alg} ${n}: neighbours`);
        // In place: the plaintext already sits where the ciphertext goes, and the AAD lies in the same buffer.
        const buf = new Uint8Array(13 + n + 16);
        buf.set(aad, 0);
        buf.set(pt, 13);
        assert.is(a.sealInto(nonce, buf.subarray(0, 13), buf.subarray(13, 13 + n), buf, 13), n + 16);
        assert.is(toHex(buf.subarray(13)), expected, `${alg} ${n}: in place`);
        assert.is(toHex(a.open(nonce, aad, buf.subarray(13))), toHex(pt), `${alg} ${n}: opens`);
      }
      const pt = pseudoRandom(50, 44);
      throwsCode(() => a.sealInto(nonce, aad, pt, new Uint8Array(65), 0), 'BAD_INPUT', `${alg} one byte short`);
      throwsCode(() => a.sealInto(nonce, aad, pt, new Uint8Array(100), 40), 'BAD_INPUT', `${alg} no room at offset`);
      throwsCode(() => a.sealInto(nonce, aad, pt, new Uint8Array(100), -1), 'BAD_INPUT', `${alg} negative offset`);
      throwsCode(() => a.sealInto(nonce, aad, pt, new Uint8Array(100), 0.5), 'BAD_INPUT', `${alg} fractional offset`);
      throwsCode(() => a.sealInto(nonce, aad, pt, [] as unknown as Uint8Array, 0), 'BAD_INPUT', `${alg} not bytes`);
      throwsCode(() => a.sealInto(new Uint8Array(11), aad, pt, new Uint8Array(100), 0), 'BAD_NONCE', `${alg} short nonce`);
    }
  });

  s(`${p.name}: header protection rejects bad keys and samples`, () => {
    for (const [alg, len] of [['aes-128-ecb', 16], ['aes-256-ecb', 32], ['chacha20', 32]] as const) {
      throwsCode(() => p.createHeaderProtection(alg, new Uint8Array(len - 2)), 'BAD_KEY', alg);
      const hp = p.createHeaderProtection(alg, pseudoRandom(len, 9));
      throwsCode(() => hp.mask(new Uint8Array(15)), 'BAD_INPUT', `${alg} short sample`);
      assert.ok(hp.mask(new Uint8Array(16)).length >= 5);
    }
    throwsCode(() => p.createHeaderProtection('aes-192-ecb' as HeaderProtectionAlgorithm, new Uint8Array(24)), 'UNSUPPORTED');
  });

  s(`${p.name}: randomBytes and timingSafeEqual`, () => {
    const a = p.randomBytes(32);
    const b = p.randomBytes(32);
    assert.is(a.length, 32);
    assert.is.not(toHex(a), toHex(b));
    assert.is(p.randomBytes(0).length, 0);
    throwsCode(() => p.randomBytes(-1), 'BAD_INPUT');
    throwsCode(() => p.randomBytes(1 << 20), 'BAD_INPUT');
    assert.ok(p.timingSafeEqual(a, Uint8Array.from(a)));
    assert.not.ok(p.timingSafeEqual(a, b));
    assert.not.ok(p.timingSafeEqual(a, a.subarray(0, 31)));
    assert.ok(p.timingSafeEqual(new Uint8Array(0), new Uint8Array(0)));
    throwsCode(() => p.timingSafeEqual(a, null as unknown as Uint8Array), 'BAD_INPUT');
  });
}

s('node and noble agree on random inputs (hash, HMAC, HKDF, AEAD both ways, header protection)', () => {
  const [n, j] = providers;
  for (let i = 0; i < 48; i++) {
    const hash = (['sha256', 'sha384', 'sha512'] as const)[i % 3];
    const data = pseudoRandom(i * 37, 100 + i);
    assert.is(toHex(n.hash(hash, data)), toHex(j.hash(hash, data)));
    const key = pseudoRandom(i * 11 + 1, 200 + i);
    assert.is(toHex(n.hmac(hash, key, data)), toHex(j.hmac(hash, key, data)));
    const prkN = n.hkdfExtract(hash, key, data);
    assert.is(toHex(prkN), toHex(j.hkdfExtract(hash, key, data)));
    const len = 1 + i * 29;
    assert.is(toHex(n.hkdfExpand(hash, prkN, data.subarray(0, 20), len)), toHex(j.hkdfExpand(hash, prkN, data.subarray(0, 20), len)));

    const alg = (['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as const)[i % 3];
    const akey = pseudoRandom(alg === 'aes-128-gcm' ? 16 : 32, 300 + i);
    const nonce = pseudoRandom(12, 400 + i);
    const aad = pseudoRandom(i * 3, 500 + i);
    const an = n.createAead(alg, akey);
    const aj = j.createAead(alg, akey);
    const ct = an.seal(nonce, aad, data);
    assert.is(toHex(aj.open(nonce, aad, ct)), toHex(data), `${alg} node→noble`);
    const into = new Uint8Array(data.length + 16 + i);
    aj.sealInto(nonce, aad, data, into, i);
    assert.is(toHex(into.subarray(i)), toHex(ct), `${alg} noble sealInto = node seal`);
    assert.is(toHex(an.open(nonce, aad, aj.seal(nonce, aad, data))), toHex(data), `${alg} noble→node`);

    const hpAlg = (['aes-128-ecb', 'aes-256-ecb', 'chacha20'] as const)[i % 3];
    const hpKey = pseudoRandom(hpAlg === 'aes-128-ecb' ? 16 : 32, 600 + i);
    const sample = pseudoRandom(16, 700 + i);
    if (i === 2) sample.fill(0xff, 0, 4); // ChaCha20 counter 0xffffffff must work too
    assert.is(
      toHex(n.createHeaderProtection(hpAlg, hpKey).mask(sample).subarray(0, 5)),
      toHex(j.createHeaderProtection(hpAlg, hpKey).mask(sample).subarray(0, 5)),
      hpAlg,
    );
  }
});

s('defaultProvider is a cached node provider', () => {
  assert.is(defaultProvider(), defaultProvider());
  assert.is(defaultProvider().name, 'node');
});

s.run();
