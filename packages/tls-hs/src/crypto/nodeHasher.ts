/**
 * Hashes for the node provider without a native object per clone.
 *
 * A TLS transcript hash is a few kilobytes, read (cloned and digested) four or five times per handshake side. Each
 * `Hash.copy()` is a native object that the garbage collector has to finalise, and in a busy server those finalisers
 * were the largest part of every scavenge (~3 µs per object). {@link NodeHasher} instead keeps the bytes while they are
 * few (at most {@link MAX_BUFFERED_HASH_INPUT}) and digests them with node:crypto's one-shot `hash()`; a clone shares
 * the bytes and copies them only when it is itself updated. Past that size, or on a runtime without `hash()`, it
 * streams into a native `Hash` as before. Both give the same digests (tested against each other).
 *
 * Digests are taken as latin1 strings (one char per byte) and copied into a plain Uint8Array: at ≤ 64 bytes that
 * array lives on the JS heap, where a Buffer result would be a separately allocated backing store (~0.6 µs more per
 * digest, and more for the collector).
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import { CryptoError } from './errors.js';
import { assertBytes } from './params.js';
import type { HashAlgorithm, Hasher } from './provider.js';

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'latin1') => string;

/** node:crypto's one-shot `hash()` (Node ≥ 20.12 / 21.7), or undefined. Read through the namespace: older typings lack it. */
export const oneShotHash = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

/** Writes the bytes of a latin1 string (each char code < 256) into `out` at `offset`. */
export function writeLatin1(s: string, out: Uint8Array, offset: number): void {
  for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
}

/** The bytes of a latin1 string, as a new plain Uint8Array. */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  writeLatin1(s, out, 0);
  return out;
}

/** Most bytes a {@link NodeHasher} keeps before it switches to a streaming native hash. */
export const MAX_BUFFERED_HASH_INPUT = 16 * 1024;

const EMPTY: Uint8Array = new Uint8Array(0);

/** One-shot digest of `data`. */
export function nodeHashOnce(hash: HashAlgorithm, data: Uint8Array): Uint8Array {
  return oneShotHash !== undefined ? latin1Bytes(oneShotHash(hash, data, 'latin1')) : createHash(hash).update(data).digest();
}

/** An incremental, clonable hash (see the module comment); refuses use after `digest()` with CryptoError('BAD_INPUT'). */
export class NodeHasher implements Hasher {
  private bytes: Uint8Array;
  private length: number;
  /** The bytes came from the hasher this one was cloned from: copy before appending (the original appends in place). */
  private shared: boolean;
  private native: Hash | undefined;
  private done = false;

  /**
   * A fresh hasher for `hash` (a supported algorithm, checked by the caller); `native`, or `bytes[0..length)` shared
   * with the hasher this one was cloned from.
   */
  constructor(
    private readonly hash: HashAlgorithm,
    native?: Hash,
    bytes: Uint8Array = EMPTY,
    length = 0,
  ) {
    this.native = native ?? (oneShotHash === undefined ? createHash(hash) : undefined);
    this.bytes = bytes;
    this.length = length;
    this.shared = bytes !== EMPTY;
  }

  update(data: Uint8Array): Hasher {
    assertBytes(data, 'data');
    this.live();
    if (this.native !== undefined) {
      this.native.update(data);
      return this;
    }
    const need = this.length + data.length;
    if (need > MAX_BUFFERED_HASH_INPUT) {
      this.native = createHash(this.hash).update(this.bytes.subarray(0, this.length)).update(data);
      this.bytes = EMPTY;
      this.length = 0;
      return this;
    }
    if (this.shared || need > this.bytes.length) {
      const next = new Uint8Array(Math.min(MAX_BUFFERED_HASH_INPUT, Math.max(need, 2 * this.bytes.length, 1024)));
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
      this.shared = false;
    }
    this.bytes.set(data, this.length);
    this.length = need;
    return this;
  }

  digest(): Uint8Array {
    this.live();
    this.done = true;
    if (this.native !== undefined) return this.native.digest();
    const out = oneShotHash!(this.hash, this.bytes.subarray(0, this.length), 'latin1');
    this.bytes = EMPTY;
    return latin1Bytes(out);
  }

  clone(): Hasher {
    this.live();
    if (this.native !== undefined) return new NodeHasher(this.hash, this.native.copy());
    // The clone reads bytes[0..length) only, and this hasher only ever writes past its length: it keeps appending in
    // place, the clone copies before its first append.
    return new NodeHasher(this.hash, undefined, this.bytes, this.length);
  }

  private live(): void {
    if (this.done) throw new CryptoError('BAD_INPUT', 'hasher already finalised');
  }
}
