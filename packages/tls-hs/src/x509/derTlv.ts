/**
 * DER tag-length-value framing (X.690 §8.1, §10.1): just enough to find the exact byte range of an element that the
 * ASN.1 library has already parsed (e.g. the issuer Name inside a TBSCertificate), so names and keys can be compared
 * and hashed byte-for-byte. Decoding of values is left to @peculiar/asn1-schema.
 */

/** One DER element's position inside a buffer. */
export interface DerTlv {
  /** The identifier octet (single-byte tags only; high tag numbers are rejected). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the element. */
  readonly end: number;
}

/**
 * Reads the element starting at `offset`, within `limit` (default: end of buffer). DER rules: definite lengths only,
 * minimal length encoding, at most 4 length octets. Returns undefined on any violation or overrun.
 */
export function readDerTlv(buf: Uint8Array, offset: number, limit = buf.length): DerTlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) return undefined;
  let i = offset + 1;
  const first = buf[i++];
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || i + n > limit) return undefined;
    if (buf[i] === 0) return undefined; // not minimal
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + buf[i++];
    if (length < 0x80) return undefined; // should have used the short form
  }
  const end = i + length;
  if (end > limit) return undefined;
  return { tag, start: offset, contentStart: i, end };
}

/** The direct children of a constructed element, in order; undefined if they do not tile its content exactly. */
export function derChildren(buf: Uint8Array, parent: DerTlv): DerTlv[] | undefined {
  const out: DerTlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readDerTlv(buf, p, parent.end);
    if (t === undefined) return undefined;
    out.push(t);
    p = t.end;
  }
  return out;
}

/** The bytes of an element (a view, not a copy). */
export function derBytes(buf: Uint8Array, tlv: DerTlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}
