/**
 * Test support: bounds for everything that waits on a socket or a peer. A case run through {@link withDeadline} owns
 * the peer processes, sockets and servers it registers; when the case ends — passed, failed or out of time — every one
 * of them is killed, destroyed or closed, so a case can fail but never hang. {@link readUntil} reads a stream without
 * destroying it (a `for await … break` would) and gives up on end, close, error or its own timeout.
 */
import type { Server, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { PeerProcess } from './peerProcess.js';

/** Something a case started and must stop. */
interface Destroyable {
  destroy(): unknown;
}

/** The peers, sockets and servers of one case, released together. */
export class CaseResources {
  private readonly releases: (() => void)[] = [];
  private released = false;

  /** Registers a peer process (SIGKILLed on release). */
  peer(p: PeerProcess): PeerProcess {
    this.add(() => p.stop());
    return p;
  }

  /** Registers a socket or stream (destroyed on release). */
  socket<T extends Destroyable>(s: T): T {
    this.add(() => s.destroy());
    return s;
  }

  /** Registers a listening server: closed on release, and every connection it accepted is destroyed. */
  server<T extends Server>(s: T): T {
    const accepted = new Set<Socket>();
    s.on('connection', (c: Socket) => {
      accepted.add(c);
      c.once('close', () => accepted.delete(c));
    });
    this.add(() => {
      for (const c of accepted) c.destroy();
      s.close();
    });
    return s;
  }

  /** Stops everything registered so far (idempotent); anything registered later is stopped at once. */
  release(): void {
    this.released = true;
    for (const r of this.releases.splice(0).reverse()) {
      try {
        r();
      } catch {
        // already gone
      }
    }
  }

  private add(release: () => void): void {
    if (this.released) release();
    else this.releases.push(release);
  }
}

/** Runs `fn` with its own resources; rejects if it has not settled within `ms`; releases the resources either way. */
export async function withDeadline<T>(ms: number, label: string, fn: (r: CaseResources) => Promise<T>): Promise<T> {
  const resources = new CaseResources();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result within ${ms} ms (peers killed, sockets destroyed)`)), ms);
  });
  try {
    return await Promise.race([fn(resources), expired]);
  } finally {
    clearTimeout(timer);
    resources.release();
  }
}

/**
 * Reads text from `stream` until `done(text)` holds; rejects on error, on end/close first, or after `ms`. The stream is
 * left open and paused (listeners removed), so the caller can still write to it and end it.
 */
export function readUntil(stream: Readable, done: (text: string) => boolean, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (err: Error | undefined): void => {
      clearTimeout(timer);
      stream.off('data', onData).off('error', onError).off('end', onEnd).off('close', onEnd);
      stream.pause();
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (done(text)) finish(undefined);
    };
    const onError = (e: Error): void => finish(e);
    const onEnd = (): void => finish(new Error(`stream ended before the expected data; got ${JSON.stringify(text.slice(-200))}`));
    const timer = setTimeout(() => finish(new Error(`no expected data within ${ms} ms; got ${JSON.stringify(text.slice(-200))}`)), ms);
    stream.on('data', onData).on('error', onError).on('end', onEnd).on('close', onEnd);
    stream.resume();
  });
}

/** A promise with its resolve/reject (Promise.withResolvers, which Node 20 lacks). */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Collects `bytes` bytes from a readable (listener removed after); rejects on error or an end that comes first. */
export function collectBytes(stream: NodeJS.ReadableStream, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      n += d.length;
      if (n >= bytes) {
        stream.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    stream.on('data', onData);
    stream.once('error', reject);
    stream.once('end', () => reject(new Error(`ended after ${n} of ${bytes} bytes`)));
  });
}
