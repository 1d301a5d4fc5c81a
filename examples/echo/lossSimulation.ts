/**
 * Loss simulation for the echo CLIs: a {@link ConnectionFactory} whose connections lose a seeded fraction of their
 * datagrams — on the way out (dropped from what `send()` returns), on the way in (never given to `receive()`), or
 * both. The connections themselves are the package's real ones (createConnectionFactory); only datagrams vanish, the
 * way a lossy path would make them, so the recovery and congestion control of the transport do the work.
 */
import {
  createConnectionFactory,
  type ConnectionCore,
  type ConnectionCoreEvent,
  type ConnectionCoreStats,
  type ConnectionFactory,
  type RemoteAddress,
  type StreamReadResult,
} from '@quichs/quic-transport';

/** Which direction loses datagrams. */
export type LossSide = 'send' | 'receive' | 'both';

/** A loss simulation: drop `rate` (0..1) of the datagrams of `side`, chosen by a PRNG seeded with `seed`. */
export interface LossSimulation {
  /** Fraction of datagrams dropped, 0 ≤ rate < 1. */
  readonly rate: number;
  /** PRNG seed (the same seed drops the same datagram positions). */
  readonly seed: number;
  /** Direction(s) that lose datagrams. */
  readonly side: LossSide;
}

/** Datagrams dropped so far by a lossy factory's connections. */
export interface LossCounters {
  /** Outgoing datagrams dropped. */
  sent: number;
  /** Incoming datagrams dropped. */
  received: number;
}

/** mulberry32: a small, fast, seedable 32-bit PRNG (uniform floats in [0, 1)). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses "0.1" or "10%" into a fraction; throws RangeError outside [0, 1). */
export function parseLossRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (m === null) throw new RangeError(`loss rate "${text}" is not a number (use 0.1 or 10%)`);
  const rate = Number(m[1]) / (m[2] === '%' ? 100 : 1);
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`loss rate ${text} is outside [0, 1)`);
  return rate;
}

/** A connection that drops datagrams on the simulated lossy path and forwards everything else. */
class LossyConnection implements ConnectionCore {
  constructor(
    private readonly inner: ConnectionCore,
    private readonly dropOut: () => boolean,
    private readonly dropIn: () => boolean,
    private readonly counters: LossCounters,
  ) {}

  get role(): 'client' | 'server' {
    return this.inner.role;
  }

  get remote(): RemoteAddress {
    return this.inner.remote;
  }

  receive(datagram: Uint8Array, remote: RemoteAddress, now: number): void {
    if (this.dropIn()) {
      this.counters.received++;
      return;
    }
    this.inner.receive(datagram, remote, now);
  }

  send(now: number): Uint8Array[] {
    const out = this.inner.send(now);
    const kept = out.filter(() => !this.dropOut());
    this.counters.sent += out.length - kept.length;
    return kept;
  }

  nextTimeout(): number | undefined {
    return this.inner.nextTimeout();
  }

  onTimeout(now: number): void {
    this.inner.onTimeout(now);
  }

  close(errorCode: number, reason: string, application?: boolean): void {
    this.inner.close(errorCode, reason, application);
  }

  isDrained(): boolean {
    return this.inner.isDrained();
  }

  handleStatelessReset(datagram: Uint8Array, now: number): boolean {
    return this.inner.handleStatelessReset?.(datagram, now) ?? false;
  }

  pollEvent(): ConnectionCoreEvent | undefined {
    return this.inner.pollEvent();
  }

  openStream(bidirectional: boolean): number {
    return this.inner.openStream(bidirectional);
  }

  writeStream(streamId: number, data: Uint8Array): number {
    return this.inner.writeStream(streamId, data);
  }

  endStream(streamId: number): void {
    this.inner.endStream(streamId);
  }

  readStream(streamId: number): StreamReadResult | undefined {
    return this.inner.readStream(streamId);
  }

  resetStream(streamId: number, errorCode: number): void {
    this.inner.resetStream(streamId, errorCode);
  }

  stopSending(streamId: number, errorCode: number): void {
    this.inner.stopSending(streamId, errorCode);
  }

  stats(): ConnectionCoreStats {
    return { ...(this.inner.stats?.() ?? {}), simulatedLossSent: this.counters.sent, simulatedLossReceived: this.counters.received };
  }

  updateKeys(): boolean {
    if (this.inner.updateKeys === undefined) throw new Error('this connection does not support key updates');
    return this.inner.updateKeys();
  }
}

/**
 * The endpoint's connection factory with simulated loss. All connections of the factory share one PRNG (seeded
 * once), so a run with the same seed and the same traffic drops the same datagrams.
 */
export function lossyConnectionFactory(loss: LossSimulation, inner: ConnectionFactory = createConnectionFactory()): { factory: ConnectionFactory; dropped: LossCounters } {
  if (!(loss.rate >= 0 && loss.rate < 1)) throw new RangeError(`loss rate ${loss.rate} is outside [0, 1)`);
  const random = seededRandom(loss.seed);
  const dropped: LossCounters = { sent: 0, received: 0 };
  const out = loss.side === 'send' || loss.side === 'both' ? () => random() < loss.rate : () => false;
  const into = loss.side === 'receive' || loss.side === 'both' ? () => random() < loss.rate : () => false;
  const factory: ConnectionFactory = {
    client: (o, ctx) => new LossyConnection(inner.client(o, ctx), out, into, dropped),
    server: (incoming, ctx) => new LossyConnection(inner.server(incoming, ctx), out, into, dropped),
  };
  return { factory, dropped };
}
