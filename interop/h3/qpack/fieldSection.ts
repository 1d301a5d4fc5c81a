/**
 * QPACK encoded field sections (RFC 9204 §4.5) for a dynamic table of capacity 0: the encoder only uses the static
 * table and literals; the decoder accepts every static representation and rejects any dynamic-table reference
 * with QPACK_DECOMPRESSION_FAILED (a reference to an entry that cannot exist, §2.2.3 / §4.5.1.1).
 *
 * Field lines (first byte):
 * - `1T xxxxxx` indexed field line (T=1 static, 6-bit index)
 * - `01NT xxxx` literal with name reference (T=1 static, 4-bit index), then the value string
 * - `001N Hxxx` literal with literal name (3-bit name length, H = Huffman), then the value string
 * - `0001 xxxx` indexed with post-base index, `0000 Nxxx` literal with post-base name reference (dynamic only)
 * Strings: H bit + 7-bit prefixed length, then the octets (Huffman-coded when H is set).
 */
import { ByteWriter } from '../byteWriter.js';
import { H3Error, H3ErrorCode } from '../errors.js';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength, latin1 } from './huffman.js';
import { PREFIXED_INT_TRUNCATED, readPrefixedInt, writePrefixedInt, type ByteCursor } from './prefixedInt.js';
import { QPACK_STATIC_TABLE, staticExactIndex, staticNameIndex } from './staticTable.js';

/**
 * One field line. Names and values are byte strings held one char per byte (char codes 0..255); `neverIndex`
 * asks intermediaries never to put the field into a dynamic table (the N bit, RFC 9204 §4.5.4).
 */
export interface HeaderField {
  /** Field name (lowercase for HTTP/3; pseudo-headers start with ':'). */
  name: string;
  /** Field value. */
  value: string;
  /** Set the N ("never indexed") bit on the literal representation. */
  neverIndex?: boolean;
}

/** When the encoder uses Huffman coding for string literals. */
export type HuffmanMode = 'auto' | 'never' | 'always';

/** Options of {@link encodeFieldSection}. */
export interface FieldSectionEncodeOptions {
  /** 'auto' (default): Huffman only when strictly shorter; 'never': plain octets; 'always': always Huffman. */
  huffman?: HuffmanMode;
}

/** Options of {@link decodeFieldSection}. */
export interface FieldSectionDecodeOptions {
  /**
   * Largest acceptable field section size (RFC 9114 §4.2.2: name + value + 32 per field). Exceeding it throws
   * H3Error(H3_EXCESSIVE_LOAD) as soon as it is detected. Default: unlimited.
   */
  maxFieldSectionSize?: number;
}

/** Size of a field list as RFC 9114 §4.2.2 / RFC 9204 §3.2.1 count it: name + value + 32 bytes per field. */
export function fieldSectionSize(fields: readonly HeaderField[]): number {
  let size = 0;
  for (const f of fields) size += f.name.length + f.value.length + 32;
  return size;
}

function checkByteString(s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `${what} has a character above 0xff (encode it as bytes first)`);
    }
  }
}

function writeString(w: ByteWriter, s: string, flags: number, prefixBits: number, mode: HuffmanMode): void {
  const hlen = mode === 'never' ? Infinity : huffmanEncodedLength(s);
  if (mode === 'always' || hlen < s.length) {
    writePrefixedInt(w, flags | (1 << prefixBits), prefixBits, hlen);
    huffmanEncode(s, w);
    return;
  }
  writePrefixedInt(w, flags, prefixBits, s.length);
  w.ensure(s.length);
  const out = w.raw;
  let p = w.length;
  for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
  w.length = p;
}

/** Appends an encoded field section (prefix 0x00 0x00, then one line per field) to `w`. */
export function encodeFieldSectionInto(
  w: ByteWriter,
  fields: readonly HeaderField[],
  options?: FieldSectionEncodeOptions,
): void {
  const mode = options?.huffman ?? 'auto';
  // Required Insert Count = 0 (8-bit prefix), Sign = 0 and Delta Base = 0 (7-bit prefix).
  w.byte(0x00);
  w.byte(0x00);
  for (const f of fields) {
    checkByteString(f.name, `field name ${JSON.stringify(f.name)}`);
    checkByteString(f.value, `value of ${JSON.stringify(f.name)}`);
    const n = f.neverIndex ? 0x20 : 0;
    if (!f.neverIndex) {
      const idx = staticExactIndex(f.name, f.value);
      if (idx >= 0) {
        writePrefixedInt(w, 0xc0, 6, idx);
        continue;
      }
    }
    const nameIdx = staticNameIndex(f.name);
    if (nameIdx >= 0) {
      writePrefixedInt(w, 0x50 | n, 4, nameIdx);
    } else {
      writeString(w, f.name, 0x20 | (n >> 1), 3, mode);
    }
    writeString(w, f.value, 0x00, 7, mode);
  }
}

