/**
 * Random bytes drawn from a pool the system generator refills 4 KiB at a time: a handshake asks for a few short
 * values (the Hello randoms, a ticket nonce), and one system call per request costs more than the bytes. Every byte
 * is handed out once, as a fresh copy the caller owns; large requests bypass the pool.
 */

/** Pool size, and requests above POOL_MAX go straight to the system generator. */
const POOL_SIZE = 4096;
const POOL_MAX = 256;

/** A source of random bytes backed by `fill` (which fills its argument with cryptographically strong bytes). */
export class RandomPool {
  private readonly fill: (buffer: Uint8Array) => void;
  private pool: Uint8Array | undefined;
  private used = POOL_SIZE;

  constructor(fill: (buffer: Uint8Array) => void) {
    this.fill = fill;
  }

  /** `length` fresh random bytes. */
  take(length: number): Uint8Array {
    if (length > POOL_MAX) {
      const out = new Uint8Array(length);
      this.fill(out);
      return out;
    }
    if (POOL_SIZE - this.used < length) {
      this.pool ??= new Uint8Array(POOL_SIZE);
      this.fill(this.pool); // refilled in place: what was handed out are copies
      this.used = 0;
    }
    const pool = this.pool!;
    const out = pool.slice(this.used, this.used + length);
    pool.fill(0, this.used, this.used + length); // handed out: not kept in memory a second time
    this.used += length;
    return out;
  }
}
