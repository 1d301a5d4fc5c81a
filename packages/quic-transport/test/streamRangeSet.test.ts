import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RangeSet } from '../src/stream/rangeSet.js';

const s = suite('stream range set');

function ranges(r: RangeSet): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < r.count; i++) out.push([r.start(i), r.end(i)]);
  return out;
}

s('add merges overlapping and adjacent ranges', () => {
  const r = new RangeSet();
  assert.ok(r.isEmpty);
  r.add(10, 20);
  r.add(30, 40);
  r.add(0, 5);
  r.add(5, 5); // empty
  assert.equal(ranges(r), [[0, 5], [10, 20], [30, 40]]);
  r.add(20, 30); // adjacent to both sides
  assert.equal(ranges(r), [[0, 5], [10, 40]]);
  r.add(3, 50);
  assert.equal(ranges(r), [[0, 50]]);
  r.add(60, 70);
  r.add(55, 58);
  assert.equal(ranges(r), [[0, 50], [55, 58], [60, 70]]);
});

s('remove trims, splits and deletes', () => {
  const r = new RangeSet();
  r.add(0, 100);
  r.remove(40, 60);
  assert.equal(ranges(r), [[0, 40], [60, 100]]);
  r.remove(30, 70);
  assert.equal(ranges(r), [[0, 30], [70, 100]]);
  r.remove(0, 10);
  r.remove(90, 200);
  assert.equal(ranges(r), [[10, 30], [70, 90]]);
  r.remove(0, 1000);
  assert.ok(r.isEmpty);
  r.add(5, 10);
  r.remove(10, 20);
  r.remove(0, 5);
  r.remove(7, 7);
  assert.equal(ranges(r), [[5, 10]]);
});

s('contains and shift', () => {
  const r = new RangeSet();
  r.add(10, 20);
  r.add(30, 40);
  assert.ok(r.contains(10, 20));
  assert.ok(r.contains(12, 15));
  assert.ok(r.contains(5, 5));
  assert.not.ok(r.contains(15, 35));
  assert.not.ok(r.contains(0, 11));
  assert.not.ok(r.contains(41, 42));
  assert.equal(r.shift(4), { start: 10, end: 14 });
  assert.equal(r.shift(100), { start: 14, end: 20 });
  assert.is(r.shift(0), undefined);
  assert.equal(r.shift(100), { start: 30, end: 40 });
  assert.is(r.shift(1), undefined);
  r.add(1, 2);
  r.clear();
  assert.is(r.count, 0);
});

s.run();
