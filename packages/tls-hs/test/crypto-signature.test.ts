import { generateKeyPairSync } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CURVE_ORDERS, encodeEcdsaSignature, parseEcdsaSignature } from '../src/crypto/ecdsaSignature.js';
import type { CryptoProvider, KeyType, PrivateKey, SignatureParams } from '../src/crypto/provider.js';
import { fixture, hex, providers, pseudoRandom, throwsCode, toHex } from './crypto-helpers.js';

interface EdCase { name: string; secret: string; public: string; message: string; signature: string }
const edCases = fixture<{ cases: EdCase[] }>('rfc8032-ed25519.json').cases;
const ED_PKCS8_PREFIX = '302e020100300506032b657004220420';
const ED_SPKI_PREFIX = '302a300506032b6570032100';

const [nodeP, nobleP] = providers;
// Keys generated once per suite (small RSA to stay fast).
const keys: Record<KeyType, PrivateKey> = {
  'ec-p256': nodeP.generateKeyPair('ec-p256'),
  'ec-p384': nodeP.generateKeyPair('ec-p384'),
  ed25519: nodeP.generateKeyPair('ed25519'),
  rsa: nodeP.generateKeyPair('rsa', { bits: 2048 }),
  'rsa-pss': nodeP.generateKeyPair('rsa-pss', { bits: 1024 }),
};
const HASHES = ['sha256', 'sha384', 'sha512'] as const;
const COMBOS: [KeyType, SignatureParams][] = [
  ...HASHES.flatMap((h): [KeyType, SignatureParams][] => [
    ['ec-p256', { kind: 'ecdsa', hash: h }],
    ['ec-p384', { kind: 'ecdsa', hash: h }],
    ['rsa', { kind: 'rsa-pss', hash: h }],
    ['rsa', { kind: 'rsa-pkcs1', hash: h }],
  ]),
  // 1024-bit key: PSS with SHA-512 does not fit (emLen < 2·hLen + 2), so only SHA-256/384 here.
  ['rsa-pss', { kind: 'rsa-pss', hash: 'sha256' }],
  ['rsa-pss', { kind: 'rsa-pss', hash: 'sha384' }],
  ['ed25519', { kind: 'ed25519' }],
];
const label = (t: KeyType, p: SignatureParams): string => `${t}/${p.kind}${'hash' in p ? `/${p.hash}` : ''}`;

const s = suite('crypto signatures and keys');

for (const p of providers) {
  s(`${p.name}: RFC 8032 §7.1 Ed25519 vectors`, () => {
    for (const c of edCases) {
      const key = p.importPrivateKey(hex(ED_PKCS8_PREFIX + c.secret));
      assert.is(key.type, 'ed25519');
      assert.is(toHex(key.publicKey.spki), ED_SPKI_PREFIX + c.public, c.name);
      assert.is(toHex(key.pkcs8), ED_PKCS8_PREFIX + c.secret, c.name);
      const sig = p.sign(key, { kind: 'ed25519' }, hex(c.message));
      assert.is(toHex(sig), c.signature, c.name);
      const pub = p.importPublicKey(hex(ED_SPKI_PREFIX + c.public));
      assert.is(pub.bits, 256);
      p.verify(pub, { kind: 'ed25519' }, hex(c.message), hex(c.signature));
      const bad = hex(c.signature);
      bad[10] ^= 4;
      throwsCode(() => p.verify(pub, { kind: 'ed25519' }, hex(c.message), bad), 'BAD_SIGNATURE', c.name);
      throwsCode(() => p.verify(pub, { kind: 'ed25519' }, hex(c.message), bad.subarray(0, 63)), 'BAD_SIGNATURE', `${c.name} short`);
    }
  });
}

s('node and noble: sign in one, verify in the other, for every key type and SignatureParams', () => {
  const data = pseudoRandom(333, 1);
  for (const [type, params] of COMBOS) {
    const key = keys[type];
    for (const [signer, verifier] of [[nodeP, nobleP], [nobleP, nodeP], [nobleP, nobleP]] as const) {
      const k = signer === nodeP ? key : signer.importPrivateKey(key.pkcs8);
      const pub = verifier.importPublicKey(k.publicKey.spki);
      assert.is(pub.type, type);
      const sig = signer.sign(k, params, data);
      verifier.verify(pub, params, data, sig);
      const other = Uint8Array.from(data);
      other[0] ^= 1;
      throwsCode(() => verifier.verify(pub, params, other, sig), 'BAD_SIGNATURE', `${label(type, params)} ${signer.name}→${verifier.name} wrong data`);
    }
  }
});

