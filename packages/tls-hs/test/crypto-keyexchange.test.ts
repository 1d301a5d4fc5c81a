import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KeyExchangeGroup } from '../src/crypto/provider.js';
import { X25519MLKEM768_SIZES } from '../src/crypto/keyShare.js';
import { fixture, hex, providers, pseudoRandom, throwsCode, toHex } from './crypto-helpers.js';

interface X25519Vectors {
  scalarMult: { scalar: string; u: string; out: string }[];
  iterated: { start: string; after1: string; after1000: string };
  dh: { alicePrivate: string; alicePublic: string; bobPrivate: string; bobPublic: string; shared: string };
}
const xv = fixture<X25519Vectors>('rfc7748-x25519.json');
const GROUPS: readonly KeyExchangeGroup[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];
const SHARE_LEN: Record<KeyExchangeGroup, [number, number, number]> = {
  x25519: [32, 32, 32],
  secp256r1: [65, 65, 32],
  secp384r1: [97, 97, 48],
  X25519MLKEM768: [1216, 1120, 64],
};

const s = suite('crypto key exchange');

for (const p of providers) {
  s(`${p.name}: RFC 7748 §5.2 and §6.1 X25519 vectors through generateKeyShare / respondKeyShare with a chosen key`, () => {
    // X25519(k, u) is the shared secret of a share made from scalar k, completed with peer value u.
    const x25519 = (k: Uint8Array, u: Uint8Array): Uint8Array => p.generateKeyShare('x25519', k).complete(u);
    for (const c of xv.scalarMult) assert.is(toHex(x25519(hex(c.scalar), hex(c.u))), c.out);
    let k = hex(xv.iterated.start);
    let u = hex(xv.iterated.start);
    for (let i = 1; i <= 1000; i++) {
      const next = x25519(k, u);
      u = k;
      k = next;
      if (i === 1) assert.is(toHex(k), xv.iterated.after1);
    }
    assert.is(toHex(k), xv.iterated.after1000);
    const d = xv.dh;
    const alice = p.generateKeyShare('x25519', hex(d.alicePrivate));
    assert.is(toHex(alice.publicKey), d.alicePublic);
    const bob = p.respondKeyShare('x25519', alice.publicKey, hex(d.bobPrivate));
    assert.is(toHex(bob.publicKey), d.bobPublic);
    assert.is(toHex(bob.sharedSecret), d.shared);
    assert.is(toHex(alice.complete(hex(d.bobPublic))), d.shared);
    throwsCode(() => p.generateKeyShare('x25519', new Uint8Array(31)), 'BAD_KEY', 'short scalar');
    throwsCode(() => p.respondKeyShare('x25519', alice.publicKey, new Uint8Array(33)), 'BAD_KEY', 'long scalar');
    throwsCode(() => alice.complete(new Uint8Array(32)), 'BAD_POINT', 'u = 0');
    throwsCode(() => alice.complete(alice.publicKey.subarray(0, 31)), 'BAD_POINT', 'short u');
  });

  s(`${p.name}: chosen NIST private keys: both providers derive the same public key and agree; bad ones are BAD_KEY`, () => {
    const ORDER: Record<'secp256r1' | 'secp384r1', string> = {
      secp256r1: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
      secp384r1: 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    };
    for (const g of ['secp256r1', 'secp384r1'] as const) {
      const len = g === 'secp256r1' ? 32 : 48;
      const a = pseudoRandom(len, 71);
      const b = pseudoRandom(len, 72);
      const share = p.generateKeyShare(g, a);
      // Same key, other provider: same public value (so the scalar really was used).
      const twin = providers.find((q) => q !== p)!.generateKeyShare(g, a);
      assert.is(toHex(share.publicKey), toHex(twin.publicKey), g);
      const resp = p.respondKeyShare(g, share.publicKey, b);
      assert.is(toHex(share.complete(resp.publicKey)), toHex(resp.sharedSecret), g);
      assert.is(toHex(twin.complete(resp.publicKey)), toHex(resp.sharedSecret), g);
      throwsCode(() => p.generateKeyShare(g, new Uint8Array(len)), 'BAD_KEY', `${g} zero scalar`);
      throwsCode(() => p.generateKeyShare(g, hex(ORDER[g])), 'BAD_KEY', `${g} scalar = n`);
      throwsCode(() => p.generateKeyShare(g, new Uint8Array(len).fill(0xff)), 'BAD_KEY', `${g} scalar > n`);
      throwsCode(() => p.respondKeyShare(g, share.publicKey, new Uint8Array(len - 1)), 'BAD_KEY', `${g} short scalar`);
    }
    throwsCode(() => p.generateKeyShare('X25519MLKEM768', new Uint8Array(32)), 'UNSUPPORTED', 'hybrid with a chosen key');
    const h = p.generateKeyShare('X25519MLKEM768');
    throwsCode(() => p.respondKeyShare('X25519MLKEM768', h.publicKey, new Uint8Array(32)), 'UNSUPPORTED', 'hybrid respond with a chosen key');
  });
}

