/**
 * The runner's "network simulator": a UDP relay on loopback between a client and a server. It records every
 * datagram in both directions (the trace the judges read, like quic-interop-runner's pcaps) and drops datagrams
 * with a seeded pseudo-random generator, so a loss run can be repeated with the same drop decisions.
 *
 * The client talks to the relay's port. Each client address (a "flow") gets its own upstream socket towards the
 * server, so the server sees one stable address per client socket, and replies are routed back to that client.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** Direction of a datagram. */
export type Direction = 'c2s' | 's2c';

/** One datagram seen by the relay. */
export interface RelayedDatagram {
  /** Milliseconds since the relay opened. */
  t: number;
  /** Client to server or server to client. */
  dir: Direction;
  /** Index of the client address (0, 1, …, in order of first appearance). */
  flow: number;
  /** The client's address and port of this flow. */
  client: { address: string; port: number };
  /** The UDP payload (a copy). */
  data: Buffer;
  /** True when the relay dropped it (it was sent, but not delivered). */
  dropped: boolean;
}

/** Options of {@link Relay.open}. */
export interface RelayOptions {
  /** The server's port on 127.0.0.1. */
  serverPort: number;
  /** Probability in [0, 1) of dropping a client→server datagram. */
  lossToServer?: number;
  /** Probability in [0, 1) of dropping a server→client datagram. */
  lossToClient?: number;
  /** Seed of the drop decisions. */
  seed?: number;
  /** Keep at most this many payload bytes per direction in memory (default 64 MiB); later datagrams keep 64 bytes. */
  maxRecordedBytes?: number;
}

/** mulberry32: a small, fast, seedable 32-bit generator; returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Flow {
  index: number;
  client: RemoteInfo;
  upstream: Socket;
}

/** A recording, loss-injecting UDP relay. */
export class Relay {
  /** Every datagram, in the order the relay saw them. */
  readonly datagrams: RelayedDatagram[] = [];
  /** Datagrams dropped per direction. */
  readonly droppedCount: Record<Direction, number> = { c2s: 0, s2c: 0 };
  private readonly front: Socket;
  private readonly flows = new Map<string, Flow>();
  private readonly started = performance.now();
  private readonly random: () => number;
  private readonly options: RelayOptions;
  private recorded: Record<Direction, number> = { c2s: 0, s2c: 0 };
  private closed = false;

  private constructor(front: Socket, options: RelayOptions) {
    this.front = front;
    this.port = front.address().port;
    this.options = options;
    this.random = seededRandom(options.seed ?? 1);
    front.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
    front.on('error', () => undefined);
  }

  /** Binds the relay on 127.0.0.1 (a free port). */
  static async open(options: RelayOptions): Promise<Relay> {
    const front = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(0, '127.0.0.1', () => {
        front.off('error', reject);
        resolve();
      });
    });
    return new Relay(front, options);
  }

  /** The port clients send to. */
  readonly port: number;

  /** Number of client addresses seen. */
  get flowCount(): number {
    return this.flows.size;
  }

  private record(dir: Direction, flow: Flow, msg: Buffer, dropped: boolean): void {
    const max = this.options.maxRecordedBytes ?? 64 * 1024 * 1024;
    const keep = this.recorded[dir] + msg.length <= max ? msg.length : Math.min(64, msg.length);
    this.recorded[dir] += keep;
    this.datagrams.push({
      t: performance.now() - this.started,
      dir,
      flow: flow.index,
      client: { address: flow.client.address, port: flow.client.port },
      data: Buffer.from(msg.subarray(0, keep)),
      dropped,
    });
    if (dropped) this.droppedCount[dir]++;
  }

  private drop(dir: Direction): boolean {
    const p = dir === 'c2s' ? (this.options.lossToServer ?? 0) : (this.options.lossToClient ?? 0);
    // draw for every datagram, so the sequence of decisions depends only on the seed and the datagram order
    const r = this.random();
    return p > 0 && r < p;
  }

  private fromClient(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const upstream = createSocket('udp4');
      const f: Flow = { index: this.flows.size, client: rinfo, upstream };
      upstream.on('message', (m) => this.fromServer(m, f));
      upstream.on('error', () => undefined);
      upstream.bind(0, '127.0.0.1');
      this.flows.set(key, f);
      flow = f;
    }
    const dropped = this.drop('c2s');
    this.record('c2s', flow, msg, dropped);
    if (!dropped) flow.upstream.send(msg, this.options.serverPort, '127.0.0.1');
  }

  private fromServer(msg: Buffer, flow: Flow): void {
    if (this.closed) return;
    const dropped = this.drop('s2c');
    this.record('s2c', flow, msg, dropped);
    if (!dropped) this.front.send(msg, flow.client.port, flow.client.address);
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const sockets = [this.front, ...[...this.flows.values()].map((f) => f.upstream)];
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve();
      }
    })));
  }
}
