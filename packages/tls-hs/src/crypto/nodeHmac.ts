/**
 * HMAC (RFC 2104) for the node provider, built on node:crypto's one-shot `hash()` where the runtime has it.
 *
 * TLS 1.3 and QUIC run ~11 HMACs per handshake side, each over a few dozen bytes. `createHmac` makes a native object
 * (and a stream-shaped JS wrapper) per call, and every such object is finalised by the garbage collector: with two
 * engines in one process that was a sixth of the handshake's cost. Two one-shot hashes, H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)),
 * create no object at all (digests come back as latin1 strings, see nodeHasher). The pads and the message are laid out
 * in one scratch buffer that is wiped after each call (it briefly holds key-derived bytes). Messages longer than the
 * scratch buffer, and runtimes without `hash()`, take `createHmac`; both paths give the same bytes (tested against
 * each other and RFC 4231).
 */
import { createHmac } from 'node:crypto';
import { latin1Bytes, nodeHashOnce, oneShotHash, writeLatin1 } from './nodeHasher.js';
import type { HashAlgorithm } from './provider.js';

/** Hash block sizes (bytes): the HMAC pad length. */
const BLOCK_SIZE: Readonly<Record<HashAlgorithm, number>> = { sha256: 64, sha384: 128, sha512: 128 };

/** Longest message (all parts together) hashed through the scratch buffer; longer ones stream through createHmac. */
export const ONE_SHOT_HMAC_MAX_MESSAGE = 1024;

/** Block + longest message + room for an inner digest: the outer hash input fits in the same buffer. */
const scratch = new Uint8Array(128 + ONE_SHOT_HMAC_MAX_MESSAGE);

const EMPTY: Uint8Array = new Uint8Array(0);

/** Writes `key` (already at most one block) XOR `pad` over the first `block` bytes of the scratch buffer. */
function writePad(key: Uint8Array, pad: number, block: number): void {
  let i = 0;
  for (; i < key.length; i++) scratch[i] = key[i]! ^ pad;
  scratch.fill(pad, i, block);
}

/**
 * HMAC-`hash` under `key` of the message `a ‖ b ‖ c` (HKDF's T(i-1) ‖ info ‖ i without concatenating first). The
 * caller has checked the arguments are byte arrays and `hash` is supported.
 */
export function hmacOf(hash: HashAlgorithm, key: Uint8Array, a: Uint8Array, b: Uint8Array = EMPTY, c: Uint8Array = EMPTY): Uint8Array {
  if (oneShotHash === undefined || a.length + b.length + c.length > ONE_SHOT_HMAC_MAX_MESSAGE) {
    return createHmac(hash, key).update(a).update(b).update(c).digest();
  }
  const block = BLOCK_SIZE[hash];
  const k = key.length > block ? nodeHashOnce(hash, key) : key;
  writePad(k, 0x36, block);
  scratch.set(a, block);
  scratch.set(b, block + a.length);
  scratch.set(c, block + a.length + b.length);
  const off = block + a.length + b.length + c.length;
  const inner = oneShotHash(hash, scratch.subarray(0, off), 'latin1');
  writePad(k, 0x5c, block);
  writeLatin1(inner, scratch, block);
  const out = latin1Bytes(oneShotHash(hash, scratch.subarray(0, block + inner.length), 'latin1'));
  scratch.fill(0, 0, Math.max(off, block + inner.length));
  if (k !== key) k.fill(0);
  return out;
}
