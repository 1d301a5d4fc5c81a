import { createHmac } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ONE_SHOT_HMAC_MAX_MESSAGE, hmacOf } from '../src/crypto/nodeHmac.js';
import type { HashAlgorithm } from '../src/crypto/provider.js';
import { hex, pseudoRandom, toHex } from './crypto-helpers.js';

const s = suite('node provider HMAC on one-shot hashes');

const reference = (hash: HashAlgorithm, key: Uint8Array, ...parts: Uint8Array[]): string => {
  const h = createHmac(hash, key);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

s('RFC 4231 test cases 1, 2 and 6 (key longer than the block) for SHA-256/384/512', () => {
  const cases: { key: Uint8Array; data: Uint8Array; out: Record<HashAlgorithm, string> }[] = [
    {
      key: new Uint8Array(20).fill(0x0b),
      data: new TextEncoder().encode('Hi There'),
      out: {
        sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
        sha384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
        sha512:
          '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
      },
    },
    {
      key: new TextEncoder().encode('Jefe'),
      data: new TextEncoder().encode('what do ya want for nothing?'),
      out: {
        sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
        sha384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
        sha512:
          '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
      },
    },
    {
      key: new Uint8Array(131).fill(0xaa),
      data: new TextEncoder().encode('Test Using Larger Than Block-Size Key - Hash Key First'),
      out: {
        sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
        sha384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
        sha512:
          '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
      },
    },
  ];
  for (const c of cases) {
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      assert.is(toHex(hmacOf(hash, c.key, c.data)), c.out[hash], hash);
      assert.is(reference(hash, c.key, c.data), c.out[hash], `${hash} reference`);
    }
  }
});

s('matches createHmac at every key length around the block sizes, message split in up to three parts', () => {
  for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
    for (const keyLength of [0, 1, 31, 32, 48, 63, 64, 65, 127, 128, 129, 200, 300]) {
      const key = pseudoRandom(keyLength, keyLength + 1);
      const data = pseudoRandom(97, keyLength + 2);
      const want = reference(hash, key, data);
      assert.is(toHex(hmacOf(hash, key, data)), want, `${hash} key ${keyLength}`);
      assert.is(toHex(hmacOf(hash, key, data.subarray(0, 10), data.subarray(10))), want, `${hash} key ${keyLength}, two parts`);
      assert.is(
        toHex(hmacOf(hash, key, data.subarray(0, 0), data.subarray(0, 50), data.subarray(50))),
        want,
        `${hash} key ${keyLength}, three parts`,
      );
    }
  }
});

s('messages up to the one-shot limit, at it, and past it (the createHmac path) give the same MACs', () => {
  const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  for (const length of [0, 1, 55, 56, 64, 119, 120, 128, 512, ONE_SHOT_HMAC_MAX_MESSAGE - 1, ONE_SHOT_HMAC_MAX_MESSAGE,
    ONE_SHOT_HMAC_MAX_MESSAGE + 1, 3 * ONE_SHOT_HMAC_MAX_MESSAGE]) {
    const data = pseudoRandom(length, length + 7);
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      assert.is(toHex(hmacOf(hash, key, data)), reference(hash, key, data), `${hash} ${length} bytes`);
      const cut = length >> 1;
      assert.is(toHex(hmacOf(hash, key, data.subarray(0, cut), data.subarray(cut))), reference(hash, key, data), `${hash} ${length} split`);
    }
  }
});

s('consecutive calls with different hashes and key and message lengths do not affect each other', () => {
  const long = pseudoRandom(129, 1);
  const short = pseudoRandom(5, 2);
  const data = pseudoRandom(700, 3);
  hmacOf('sha512', long, data);
  assert.is(toHex(hmacOf('sha256', short, data.subarray(0, 3))), reference('sha256', short, data.subarray(0, 3)));
  assert.is(toHex(hmacOf('sha256', new Uint8Array(0), new Uint8Array(0))), reference('sha256', new Uint8Array(0)));
});

s.run();
