/**
 * Base64 (RFC 4648 §4) for PEM and base64url (§5) for JWK members, without `Buffer`/`atob`, so the code using it runs
 * wherever the noble provider runs.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as padded base64. */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + '=';
  }
  return out;
}

/**
 * Decodes strict padded base64 (no whitespace; length a multiple of 4; padding bits zero). Returns undefined for
 * anything else, so the caller can raise its own typed error.
 */
export function base64Decode(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return decodeUnpadded(text, text.length - pad, DECODE);
}

const URL_DECODE = Int16Array.from(DECODE);
URL_DECODE[43 /* + */] = -1;
URL_DECODE[47 /* / */] = -1;
URL_DECODE[45 /* - */] = 62;
URL_DECODE[95 /* _ */] = 63;

/**
 * Decodes strict unpadded base64url (RFC 4648 §5, as JWK members use it: no `=`, unused bits zero). Returns undefined
 * for anything else.
 */
export function base64UrlDecode(text: string): Uint8Array | undefined {
  return decodeUnpadded(text, text.length, URL_DECODE);
}

/**
 * The bytes of `text[0, length)` read with `table` (character code → 6-bit value, -1 if not in the alphabet), or
 * undefined if a character is outside the alphabet, the length cannot end a quantum (length % 4 == 1), or the
 * unused low bits of the last character are not zero.
 */
function decodeUnpadded(text: string, length: number, table: Int16Array): Uint8Array | undefined {
  if (length % 4 === 1) return undefined;
  const out = new Uint8Array((length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? table[c] : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  return acc === 0 ? out : undefined;
}
