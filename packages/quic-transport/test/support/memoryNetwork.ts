/**
 * A deterministic in-memory network for transport tests: a virtual clock, a seeded PRNG, and per-link loss,
 * duplication, reordering, delay, jitter, MTU and bandwidth. It drives any number of sans-IO EndpointCores: delivers
 * datagrams at their arrival times, fires timers at their deadlines, flushes what the endpoints want to send — and
 * jumps virtual time to the next event, so seconds of protocol time take milliseconds. No real timers.
 */
import { EndpointCore, type RemoteAddress } from '../../src/index.js';

/** A seeded PRNG (mulberry32): the same seed gives the same sequence. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** `n` pseudo-random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/** How a one-way link treats datagrams. */
export interface LinkOptions {
  /** Probability a datagram is lost (0..1). */
  loss?: number;
  /** Probability a datagram is delivered twice. */
  duplicate?: number;
  /** Probability a datagram is held back by an extra random delay of up to `reorderDelay` (reordering). */
  reorder?: number;
  /** Extra delay of reordered datagrams, ms (default 2 × delay). */
  reorderDelay?: number;
  /** One-way propagation delay, ms (default 10). */
  delay?: number;
  /** Uniform jitter added to the delay, ms (default 0). */
  jitter?: number;
  /** Largest datagram delivered; bigger ones are dropped (default unlimited). */
  mtu?: number;
  /** Bandwidth in bytes per ms (datagrams queue behind each other; default unlimited). */
  bandwidth?: number;
}

/** A datagram on the wire, as seen by a tap. */
export interface WireDatagram {
  from: RemoteAddress;
  to: RemoteAddress;
  data: Uint8Array;
  /** Virtual time it was sent. */
  time: number;
}

/**
 * Sees every datagram as it is sent: return it (possibly modified) to deliver it through the link model, or
 * undefined to drop it.
 */
export type Tap = (d: WireDatagram) => Uint8Array | undefined;

interface InFlight {
  at: number;
  seq: number;
  to: string;
  from: RemoteAddress;
  data: Uint8Array;
}

interface Node {
  address: RemoteAddress;
  core: EndpointCore;
}

function key(a: RemoteAddress): string {
  return `${a.address}:${a.port}`;
}

