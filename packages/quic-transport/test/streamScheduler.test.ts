import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamScheduler } from '../src/stream/streamScheduler.js';

const s = suite('stream scheduler');

s('round-robin within an urgency level, most urgent level first', () => {
  const sch = new StreamScheduler();
  sch.schedule(0);
  sch.schedule(4);
  sch.schedule(8);
  sch.schedule(4); // already queued: keeps its place
  assert.is(sch.size, 3);
  const order: number[] = [];
  for (let i = 0; i < 6; i++) {
    const id = sch.peek() as number;
    order.push(id);
    sch.rotate(id);
  }
  assert.equal(order, [0, 4, 8, 0, 4, 8]);
  sch.schedule(12, 0);
  assert.is(sch.peek(), 12);
  sch.remove(12);
  sch.remove(12);
  sch.rotate(99);
  assert.not.ok(sch.has(12));
  sch.schedule(16, 99); // clamped to 7: after everything else
  sch.remove(0);
  sch.remove(4);
  sch.remove(8);
  assert.is(sch.peek(), 16);
  sch.remove(16);
  assert.is(sch.peek(), undefined);
});

s.run();
