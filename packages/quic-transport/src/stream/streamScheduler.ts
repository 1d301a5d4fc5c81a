/**
 * Send scheduler: decides which stream's data goes into the next STREAM frame.
 *
 * Streams with data to send wait in one round-robin queue per urgency level (0 = most urgent … 7, as in RFC 9218;
 * default 3). The most urgent non-empty queue is served first; within a level each stream gets one frame and then
 * moves to the back, so streams of equal urgency share the packets fairly.
 */

/** Number of urgency levels (0–7). */
export const URGENCY_LEVELS = 8;
/** Urgency given to streams by default. */
export const DEFAULT_URGENCY = 3;

/** Round-robin scheduler with urgency levels; see the module note. */
export class StreamScheduler {
  private readonly queues: number[][] = Array.from({ length: URGENCY_LEVELS }, () => []);
  private readonly levelOf = new Map<number, number>();

  /** Number of streams queued. */
  get size(): number {
    return this.levelOf.size;
  }

  /** True when stream `id` is queued. */
  has(id: number): boolean {
    return this.levelOf.has(id);
  }

  /**
   * Queues stream `id` at the back of its urgency level; a stream already queued keeps its place.
   * @param urgency 0 (most urgent) to 7; out-of-range values are clamped
   */
  schedule(id: number, urgency = DEFAULT_URGENCY): void {
    if (this.levelOf.has(id)) return;
    const level = Math.min(URGENCY_LEVELS - 1, Math.max(0, Math.trunc(urgency)));
    this.levelOf.set(id, level);
    this.queues[level].push(id);
  }

  /** The stream to serve next, or undefined when none is queued. */
  peek(): number | undefined {
    for (const q of this.queues) if (q.length > 0) return q[0];
    return undefined;
  }

  /** Moves stream `id` (just served) to the back of its level. */
  rotate(id: number): void {
    const level = this.levelOf.get(id);
    if (level === undefined) return;
    const q = this.queues[level];
    const i = q.indexOf(id);
    q.splice(i, 1);
    q.push(id);
  }

  /** Removes stream `id` from the queue (no data left, or the stream is gone). */
  remove(id: number): void {
    const level = this.levelOf.get(id);
    if (level === undefined) return;
    const q = this.queues[level];
    q.splice(q.indexOf(id), 1);
    this.levelOf.delete(id);
  }
}
