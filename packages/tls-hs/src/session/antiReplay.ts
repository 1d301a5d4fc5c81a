/**
 * 0-RTT anti-replay on the server (RFC 8446 §8). Early data is not protected against replay by TLS itself, so a
 * server accepting it keeps a record of what it has accepted and refuses a second sight:
 * - **client-hello** (§8.2, ClientHello recording): the PSK binder of every accepted 0-RTT ClientHello is kept for the
 *   freshness window (§8.3); ClientHellos whose ticket age falls outside that window are refused by the age check,
 *   so everything replayable is in the record.
 * - **single-use** (§8.1, single-use tickets): the unique id of every ticket used for 0-RTT is kept until the
 *   ticket expires, so a ticket carries early data at most once.
 * A refusal only refuses the early data; the handshake continues as 1-RTT. When the record is full the cache
 * refuses everything (fail safe) until entries expire. Shared by every connection of a server; the clock is the
 * `now` of each call.
 */

/** Options of an {@link AntiReplay} cache. */
export interface AntiReplayOptions {
  /** 'client-hello' (default) or 'single-use'. */
  readonly mode?: 'client-hello' | 'single-use';
  /** client-hello mode: how long a binder is remembered, in ms (10 s, the default ticket age tolerance). */
  readonly window?: number;
  /** Most entries kept (100 000). */
  readonly maxEntries?: number;
}

/** What the engine presents for one 0-RTT attempt. */
export interface ReplayCandidate {
  /** The binder of the selected PSK (unique per ClientHello). */
  readonly binder: Uint8Array;
  /** The ticket's unique id. */
  readonly ticketId: Uint8Array;
  /** When the ticket expires (ms). */
  readonly ticketExpiresAt: number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

/** A shared replay record for 0-RTT. */
export class AntiReplay {
  /** The strategy. */
  readonly mode: 'client-hello' | 'single-use';
  /** The client-hello recording window (ms); also the ticket-age tolerance servers should use with it. */
  readonly window: number;
  /** Capacity. */
  readonly maxEntries: number;
  private readonly seen = new Map<string, number>();
  private readonly order: { key: string; expiresAt: number }[] = [];
  private head = 0;

  constructor(options: AntiReplayOptions = {}) {
    this.mode = options.mode ?? 'client-hello';
    this.window = options.window ?? 10_000;
    this.maxEntries = options.maxEntries ?? 100_000;
    if (!(this.window > 0) || !(this.maxEntries > 0)) throw new RangeError('window and maxEntries must be positive');
  }

  /** Entries currently remembered. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Records a 0-RTT attempt at `now`. True the first time (accept the early data); false for a replay, or when the
   * record is full.
   */
  check(c: ReplayCandidate, now: number): boolean {
    this.purge(now);
    const key = hexKey(this.mode === 'single-use' ? c.ticketId : c.binder);
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return false;
    if (this.seen.size >= this.maxEntries) return false;
    const expiresAt = this.mode === 'single-use' ? Math.max(c.ticketExpiresAt, now + 1) : now + this.window;
    this.seen.set(key, expiresAt);
    this.order.push({ key, expiresAt });
    return true;
  }

  /** Drops expired entries (oldest first; an entry is also ignored once expired even before it is purged). */
  private purge(now: number): void {
    while (this.head < this.order.length) {
      const e = this.order[this.head];
      if (e.expiresAt > now) break;
      if (this.seen.get(e.key) === e.expiresAt) this.seen.delete(e.key);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }
}

let processDefault: AntiReplay | undefined;

/** The process-wide client-hello recording cache a server uses for 0-RTT when given no `antiReplay`. */
export function defaultAntiReplay(): AntiReplay {
  processDefault ??= new AntiReplay();
  return processDefault;
}
