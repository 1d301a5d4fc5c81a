/**
 * HPACK/QPACK Huffman string coding (RFC 7541 §5.2 and Appendix B).
 *
 * Strings are handled as byte strings held in JavaScript strings with one char per byte (char codes 0..255, i.e.
 * "latin1"), which is how this layer represents field names and values.
 *
 * Decoding walks a 4-bit-at-a-time state machine built once from the code table: each state is an internal node of
 * the code tree; for a (state, nibble) pair the table gives the next state and at most one emitted symbol (every
 * code is at least 5 bits long, so four bits complete at most one). The RFC's decoding rules are enforced: the
 * padding at the end must be a prefix of EOS (all 1-bits) shorter than 8 bits, and an EOS symbol inside the string
 * is an error.
 */
import type { ByteWriter } from '../byteWriter.js';
import { H3Error, H3ErrorCode } from '../errors.js';
import { HUFFMAN_CODES, HUFFMAN_CODE_LENGTHS, HUFFMAN_EOS, HUFFMAN_SYMBOLS } from './huffmanTable.js';

const EMIT = 1 << 16;
const FAIL = 1 << 17;

/** Transition table: entry = next state | symbol << 8 | EMIT | FAIL, indexed by state * 16 + nibble. */
const transitions = new Uint32Array(256 * 16);
/** Per state: 1 if the decoder may stop there (root, or an all-ones path of 1..7 bits). */
const accepting = new Uint8Array(256);

{
  // Build the code tree: node n has children at child[2n], child[2n+1]; a leaf is stored as ~symbol (negative).
  const child = new Int32Array(2 * 512).fill(0);
  let nodes = 1;
  for (let sym = 0; sym < HUFFMAN_SYMBOLS; sym++) {
    const len = HUFFMAN_CODE_LENGTHS[sym];
    const code = HUFFMAN_CODES[sym];
    let node = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const slot = 2 * node + bit;
      if (i === 0) {
        child[slot] = ~sym;
      } else {
        if (child[slot] === 0) child[slot] = nodes++;
        node = child[slot];
      }
    }
  }
  // Depth and all-ones flag of every internal node, by walking from the root.
  const depth = new Int32Array(nodes);
  const ones = new Uint8Array(nodes);
  ones[0] = 1;
  for (let n = 0; n < nodes; n++) {
    for (let bit = 0; bit < 2; bit++) {
      const c = child[2 * n + bit];
      if (c > 0) {
        depth[c] = depth[n] + 1;
        ones[c] = ones[n] & bit;
      }
    }
  }
  for (let s = 0; s < nodes; s++) {
    accepting[s] = ones[s] === 1 && depth[s] < 8 ? 1 : 0;
    for (let nib = 0; nib < 16; nib++) {
      let node = s;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const c = child[2 * node + ((nib >> i) & 1)];
        if (c < 0) {
          const sym = ~c;
          if (sym === HUFFMAN_EOS) {
            entry |= FAIL;
            break;
          }
          entry |= EMIT | (sym << 8);
          node = 0;
        } else {
          node = c;
        }
      }
      transitions[s * 16 + nib] = entry | node;
    }
  }
}

/** Number of bytes the Huffman encoding of `s` (chars 0..255) takes, padding included. */
export function huffmanEncodedLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += HUFFMAN_CODE_LENGTHS[s.charCodeAt(i) & 0xff];
  return Math.ceil(bits / 8);
}

/** Appends the Huffman encoding of `s` (chars 0..255), padded with 1-bits (the EOS prefix) to a byte boundary. */
export function huffmanEncode(s: string, w: ByteWriter): void {
  w.ensure(huffmanEncodedLength(s));
  const out = w.raw;
  let pos = w.length;
  let acc = 0; // pending bits, fewer than 8 before each append, so acc stays below 2^38
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const sym = s.charCodeAt(i) & 0xff;
    const len = HUFFMAN_CODE_LENGTHS[sym];
    acc = acc * 2 ** len + HUFFMAN_CODES[sym];
    bits += len;
    while (bits >= 8) {
      bits -= 8;
      const div = 2 ** bits;
      out[pos++] = Math.floor(acc / div) & 0xff;
      acc %= div;
    }
  }
  if (bits > 0) out[pos++] = (acc << (8 - bits)) | ((1 << (8 - bits)) - 1);
  w.length = pos;
}

let scratch = new Uint8Array(256);

/**
 * Decodes the Huffman-coded bytes `buf[start..end)` into a string (one char per byte). Throws {@link H3Error} with
 * `errorCode` (default QPACK_DECOMPRESSION_FAILED) for an EOS symbol in the data or invalid padding.
 */
export function huffmanDecode(
  buf: Uint8Array,
  start: number,
  end: number,
  errorCode: number = H3ErrorCode.QPACK_DECOMPRESSION_FAILED,
): string {
  // Shortest code is 5 bits, so n bytes decode to at most floor(8n/5) symbols.
  const max = Math.floor(((end - start) * 8) / 5);
  if (scratch.length < max) scratch = new Uint8Array(Math.max(max, scratch.length * 2));
  const out = scratch;
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    let e = transitions[state * 16 + (b >> 4)];
    if (e & FAIL) throw new H3Error(errorCode, 'EOS symbol inside a Huffman-coded string');
    if (e & EMIT) out[n++] = (e >> 8) & 0xff;
    e = transitions[(e & 0xff) * 16 + (b & 0x0f)];
    if (e & FAIL) throw new H3Error(errorCode, 'EOS symbol inside a Huffman-coded string');
    if (e & EMIT) out[n++] = (e >> 8) & 0xff;
    state = e & 0xff;
  }
  if (!accepting[state]) throw new H3Error(errorCode, 'invalid Huffman padding (not a short prefix of EOS)');
  return latin1(out, 0, n);
}

/** Converts bytes to a string with one char per byte, in chunks to stay within argument-count limits. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return s;
}