for (const p of providers) {
  s(`${p.name}: every group completes with itself`, () => {
    for (const g of GROUPS) {
      const share = p.generateKeyShare(g);
      assert.is(share.group, g);
      assert.is(share.publicKey.length, SHARE_LEN[g][0], g);
      const resp = p.respondKeyShare(g, share.publicKey);
      assert.is(resp.publicKey.length, SHARE_LEN[g][1], g);
      assert.is(resp.sharedSecret.length, SHARE_LEN[g][2], g);
      assert.is(toHex(share.complete(resp.publicKey)), toHex(resp.sharedSecret), g);
    }
  });

  s(`${p.name}: invalid shares → BAD_POINT / UNSUPPORTED`, () => {
    // Low-order X25519 points (u = 0, u = 1) give an all-zero secret.
    const x = p.generateKeyShare('x25519');
    throwsCode(() => x.complete(new Uint8Array(32)), 'BAD_POINT', 'x25519 u=0');
    const one = new Uint8Array(32);
    one[0] = 1;
    throwsCode(() => p.respondKeyShare('x25519', one), 'BAD_POINT', 'x25519 u=1 respond');
    throwsCode(() => x.complete(new Uint8Array(33)), 'BAD_POINT', 'x25519 wrong length');
    for (const g of ['secp256r1', 'secp384r1'] as const) {
      const share = p.generateKeyShare(g);
      const other = p.generateKeyShare(g).publicKey;
      const offCurve = Uint8Array.from(other);
      offCurve[offCurve.length - 1] ^= 1;
      throwsCode(() => share.complete(offCurve), 'BAD_POINT', `${g} off-curve`);
      throwsCode(() => p.respondKeyShare(g, offCurve), 'BAD_POINT', `${g} off-curve respond`);
      const compressed = Uint8Array.from(other.subarray(0, 1 + (other.length - 1) / 2));
      compressed[0] = 2 + (other[other.length - 1] & 1);
      throwsCode(() => share.complete(compressed), 'BAD_POINT', `${g} compressed`);
      const hybridTag = Uint8Array.from(other);
      hybridTag[0] = 0x06;
      throwsCode(() => share.complete(hybridTag), 'BAD_POINT', `${g} wrong form byte`);
      throwsCode(() => share.complete(new Uint8Array(other.length)), 'BAD_POINT', `${g} zeros`);
    }
    const h = p.generateKeyShare('X25519MLKEM768');
    const resp = p.respondKeyShare('X25519MLKEM768', h.publicKey);
    throwsCode(() => h.complete(resp.publicKey.subarray(0, 1119)), 'BAD_POINT', 'hybrid short server share');
    throwsCode(() => p.respondKeyShare('X25519MLKEM768', h.publicKey.subarray(1)), 'BAD_POINT', 'hybrid short client share');
    // Encapsulation key whose first coefficient is ≥ q fails the FIPS 203 §7.2 check.
    const badEk = Uint8Array.from(h.publicKey);
    badEk[0] = 0xff;
    badEk[1] = 0xff;
    throwsCode(() => p.respondKeyShare('X25519MLKEM768', badEk), 'BAD_POINT', 'hybrid bad ek');
    // X25519 part of the hybrid is validated too.
    const lowOrder = Uint8Array.from(resp.publicKey);
    lowOrder.fill(0, X25519MLKEM768_SIZES.ciphertext);
    throwsCode(() => h.complete(lowOrder), 'BAD_POINT', 'hybrid x25519 zero');
    throwsCode(() => p.generateKeyShare('ffdhe2048' as KeyExchangeGroup), 'UNSUPPORTED');
    throwsCode(() => p.respondKeyShare('x448' as KeyExchangeGroup, new Uint8Array(56)), 'UNSUPPORTED');
  });
}

s('node and noble interoperate for every group (client in one, server in the other)', () => {
  const [a, b] = providers;
  for (const g of GROUPS) {
    for (const [client, server] of [[a, b], [b, a]]) {
      const share = client.generateKeyShare(g);
      const resp = server.respondKeyShare(g, share.publicKey);
      assert.is(toHex(share.complete(resp.publicKey)), toHex(resp.sharedSecret), `${g} ${client.name}→${server.name}`);
    }
  }
});

s('X25519MLKEM768 share layout: ML-KEM first, X25519 last (draft-ietf-tls-ecdhe-mlkem §3.1)', () => {
  const [n] = providers;
  const share = n.generateKeyShare('X25519MLKEM768');
  const resp = n.respondKeyShare('X25519MLKEM768', share.publicKey);
  // The X25519 parts at the end must agree via plain X25519 key agreement with the same shares.
  const clientX = share.publicKey.subarray(X25519MLKEM768_SIZES.encapsulationKey);
  const serverX = resp.publicKey.subarray(X25519MLKEM768_SIZES.ciphertext);
  assert.is(clientX.length, 32);
  assert.is(serverX.length, 32);
  const secret = share.complete(resp.publicKey);
  assert.is(toHex(secret), toHex(resp.sharedSecret));
  // Corrupting the ciphertext changes only the ML-KEM half (implicit rejection), not the X25519 half.
  const corrupted = Uint8Array.from(resp.publicKey);
  corrupted[5] ^= 0x40;
  const other = share.complete(corrupted);
  assert.is.not(toHex(other.subarray(0, 32)), toHex(secret.subarray(0, 32)));
  assert.is(toHex(other.subarray(32)), toHex(secret.subarray(32)));
});

s.run();