for (const p of providers) {
  s(`${p.name}: key import — PKCS#8, SEC1, PKCS#1, SPKI agree with node:crypto encodings`, () => {
    for (const curve of ['P-256', 'P-384'] as const) {
      const kp = generateKeyPairSync('ec', { namedCurve: curve });
      const pkcs8 = kp.privateKey.export({ format: 'der', type: 'pkcs8' });
      const sec1 = kp.privateKey.export({ format: 'der', type: 'sec1' });
      const spki = kp.publicKey.export({ format: 'der', type: 'spki' });
      const a = p.importPrivateKey(pkcs8);
      const b = p.importPrivateKey(sec1);
      assert.is(a.type, curve === 'P-256' ? 'ec-p256' : 'ec-p384');
      assert.is(a.publicKey.bits, curve === 'P-256' ? 256 : 384);
      assert.is(toHex(a.pkcs8), toHex(pkcs8));
      assert.is(toHex(b.pkcs8), toHex(pkcs8));
      assert.is(toHex(a.publicKey.spki), toHex(spki));
      assert.is(toHex(p.importPublicKey(spki).spki), toHex(spki));
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pkcs1 = rsa.privateKey.export({ format: 'der', type: 'pkcs1' });
    const r = p.importPrivateKey(pkcs1);
    assert.is(r.type, 'rsa');
    assert.is(r.publicKey.bits, 1024);
    assert.is(toHex(r.pkcs8), toHex(rsa.privateKey.export({ format: 'der', type: 'pkcs8' })));
    assert.is(toHex(r.publicKey.spki), toHex(rsa.publicKey.export({ format: 'der', type: 'spki' })));
    const ed = generateKeyPairSync('ed25519');
    assert.is(toHex(p.importPrivateKey(ed.privateKey.export({ format: 'der', type: 'pkcs8' })).publicKey.spki), toHex(ed.publicKey.export({ format: 'der', type: 'spki' })));
    // A PSS key with parameters restricting the hash to SHA-384.
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 1024, hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384' });
    const pk = p.importPrivateKey(pss.privateKey.export({ format: 'der', type: 'pkcs8' }));
    const pubk = p.importPublicKey(pss.publicKey.export({ format: 'der', type: 'spki' }));
    assert.is(pk.type, 'rsa-pss');
    const data = pseudoRandom(50, 2);
    p.verify(pubk, { kind: 'rsa-pss', hash: 'sha384' }, data, p.sign(pk, { kind: 'rsa-pss', hash: 'sha384' }, data));
    throwsCode(() => p.sign(pk, { kind: 'rsa-pss', hash: 'sha256' }, data), 'BAD_KEY', 'PSS key restricted to sha384');
  });

  s(`${p.name}: generateKeyPair for every type yields working keys`, () => {
    const data = pseudoRandom(40, 3);
    for (const [type, params] of [
      ['ec-p256', { kind: 'ecdsa', hash: 'sha256' }],
      ['ec-p384', { kind: 'ecdsa', hash: 'sha384' }],
      ['ed25519', { kind: 'ed25519' }],
      ['rsa-pss', { kind: 'rsa-pss', hash: 'sha256' }],
    ] as [KeyType, SignatureParams][]) {
      const k = p.generateKeyPair(type, { bits: 1024 });
      assert.is(k.type, type);
      assert.is(toHex(p.importPrivateKey(k.pkcs8).publicKey.spki), toHex(k.publicKey.spki));
      const other = p === nodeP ? nobleP : nodeP;
      other.verify(other.importPublicKey(k.publicKey.spki), params, data, p.sign(k, params, data));
    }
    throwsCode(() => p.generateKeyPair('rsa', { bits: 512 }), 'BAD_INPUT');
    throwsCode(() => p.generateKeyPair('rsa', { bits: 1025 }), 'BAD_INPUT');
    throwsCode(() => p.generateKeyPair('dsa' as KeyType), 'UNSUPPORTED');
  });

  s(`${p.name}: malformed or unsupported keys → BAD_KEY / UNSUPPORTED`, () => {
    const ec = keys['ec-p256'];
    throwsCode(() => p.importPrivateKey(new Uint8Array(0)), 'BAD_KEY', 'empty');
    throwsCode(() => p.importPrivateKey(pseudoRandom(64, 9)), 'BAD_KEY', 'garbage');
    throwsCode(() => p.importPrivateKey(ec.pkcs8.subarray(0, ec.pkcs8.length - 3)), 'BAD_KEY', 'truncated pkcs8');
    const trailing = new Uint8Array(ec.pkcs8.length + 1);
    trailing.set(ec.pkcs8);
    throwsCode(() => p.importPrivateKey(trailing), 'BAD_KEY', 'trailing byte');
    throwsCode(() => p.importPublicKey(ec.publicKey.spki.subarray(0, 40)), 'BAD_KEY', 'truncated spki');
    throwsCode(() => p.importPublicKey(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), 'BAD_KEY', 'not an spki');
    // Off-curve point: flip the last coordinate byte.
    const off = Uint8Array.from(ec.publicKey.spki);
    off[off.length - 1] ^= 1;
    throwsCode(() => p.importPublicKey(off), 'BAD_KEY', 'off-curve');
    // Scalar 0 in a SEC1 key.
    const sec1Zero = hex('30310201010420' + '00'.repeat(32) + 'a00a06082a8648ce3d030107');
    throwsCode(() => p.importPrivateKey(sec1Zero), 'BAD_KEY', 'zero scalar');
    // P-521 and X25519 keys are well-formed but not offered.
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    throwsCode(() => p.importPrivateKey(p521.privateKey.export({ format: 'der', type: 'pkcs8' })), 'UNSUPPORTED', 'P-521 private');
    throwsCode(() => p.importPublicKey(p521.publicKey.export({ format: 'der', type: 'spki' })), 'UNSUPPORTED', 'P-521 public');
    const x = generateKeyPairSync('x25519');
    throwsCode(() => p.importPublicKey(x.publicKey.export({ format: 'der', type: 'spki' })), 'UNSUPPORTED', 'x25519 spki');
    throwsCode(() => p.importPrivateKey(x.privateKey.export({ format: 'der', type: 'pkcs8' })), 'UNSUPPORTED', 'x25519 pkcs8');
    // RSA below 1024 bits, and an inconsistent RSA key (n ≠ p·q).
    const small = generateKeyPairSync('rsa', { modulusLength: 512 });
    throwsCode(() => p.importPublicKey(small.publicKey.export({ format: 'der', type: 'spki' })), 'BAD_KEY', 'RSA-512');
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs1' });
    const broken = Uint8Array.from(pkcs1);
    broken[broken.length - 1] ^= 1; // last byte of the CRT coefficient
    throwsCode(() => p.importPrivateKey(broken), 'BAD_KEY', 'inconsistent RSA');
    throwsCode(() => p.importPublicKey(null as unknown as Uint8Array), 'BAD_KEY', 'null');
  });

  s(`${p.name}: malformed signatures and wrong-type keys`, () => {
    const data = pseudoRandom(64, 4);
    for (const t of ['ec-p256', 'ec-p384'] as const) {
      const k = keys[t];
      const pub = p.importPublicKey(k.publicKey.spki);
      const params = { kind: 'ecdsa', hash: 'sha256' } as const;
      const sig = p.sign(p.importPrivateKey(k.pkcs8), params, data);
      const curve = t === 'ec-p256' ? 'P-256' : 'P-384';
      const { r, s: sv } = parseEcdsaSignature(sig, curve);
      // High-S is accepted (as OpenSSL does).
      p.verify(pub, params, data, encodeEcdsaSignature(r, CURVE_ORDERS[curve] - sv));
      throwsCode(() => p.verify(pub, params, data, sig.subarray(0, sig.length - 1)), 'BAD_SIGNATURE', 'truncated');
      throwsCode(() => p.verify(pub, params, data, new Uint8Array(5)), 'BAD_SIGNATURE', 'short');
      const trailing = new Uint8Array(sig.length + 1);
      trailing.set(sig);
      throwsCode(() => p.verify(pub, params, data, trailing), 'BAD_SIGNATURE', 'trailing');
      throwsCode(() => p.verify(pub, params, data, encodeEcdsaSignature(0n, sv)), 'BAD_SIGNATURE', 'r = 0');
      throwsCode(() => p.verify(pub, params, data, encodeEcdsaSignature(r, CURVE_ORDERS[curve])), 'BAD_SIGNATURE', 's = n');
      // Non-minimal INTEGER: r with an extra leading zero byte.
      const rb = encodeEcdsaSignature(r, sv);
      const rLen = rb[rb[1] === 0x81 ? 4 : 3];
      const start = rb[1] === 0x81 ? 5 : 4;
      const padded = new Uint8Array([0x30, 0, 0x02, rLen + 1, 0, ...rb.subarray(start, start + rLen), ...rb.subarray(start + rLen)]);
      padded[1] = padded.length - 2;
      if (padded.length - 2 < 0x80) throwsCode(() => p.verify(pub, params, data, padded), 'BAD_SIGNATURE', 'non-minimal r');
      const raw = new Uint8Array(sig.length);
      throwsCode(() => p.verify(pub, params, data, raw), 'BAD_SIGNATURE', 'zeros');
      throwsCode(() => p.verify(pub, params, data, 'sig' as unknown as Uint8Array), 'BAD_SIGNATURE', 'not bytes');
    }
    for (const t of ['rsa', 'rsa-pss'] as const) {
      const k = p.importPrivateKey(keys[t].pkcs8);
      const params = { kind: 'rsa-pss', hash: 'sha256' } as const;
      const sig = p.sign(k, params, data);
      throwsCode(() => p.verify(k.publicKey, params, data, sig.subarray(1)), 'BAD_SIGNATURE', `${t} short`);
      const flipped = Uint8Array.from(sig);
      flipped[100] ^= 0x10;
      throwsCode(() => p.verify(k.publicKey, params, data, flipped), 'BAD_SIGNATURE', `${t} flipped`);
      throwsCode(() => p.verify(k.publicKey, params, data, new Uint8Array(sig.length).fill(0xff)), 'BAD_SIGNATURE', `${t} ≥ n`);
      throwsCode(() => p.verify(k.publicKey, { kind: 'rsa-pss', hash: 'sha384' }, data, sig), 'BAD_SIGNATURE', `${t} wrong hash`);
    }
    // PSS with SHA-512 needs a modulus of at least 8·(2·64 + 2) bits: a 1024-bit key cannot sign it.
    throwsCode(() => p.sign(p.importPrivateKey(keys['rsa-pss'].pkcs8), { kind: 'rsa-pss', hash: 'sha512' }, data), 'BAD_KEY', 'PSS-SHA512 on RSA-1024');
    const rsaKey = p.importPrivateKey(keys.rsa.pkcs8);
    const pk1 = p.sign(rsaKey, { kind: 'rsa-pkcs1', hash: 'sha256' }, data);
    throwsCode(() => p.verify(rsaKey.publicKey, { kind: 'rsa-pkcs1', hash: 'sha384' }, data, pk1), 'BAD_SIGNATURE', 'pkcs1 wrong hash');
    throwsCode(() => p.verify(rsaKey.publicKey, { kind: 'rsa-pss', hash: 'sha256' }, data, pk1), 'BAD_SIGNATURE', 'pkcs1 sig as PSS');
    // Key type / params mismatches.
    const wrong: [KeyType, SignatureParams][] = [
      ['ec-p256', { kind: 'ed25519' }],
      ['ed25519', { kind: 'ecdsa', hash: 'sha256' }],
      ['rsa', { kind: 'ecdsa', hash: 'sha256' }],
      ['rsa-pss', { kind: 'rsa-pkcs1', hash: 'sha256' }],
      ['ec-p384', { kind: 'rsa-pss', hash: 'sha384' }],
    ];
    for (const [t, params] of wrong) {
      const k = p.importPrivateKey(keys[t].pkcs8);
      throwsCode(() => p.sign(k, params, data), 'BAD_KEY', `sign ${label(t, params)}`);
      throwsCode(() => p.verify(k.publicKey, params, data, new Uint8Array(64)), 'BAD_KEY', `verify ${label(t, params)}`);
    }
    throwsCode(() => p.sign(keys['ec-p256'], { kind: 'ecdsa', hash: 'md5' } as unknown as SignatureParams, data), 'UNSUPPORTED');
    throwsCode(() => p.sign(keys['ec-p256'], { kind: 'dsa' } as unknown as SignatureParams, data), 'UNSUPPORTED');
    throwsCode(() => p.sign({ type: 'rsa' } as unknown as PrivateKey, { kind: 'rsa-pss', hash: 'sha256' }, data), 'BAD_KEY', 'fake key');
  });
}

s('noble RSA key generation (1024 bits) interoperates with node', () => {
  const k = nobleP.generateKeyPair('rsa', { bits: 1024 });
  assert.is(k.publicKey.bits, 1024);
  const data = pseudoRandom(77, 5);
  const pub = nodeP.importPublicKey(k.publicKey.spki);
  for (const params of [{ kind: 'rsa-pkcs1', hash: 'sha256' }, { kind: 'rsa-pss', hash: 'sha384' }] as const) {
    nodeP.verify(pub, params, data, nobleP.sign(k, params, data));
    nobleP.verify(k.publicKey, params, data, nodeP.sign(nodeP.importPrivateKey(k.pkcs8), params, data));
  }
});

s('keys cross providers without re-import (foreign key objects are re-parsed from DER)', () => {
  const data = pseudoRandom(20, 6);
  const sig = nobleP.sign(keys['ec-p384'], { kind: 'ecdsa', hash: 'sha384' }, data);
  nodeP.verify(keys['ec-p384'].publicKey, { kind: 'ecdsa', hash: 'sha384' }, data, sig);
  nobleP.verify(keys['ec-p384'].publicKey, { kind: 'ecdsa', hash: 'sha384' }, data, sig);
  const plain: CryptoProvider = nodeP;
  const rebuilt = { type: keys.ed25519.type, spki: Uint8Array.from(keys.ed25519.publicKey.spki), bits: 256 };
  plain.verify(rebuilt, { kind: 'ed25519' }, data, nobleP.sign(keys.ed25519, { kind: 'ed25519' }, data));
});

s.run();
