/**
 * Byte-array ownership helpers. Node's Buffer is a Uint8Array whose `slice()` returns a view instead of a copy, so
 * bytes coming from outside (sockets, node:crypto) are re-viewed as plain Uint8Arrays before the engine keeps any
 * part of them.
 */

/** A plain Uint8Array over the same memory (no copy); its `slice()` copies as the TypedArray method does. */
export function asPlainBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A fresh copy of the bytes, as a plain Uint8Array (also for node Buffers). */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** The concatenation of `parts` in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