/** Encodes a field section for a HEADERS frame payload (static table and literals only). */
export function encodeFieldSection(fields: readonly HeaderField[], options?: FieldSectionEncodeOptions): Uint8Array {
  const w = new ByteWriter(64 + fieldSectionSize(fields));
  encodeFieldSectionInto(w, fields, options);
  return w.finish();
}

function fail(reason: string): never {
  throw new H3Error(H3ErrorCode.QPACK_DECOMPRESSION_FAILED, reason);
}

function readInt(cur: ByteCursor, prefixBits: number, what: string): number {
  const v = readPrefixedInt(cur, prefixBits);
  if (v < 0) fail(v === PREFIXED_INT_TRUNCATED ? `field section ends inside ${what}` : `${what} too large`);
  return v;
}

function readString(cur: ByteCursor, prefixBits: number, what: string): string {
  const huffman = (cur.buf[cur.pos] >> prefixBits) & 1;
  const len = readInt(cur, prefixBits, `${what} length`);
  if (len > cur.end - cur.pos) fail(`${what} runs past the end of the field section`);
  const start = cur.pos;
  cur.pos += len;
  return huffman ? huffmanDecode(cur.buf, start, start + len) : latin1(cur.buf, start, start + len);
}

function staticEntry(index: number): readonly [string, string] {
  if (index >= QPACK_STATIC_TABLE.length) fail(`static table index ${index} out of range`);
  return QPACK_STATIC_TABLE[index];
}

/**
 * Decodes an encoded field section (a HEADERS frame payload). Throws {@link H3Error}: QPACK_DECOMPRESSION_FAILED
 * for truncation, bad integers or Huffman data, static indices above 98 or any dynamic table reference;
 * H3_EXCESSIVE_LOAD when `maxFieldSectionSize` is exceeded.
 */
export function decodeFieldSection(
  block: Uint8Array,
  options?: FieldSectionDecodeOptions,
): HeaderField[] {
  const limit = options?.maxFieldSectionSize ?? Infinity;
  const cur: ByteCursor = { buf: block, pos: 0, end: block.length };
  const ric = readInt(cur, 8, 'Required Insert Count');
  if (ric !== 0) fail(`Required Insert Count ${ric} with a dynamic table of capacity 0`);
  if (cur.pos >= cur.end) fail('field section ends inside Delta Base');
  const sign = cur.buf[cur.pos] & 0x80;
  readInt(cur, 7, 'Delta Base');
  if (sign) fail('negative Base with Required Insert Count 0');

  const fields: HeaderField[] = [];
  let size = 0;
  while (cur.pos < cur.end) {
    const b = cur.buf[cur.pos];
    let field: HeaderField;
    if (b & 0x80) {
      if (!(b & 0x40)) fail('indexed field line references the dynamic table');
      const [name, value] = staticEntry(readInt(cur, 6, 'static index'));
      field = { name, value };
    } else if (b & 0x40) {
      if (!(b & 0x10)) fail('literal field line references a dynamic table name');
      const neverIndex = (b & 0x20) !== 0;
      const [name] = staticEntry(readInt(cur, 4, 'static name index'));
      const value = readString(cur, 7, 'field value');
      field = neverIndex ? { name, value, neverIndex } : { name, value };
    } else if (b & 0x20) {
      const neverIndex = (b & 0x10) !== 0;
      const name = readString(cur, 3, 'field name');
      const value = readString(cur, 7, 'field value');
      field = neverIndex ? { name, value, neverIndex } : { name, value };
    } else {
      fail('post-base reference to the dynamic table');
    }
    size += field.name.length + field.value.length + 32;
    if (size > limit) {
      throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, `field section larger than ${limit} bytes`);
    }
    fields.push(field);
  }
  return fields;
}
