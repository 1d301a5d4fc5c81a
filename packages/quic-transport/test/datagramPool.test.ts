import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { recycleDatagram, takeDatagramBuffer } from '../src/connection/datagramPool.js';

const s = suite('datagramPool');

s('a recycled buffer is lent again, whole, once', () => {
  const a = takeDatagramBuffer(5000);
  assert.is(a.length, 5000);
  recycleDatagram(a.subarray(0, 1234)); // the datagram is a view of the lent buffer
  recycleDatagram(a); // a second give-back of the same loan is ignored
  const b = takeDatagramBuffer(5000);
  assert.ok(b === a, 'the same buffer comes back');
  const c = takeDatagramBuffer(5000);
  assert.ok(c !== a, 'it was pooled only once');
});

s('arrays the pool did not lend are ignored; sizes do not mix', () => {
  const foreign = new Uint8Array(7000);
  recycleDatagram(foreign);
  assert.ok(takeDatagramBuffer(7000) !== foreign);
  const d = takeDatagramBuffer(8000);
  recycleDatagram(d);
  assert.is(takeDatagramBuffer(9000).length, 9000);
  assert.ok(takeDatagramBuffer(8000) === d);
});

s.run();
