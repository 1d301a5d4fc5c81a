import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomPool } from '../src/crypto/randomPool.js';
import { createNodeProvider } from '../src/index.js';

/** A deterministic "generator": counts the fills and writes 1, 2, 3, … across them. */
function countingFill(): { fill: (b: Uint8Array) => void; fills: number[] } {
  let next = 1;
  const fills: number[] = [];
  return {
    fills,
    fill(b) {
      fills.push(b.length);
      for (let i = 0; i < b.length; i++) b[i] = next++ & 0xff;
    },
  };
}

test('RandomPool: one 4 KiB fill serves many short requests, each byte handed out once', () => {
  const g = countingFill();
  const pool = new RandomPool(g.fill);
  const a = pool.take(32);
  const b = pool.take(32);
  assert.equal(g.fills, [4096]);
  assert.equal(a[0], 1);
  assert.equal(b[0], 33); // the next bytes, never the same ones again
  for (let i = 0; i < 126; i++) pool.take(32);
  assert.equal(g.fills, [4096]);
  const c = pool.take(32); // the pool is used up: refilled
  assert.equal(g.fills, [4096, 4096]);
  assert.equal(c[0], 4097 & 0xff);
});

test('RandomPool: the caller owns its copy (wiping it changes nothing else), large requests bypass the pool', () => {
  const g = countingFill();
  const pool = new RandomPool(g.fill);
  const a = pool.take(16);
  const b = pool.take(16);
  assert.is.not(a.buffer, b.buffer);
  a.fill(0);
  assert.equal(b[0], 17);
  const big = pool.take(1000);
  assert.is(big.length, 1000);
  assert.equal(g.fills, [4096, 1000]);
  assert.is(pool.take(0).length, 0);
});

test('node provider: pooled randomBytes are distinct, of the asked length, and not all zero', () => {
  const p = createNodeProvider();
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const r = p.randomBytes(32);
    assert.is(r.length, 32);
    seen.add(Buffer.from(r).toString('hex'));
  }
  assert.is(seen.size, 300);
  assert.ok(p.randomBytes(12).some((x) => x !== 0));
  assert.throws(() => p.randomBytes(-1));
});

test.run();
