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

const NO_BYTES = new Uint8Array(0);

/**
 * The concatenation of `parts`: the one part itself when there is exactly one (no copy), an empty array when there is
 * none, otherwise one new array.
 */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  if (parts.length === 0) return NO_BYTES;
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
