/** Stream transfer helpers for memory-network tests: write a payload on one stream, read it on the other side. */
import type { Connection } from '../../src/index.js';
import type { MemoryNetwork } from './memoryNetwork.js';

/** A deterministic payload (a simple LCG, so a corrupted byte anywhere shows). */
export function pattern(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Result of {@link transfer}. */
export interface TransferResult {
  completed: boolean;
  received: Uint8Array;
  streamId: number;
  virtualMs: number;
}

/**
 * Sends `payload` from `sender` on a new stream (FIN at the end) and collects it at `receiver`, running the network
 * until the FIN arrives (or `maxTime` virtual ms pass).
 */
export function transfer(net: MemoryNetwork, sender: Connection, receiver: Connection, payload: Uint8Array, maxTime = 120_000): TransferResult {
  const start = net.now;
  const id = sender.openStream(true);
  let offset = 0;
  let ended = false;
  const chunks: Uint8Array[] = [];
  let received = 0;
  let fin = false;
  const completed = net.run(() => fin, {
    maxTime,
    onStep: () => {
      while (offset < payload.length) {
        const n = sender.writeStream(id, payload.subarray(offset));
        if (n === 0) break;
        offset += n;
      }
      if (offset === payload.length && !ended) {
        sender.endStream(id);
        ended = true;
      }
      for (let e = receiver.pollEvent(); e !== undefined; e = receiver.pollEvent()) void e;
      for (let e = sender.pollEvent(); e !== undefined; e = sender.pollEvent()) void e;
      for (;;) {
        const r = receiver.readStream(id);
        if (r === undefined) break;
        if (r.data.length > 0) {
          chunks.push(r.data.slice());
          received += r.data.length;
        }
        if (r.fin) fin = true;
      }
    },
  });
  const out = new Uint8Array(received);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return { completed, received: out, streamId: id, virtualMs: net.now - start };
}

/** True when two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
