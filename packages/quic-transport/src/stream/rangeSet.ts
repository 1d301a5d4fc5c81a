/**
 * A set of byte offsets stored as sorted, disjoint, non-adjacent half-open ranges `[start, end)`.
 * Used by the send side of a stream to track acknowledged and to-be-retransmitted byte ranges.
 * Ranges are kept in two parallel number arrays so lookups allocate nothing.
 */
export class RangeSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Number of disjoint ranges. */
  get count(): number {
    return this.starts.length;
  }

  /** True when no offset is in the set. */
  get isEmpty(): boolean {
    return this.starts.length === 0;
  }

  /** Start of the `i`-th range (ascending order). */
  start(i: number): number {
    return this.starts[i];
  }

  /** End (exclusive) of the `i`-th range. */
  end(i: number): number {
    return this.ends[i];
  }

  /** Index of the first range whose end is >= `offset` (the first that could touch it). */
  private lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `[start, end)`, merging with overlapping or adjacent ranges. Empty ranges are ignored. */
  add(start: number, end: number): void {
    if (end <= start) return;
    const i = this.lowerBound(start);
    let j = i;
    let s = start;
    let e = end;
    while (j < this.starts.length && this.starts[j] <= end) {
      if (this.starts[j] < s) s = this.starts[j];
      if (this.ends[j] > e) e = this.ends[j];
      j++;
    }
    if (j === i) {
      this.starts.splice(i, 0, s);
      this.ends.splice(i, 0, e);
    } else {
      this.starts[i] = s;
      this.ends[i] = e;
      if (j > i + 1) {
        this.starts.splice(i + 1, j - i - 1);
        this.ends.splice(i + 1, j - i - 1);
      }
    }
  }

  /** Removes `[start, end)` from the set, splitting a range when needed. */
  remove(start: number, end: number): void {
    if (end <= start) return;
    let i = this.lowerBound(start + 1);
    while (i < this.starts.length && this.starts[i] < end) {
      const s = this.starts[i];
      const e = this.ends[i];
      if (s < start && e > end) {
        // Split into [s, start) and [end, e).
        this.ends[i] = start;
        this.starts.splice(i + 1, 0, end);
        this.ends.splice(i + 1, 0, e);
        return;
      }
      if (s < start) {
        this.ends[i] = start;
        i++;
      } else if (e > end) {
        this.starts[i] = end;
        return;
      } else {
        this.starts.splice(i, 1);
        this.ends.splice(i, 1);
      }
    }
  }

  /** True when every offset of `[start, end)` is in the set (an empty range is always contained). */
  contains(start: number, end: number): boolean {
    if (end <= start) return true;
    const i = this.lowerBound(start + 1);
    return i < this.starts.length && this.starts[i] <= start && this.ends[i] >= end;
  }

  /** Removes and returns the lowest range, cut to at most `maxLength` bytes; undefined when empty. */
  shift(maxLength: number): { start: number; end: number } | undefined {
    if (this.starts.length === 0 || maxLength <= 0) return undefined;
    const start = this.starts[0];
    const end = Math.min(this.ends[0], start + maxLength);
    if (end === this.ends[0]) {
      this.starts.shift();
      this.ends.shift();
    } else {
      this.starts[0] = end;
    }
    return { start, end };
  }

  /** Removes every offset. */
  clear(): void {
    this.starts.length = 0;
    this.ends.length = 0;
  }
}