/** Counters of a run. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  tooBig: number;
  bytesSent: number;
}

/** The simulated network. */
export class MemoryNetwork {
  /** Virtual time, ms. */
  now: number;
  /** The PRNG of the link model (tests may use it too). */
  readonly random: SeededRandom;
  /** Counters. */
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, tooBig: 0, bytesSent: 0 };
  /** Optional tap on every datagram sent. */
  tap: Tap | undefined;
  private readonly nodes = new Map<string, Node>();
  private readonly links = new Map<string, LinkOptions>();
  private readonly busyUntil = new Map<string, number>();
  private readonly defaultLink: LinkOptions;
  private queue: InFlight[] = [];
  private seq = 0;

  constructor(options: { seed?: number; link?: LinkOptions; start?: number } = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.defaultLink = options.link ?? {};
    this.now = options.start ?? 1_000;
  }

  /** Attaches an endpoint at `address`. */
  attach(address: RemoteAddress, core: EndpointCore): void {
    this.nodes.set(key(address), { address, core });
  }

  /** Detaches an endpoint (its datagrams are then lost; it gets no more timers). */
  detach(address: RemoteAddress): void {
    this.nodes.delete(key(address));
  }

  /** Sets the link model from `from` to `to` (one direction). */
  setLink(from: RemoteAddress, to: RemoteAddress, link: LinkOptions): void {
    this.links.set(`${key(from)}>${key(to)}`, link);
  }

  /** Changes the default link model (for links without their own). */
  setDefaultLink(link: LinkOptions): void {
    Object.assign(this.defaultLink, link);
    for (const k of Object.keys(this.defaultLink) as (keyof LinkOptions)[]) if (link[k] === undefined) delete this.defaultLink[k];
  }

  /** Injects a datagram as if `from` had sent it (through the link model and the tap). */
  inject(from: RemoteAddress, to: RemoteAddress, data: Uint8Array): void {
    this.transmit(from, to, data);
  }

  private linkFor(from: RemoteAddress, to: RemoteAddress): LinkOptions {
    return this.links.get(`${key(from)}>${key(to)}`) ?? this.defaultLink;
  }

  private transmit(from: RemoteAddress, to: RemoteAddress, original: Uint8Array): void {
    this.stats.sent++;
    this.stats.bytesSent += original.length;
    const data = this.tap ? this.tap({ from, to, data: original, time: this.now }) : original;
    if (data === undefined) return;
    const link = this.linkFor(from, to);
    if (link.mtu !== undefined && data.length > link.mtu) {
      this.stats.tooBig++;
      return;
    }
    // Always draw the same number of random values per datagram, so one decision does not shift the others.
    const rLoss = this.random.next();
    const rDup = this.random.next();
    const rReorder = this.random.next();
    const rJitter = this.random.next();
    const rExtra = this.random.next();
    if (rLoss < (link.loss ?? 0)) {
      this.stats.lost++;
      return;
    }
    const delay = link.delay ?? 10;
    let at = this.now + delay + rJitter * (link.jitter ?? 0);
    if (link.bandwidth !== undefined) {
      const lk = `${key(from)}>${key(to)}`;
      const start = Math.max(this.now, this.busyUntil.get(lk) ?? 0);
      const done = start + data.length / link.bandwidth;
      this.busyUntil.set(lk, done);
      at = done + delay + rJitter * (link.jitter ?? 0);
    }
    if (rReorder < (link.reorder ?? 0)) at += rExtra * (link.reorderDelay ?? 2 * delay);
    this.enqueue({ at, seq: this.seq++, to: key(to), from, data: Uint8Array.from(data) });
    if (rDup < (link.duplicate ?? 0)) {
      this.stats.duplicated++;
      this.enqueue({ at: at + rExtra * delay, seq: this.seq++, to: key(to), from, data: Uint8Array.from(data) });
    }
  }

  private enqueue(d: InFlight): void {
    const q = this.queue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (q[mid].at < d.at || (q[mid].at === d.at && q[mid].seq < d.seq)) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, d);
  }

  /** Lets every endpoint send what it has now (all connections are polled). */
  flush(): void {
    for (const node of this.nodes.values()) {
      for (const c of node.core.connections()) node.core.markDirty(c);
      for (const t of node.core.flush(this.now)) this.transmit(node.address, t.remote, t.datagram);
    }
  }

  /** The time of the next event (delivery or timer), or undefined when the network is quiescent. */
  nextEventTime(): number | undefined {
    let t = this.queue.length > 0 ? this.queue[0].at : undefined;
    for (const node of this.nodes.values()) {
      const n = node.core.nextTimeout();
      if (n !== undefined && (t === undefined || n < t)) t = n;
    }
    return t;
  }

  /**
   * One step: flush, then advance to the next event and run it (deliveries due, then timers due). Returns false when
   * nothing is left to happen.
   */
  step(): boolean {
    this.flush();
    const next = this.nextEventTime();
    if (next === undefined) return false;
    if (next > this.now) this.now = next;
    while (this.queue.length > 0 && this.queue[0].at <= this.now) {
      const d = this.queue.shift()!;
      const node = this.nodes.get(d.to);
      if (node === undefined) continue;
      this.stats.delivered++;
      node.core.receive(d.data, d.from, this.now);
    }
    for (const node of this.nodes.values()) {
      const n = node.core.nextTimeout();
      if (n !== undefined && n <= this.now) node.core.onTimeout(this.now);
    }
    return true;
  }

  /**
   * Runs until `done()` is true (checked after every step, with `onStep` called first — the application's chance to
   * read and write streams), the network is quiescent, or `maxTime` ms of virtual time or `maxSteps` steps pass.
   * Returns whether `done()` became true.
   */
  run(done: () => boolean, options: { maxTime?: number; maxSteps?: number; onStep?: () => void } = {}): boolean {
    const deadline = this.now + (options.maxTime ?? 60_000);
    const maxSteps = options.maxSteps ?? 1_000_000;
    for (let i = 0; i < maxSteps; i++) {
      options.onStep?.();
      if (done()) return true;
      if (!this.step()) {
        options.onStep?.();
        this.flush();
        if (done()) return true;
        if (this.nextEventTime() === undefined) return false;
      }
      if (this.now > deadline) return done();
    }
    return done();
  }

  /** Advances virtual time by `ms`, running everything due on the way. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      this.flush();
      const next = this.nextEventTime();
      if (next === undefined || next > until) break;
      this.step();
    }
    this.now = until;
    this.flush();
  }
}
