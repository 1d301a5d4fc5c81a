/**
 * The ChaCha20 block function (RFC 8439 §2.3), used by the pure-JS provider for the QUIC ChaCha20 header-protection
 * mask (RFC 9001 §5.4.4). A dedicated implementation is needed because the mask uses the full 32-bit counter range
 * (counter = first 4 sample bytes), including 0xffffffff, which general stream-cipher APIs refuse.
 */

function quarterRound(x: Uint32Array, a: number, b: number, c: number, d: number): void {
  let va = x[a], vb = x[b], vc = x[c], vd = x[d];
  va = (va + vb) | 0; vd ^= va; vd = (vd << 16) | (vd >>> 16);
  vc = (vc + vd) | 0; vb ^= vc; vb = (vb << 12) | (vb >>> 20);
  va = (va + vb) | 0; vd ^= va; vd = (vd << 8) | (vd >>> 24);
  vc = (vc + vd) | 0; vb ^= vc; vb = (vb << 7) | (vb >>> 25);
  x[a] = va; x[b] = vb; x[c] = vc; x[d] = vd;
}

function readLE32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

/**
 * A ChaCha20 keystream generator bound to one 32-byte key. `block(counter, nonce, out)` writes the first
 * `out.length` (≤ 64) keystream bytes of block `counter` for the 12-byte `nonce`.
 */
export class ChaCha20Block {
  private readonly init = new Uint32Array(16);
  private readonly work = new Uint32Array(16);

  /** Binds the generator to a 32-byte key (the caller validates the length). */
  constructor(key: Uint8Array) {
    this.init[0] = 0x61707865;
    this.init[1] = 0x3320646e;
    this.init[2] = 0x79622d32;
    this.init[3] = 0x6b206574;
    for (let i = 0; i < 8; i++) this.init[4 + i] = readLE32(key, 4 * i);
  }

  /** Writes keystream bytes of one block into `out` (at most 64 bytes are written). */
  block(counter: number, nonce: Uint8Array, nonceOffset: number, out: Uint8Array): Uint8Array {
    const s = this.init;
    s[12] = counter >>> 0;
    s[13] = readLE32(nonce, nonceOffset);
    s[14] = readLE32(nonce, nonceOffset + 4);
    s[15] = readLE32(nonce, nonceOffset + 8);
    const x = this.work;
    x.set(s);
    for (let i = 0; i < 10; i++) {
      quarterRound(x, 0, 4, 8, 12);
      quarterRound(x, 1, 5, 9, 13);
      quarterRound(x, 2, 6, 10, 14);
      quarterRound(x, 3, 7, 11, 15);
      quarterRound(x, 0, 5, 10, 15);
      quarterRound(x, 1, 6, 11, 12);
      quarterRound(x, 2, 7, 8, 13);
      quarterRound(x, 3, 4, 9, 14);
    }
    const n = Math.min(out.length, 64);
    for (let i = 0; i < n; i++) {
      const w = (x[i >> 2] + s[i >> 2]) >>> 0;
      out[i] = (w >>> (8 * (i & 3))) & 0xff;
    }
    return out;
  }
}
