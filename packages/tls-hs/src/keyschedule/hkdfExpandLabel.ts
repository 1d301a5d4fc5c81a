import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';

const tls13 = new TextEncoder().encode('tls13 ');
const encoder = new TextEncoder();
const labelCache = new Map<string, Uint8Array>();

/** The UTF-8 bytes of a label; the handful of fixed labels are encoded once. */
function labelBytes(label: string): Uint8Array {
  let b = labelCache.get(label);
  if (b === undefined) {
    b = encoder.encode(label);
    if (labelCache.size < 64) labelCache.set(label, b);
  }
  return b;
}

/**
 * The HkdfLabel structure of RFC 8446 §7.1: uint16 length, opaque label<7..255> ("tls13 " + label),
 * opaque context<0..255>.
 */
export function hkdfLabel(length: number, label: string | Uint8Array, context: Uint8Array): Uint8Array {
  const l = typeof label === 'string' ? labelBytes(label) : label;
  const fullLength = tls13.length + l.length;
  if (fullLength > 255 || context.length > 255 || length > 0xffff) throw new RangeError('HkdfLabel field too long');
  const out = new Uint8Array(2 + 1 + fullLength + 1 + context.length);
  out[0] = length >> 8;
  out[1] = length & 0xff;
  out[2] = fullLength;
  out.set(tls13, 3);
  out.set(l, 3 + tls13.length);
  out[3 + fullLength] = context.length;
  out.set(context, 4 + fullLength);
  return out;
}

/** HKDF-Expand-Label(Secret, Label, Context, Length) of RFC 8446 §7.1 (also RFC 9001 §5.1's "quic key" etc.). */
export function hkdfExpandLabel(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return provider.hkdfExpand(hash, secret, hkdfLabel(length, label, context), length);
}
