import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_BUFFERED_HASH_INPUT, NodeHasher, nodeHashOnce } from '../src/crypto/nodeHasher.js';
import type { HashAlgorithm } from '../src/crypto/provider.js';
import { pseudoRandom, throwsCode, toHex } from './crypto-helpers.js';

const s = suite('node provider hasher (buffered one-shot, copy-on-write clones, native past the limit)');
const HASHES = ['sha256', 'sha384', 'sha512'] as const;

const ref = (hash: HashAlgorithm, ...parts: Uint8Array[]): string => {
  const h = createHash(hash);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

s('digests match createHash for empty input, small pieces, and inputs across the buffering limit', () => {
  for (const hash of HASHES) {
    assert.is(toHex(new NodeHasher(hash).digest()), ref(hash), `${hash} empty`);
    assert.is(toHex(nodeHashOnce(hash, new Uint8Array(0))), ref(hash), `${hash} one-shot empty`);
    for (const total of [1, 100, 1023, 1024, 1025, 5000, MAX_BUFFERED_HASH_INPUT, MAX_BUFFERED_HASH_INPUT + 1, 3 * MAX_BUFFERED_HASH_INPUT]) {
      const data = pseudoRandom(total, total);
      for (const piece of [1, 7, 300, total]) {
        const h = new NodeHasher(hash);
        for (let off = 0; off < total; off += piece) h.update(data.subarray(off, Math.min(total, off + piece)));
        assert.is(toHex(h.digest()), ref(hash, data), `${hash} ${total} bytes in pieces of ${piece}`);
      }
      assert.is(toHex(nodeHashOnce(hash, data)), ref(hash, data), `${hash} one-shot ${total}`);
    }
  }
});

s('a clone and its original diverge independently (copy-on-write in both directions)', () => {
  const a = pseudoRandom(600, 1);
  const b = pseudoRandom(900, 2);
  const c = pseudoRandom(50, 3);
  const original = new NodeHasher('sha256').update(a);
  const clone = original.clone();
  original.update(b);
  clone.update(c);
  const cloneOfClone = clone.clone();
  clone.update(b);
  assert.is(toHex(original.digest()), ref('sha256', a, b));
  assert.is(toHex(clone.digest()), ref('sha256', a, c, b));
  assert.is(toHex(cloneOfClone.digest()), ref('sha256', a, c));

  // A clone of an empty hasher, and a clone taken and digested at every step of a transcript.
  const empty = new NodeHasher('sha384');
  const emptyClone = empty.clone();
  empty.update(a);
  assert.is(toHex(emptyClone.update(c).digest()), ref('sha384', c));
  assert.is(toHex(empty.digest()), ref('sha384', a));
  const running = new NodeHasher('sha256');
  const seen: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) {
    const m = pseudoRandom(100 + i * 97, 10 + i);
    running.update(m);
    seen.push(m);
    assert.is(toHex(running.clone().digest()), ref('sha256', ...seen), `step ${i}`);
  }
});

s('clones keep working once the input passes the buffering limit (native hash, copied)', () => {
  const big = pseudoRandom(MAX_BUFFERED_HASH_INPUT - 10, 4);
  const tail = pseudoRandom(40, 5);
  const h = new NodeHasher('sha512').update(big);
  const before = h.clone();
  h.update(tail); // now native
  const after = h.clone();
  h.update(tail);
  assert.is(toHex(before.digest()), ref('sha512', big));
  assert.is(toHex(after.digest()), ref('sha512', big, tail));
  assert.is(toHex(h.digest()), ref('sha512', big, tail, tail));
});

s('use after digest and non-byte input are BAD_INPUT', () => {
  const h = new NodeHasher('sha256').update(new Uint8Array(3));
  h.digest();
  throwsCode(() => h.update(new Uint8Array(1)), 'BAD_INPUT');
  throwsCode(() => h.digest(), 'BAD_INPUT');
  throwsCode(() => h.clone(), 'BAD_INPUT');
  throwsCode(() => new NodeHasher('sha256').update('abc' as unknown as Uint8Array), 'BAD_INPUT');
});

s.run();
