import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteWriter } from '../interop/h3/byteWriter.js';
import { H3Error, H3ErrorCode } from '../interop/h3/errors.js';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength, latin1 } from '../interop/h3/qpack/huffman.js';
import { HUFFMAN_CODES, HUFFMAN_CODE_LENGTHS, HUFFMAN_EOS } from '../interop/h3/qpack/huffmanTable.js';
import {
  PREFIXED_INT_OVERFLOW,
  PREFIXED_INT_TRUNCATED,
  readPrefixedInt,
  writePrefixedInt,
} from '../interop/h3/qpack/prefixedInt.js';
import { QPACK_STATIC_TABLE, staticExactIndex, staticNameIndex } from '../interop/h3/qpack/staticTable.js';
import {
  decodeFieldSection,
  encodeFieldSection,
  fieldSectionSize,
  type HeaderField,
} from '../interop/h3/qpack/fieldSection.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const huff = (s: string): string => {
  const w = new ByteWriter(4);
  huffmanEncode(s, w);
  return toHex(w.finish());
};
function expectH3(fn: () => unknown, code: number): H3Error {
  try {
    fn();
  } catch (e) {
    assert.instance(e, H3Error);
    assert.is((e as H3Error).code, code, (e as Error).message);
    return e as H3Error;
  }
  assert.unreachable('expected an H3Error');
  throw new Error('unreachable');
}

const s = suite('interop-h3 qpack');

s('prefixed integers: RFC 7541 C.1 examples', () => {
  // C.1.1: 10 in a 5-bit prefix; C.1.2: 1337 in a 5-bit prefix; C.1.3: 42 at an octet boundary.
  const cases: Array<[number, number, string]> = [
    [10, 5, '0a'],
    [1337, 5, '1f9a0a'],
    [42, 8, '2a'],
    [31, 5, '1f00'],
    [0, 1, '00'],
  ];
  for (const [v, bits, enc] of cases) {
    const w = new ByteWriter(1);
    writePrefixedInt(w, 0, bits, v);
    assert.is(toHex(w.finish()), enc);
    const cur = { buf: hex(enc), pos: 0, end: enc.length / 2 };
    assert.is(readPrefixedInt(cur, bits), v);
    assert.is(cur.pos, enc.length / 2);
  }
  // flags above the prefix are kept by the writer and ignored by the reader
  const w = new ByteWriter(1);
  writePrefixedInt(w, 0xc0, 6, 17);
  assert.is(toHex(w.finish()), 'd1');
  assert.is(readPrefixedInt({ buf: hex('d1'), pos: 0, end: 1 }, 6), 17);
});

s('prefixed integers: round trip of large values, truncation and overflow', () => {
  for (const v of [126, 127, 128, 255, 256, 16510, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
    for (const bits of [3, 4, 6, 7, 8]) {
      const w = new ByteWriter(1);
      writePrefixedInt(w, 0, bits, v);
      const b = w.finish();
      const cur = { buf: b, pos: 0, end: b.length };
      assert.is(readPrefixedInt(cur, bits), v);
      assert.is(cur.pos, b.length);
      const short = { buf: b, pos: 0, end: b.length - 1 };
      if (b.length > 1) {
        assert.is(readPrefixedInt(short, bits), PREFIXED_INT_TRUNCATED);
        assert.is(short.pos, 0);
      }
    }
  }
  assert.is(readPrefixedInt({ buf: new Uint8Array(0), pos: 0, end: 0 }, 7), PREFIXED_INT_TRUNCATED);
  assert.is(readPrefixedInt({ buf: hex('ffffffffffffffffff7f'), pos: 0, end: 10 }, 7), PREFIXED_INT_OVERFLOW);
  assert.is(readPrefixedInt({ buf: hex('ff808080808080808080808000'), pos: 0, end: 13 }, 7), PREFIXED_INT_OVERFLOW);
  assert.throws(() => writePrefixedInt(new ByteWriter(), 0, 7, -1), RangeError);
  assert.throws(() => writePrefixedInt(new ByteWriter(), 0, 7, 1.5), RangeError);
});

s('static table: 99 entries, known indices', () => {
  assert.is(QPACK_STATIC_TABLE.length, 99);
  assert.equal(QPACK_STATIC_TABLE[0], [':authority', '']);
  assert.equal(QPACK_STATIC_TABLE[1], [':path', '/']);
  assert.equal(QPACK_STATIC_TABLE[17], [':method', 'GET']);
  assert.equal(QPACK_STATIC_TABLE[25], [':status', '200']);
  assert.equal(QPACK_STATIC_TABLE[31], ['accept-encoding', 'gzip, deflate, br']);
  assert.equal(QPACK_STATIC_TABLE[85], ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"]);
  assert.equal(QPACK_STATIC_TABLE[98], ['x-frame-options', 'sameorigin']);
  assert.is(staticExactIndex(':method', 'POST'), 20);
  assert.is(staticExactIndex(':method', 'PATCH'), -1);
  assert.is(staticNameIndex(':method'), 15);
  assert.is(staticNameIndex('x-unknown'), -1);
  for (const [name] of QPACK_STATIC_TABLE) assert.is(name, name.toLowerCase());
});

s('huffman table is a complete prefix code with EOS = 30 ones', () => {
  let kraft = 0;
  for (let i = 0; i < 257; i++) kraft += 2 ** (30 - HUFFMAN_CODE_LENGTHS[i]);
  assert.is(kraft, 2 ** 30);
  assert.is(HUFFMAN_CODES[HUFFMAN_EOS], 0x3fffffff);
  assert.is(HUFFMAN_CODE_LENGTHS[HUFFMAN_EOS], 30);
  // RFC 7541 Appendix B spot checks: '0' = 00000 (5), 'a' = 00011 (5), ' ' = 010100 (6), 0x00 = 1ff8 (13)
  assert.is(HUFFMAN_CODES[0x30], 0x0);
  assert.is(HUFFMAN_CODE_LENGTHS[0x30], 5);
  assert.is(HUFFMAN_CODES[0x61], 0x3);
  assert.is(HUFFMAN_CODES[0x20], 0x14);
  assert.is(HUFFMAN_CODE_LENGTHS[0x20], 6);
  assert.is(HUFFMAN_CODES[0], 0x1ff8);
});

s('huffman: RFC 7541 C.4 / C.6 strings encode and decode', () => {
  const vectors: Array<[string, string]> = [
    ['www.example.com', 'f1e3c2e5f23a6ba0ab90f4ff'],
    ['no-cache', 'a8eb10649cbf'],
    ['custom-key', '25a849e95ba97d7f'],
    ['custom-value', '25a849e95bb8e8b4bf'],
    ['302', '6402'],
    ['private', 'aec3771a4b'],
    ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07abe941054d444a8200595040b8166e082a62d1bff'],
    ['https://www.example.com', '9d29ad171863c78f0b97c8e9ae82ae43d3'],
  ];
  for (const [text, enc] of vectors) {
    assert.is(huff(text), enc, text);
    assert.is(huffmanEncodedLength(text), enc.length / 2);
    const b = hex(enc);
    assert.is(huffmanDecode(b, 0, b.length), text);
  }
  assert.is(huffmanDecode(new Uint8Array(0), 0, 0), '');
});

s('huffman: every byte value round-trips, including long codes', () => {
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  const w = new ByteWriter();
  huffmanEncode(all + all, w);
  const b = w.finish();
  assert.is(huffmanDecode(b, 0, b.length), all + all);
  // decode from the middle of a larger buffer
  const big = new Uint8Array(b.length + 4);
  big.set(b, 2);
  assert.is(huffmanDecode(big, 2, 2 + b.length), all + all);
});

s('huffman: padding and EOS rules', () => {
  // '0' is 00000: padding 111 is fine, padding with a 0 bit is not.
  assert.is(huffmanDecode(hex('07'), 0, 1), '0');
  expectH3(() => huffmanDecode(hex('06'), 0, 1), H3ErrorCode.QPACK_DECOMPRESSION_FAILED);
  // a whole byte of 1s as padding (8 bits) is too long
  expectH3(() => huffmanDecode(hex('07ff'), 0, 2), H3ErrorCode.QPACK_DECOMPRESSION_FAILED);
  expectH3(() => huffmanDecode(hex('ff'), 0, 1), H3ErrorCode.QPACK_DECOMPRESSION_FAILED);
  // EOS (30 ones) explicitly encoded, then padding
  expectH3(() => huffmanDecode(hex('ffffffff'), 0, 4), H3ErrorCode.QPACK_DECOMPRESSION_FAILED);
  // EOS in the middle of a string: '0' (00000) + EOS + '0' + padding
  const w = new ByteWriter();
  // 00000 111111111111111111111111111111 00000 + 11 pad = 42 bits: build by hand
  const bits = '00000' + '1'.repeat(30) + '00000' + '11';
  const bytes = new Uint8Array(bits.length / 8 + 1);
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') bytes[i >> 3] |= 0x80 >> (i & 7);
  const e = expectH3(() => huffmanDecode(bytes, 0, Math.ceil(bits.length / 8)), H3ErrorCode.QPACK_DECOMPRESSION_FAILED);
  assert.match(e.message, /EOS/);
  // custom error code is used when given
  expectH3(() => huffmanDecode(hex('06'), 0, 1, H3ErrorCode.QPACK_ENCODER_STREAM_ERROR), H3ErrorCode.QPACK_ENCODER_STREAM_ERROR);
  assert.is(w.length, 0);
});

s('latin1 handles long inputs and high bytes', () => {
  const b = new Uint8Array(10000).map((_, i) => i & 0xff);
  const str = latin1(b, 0, b.length);
  assert.is(str.length, 10000);
  assert.is(str.charCodeAt(255), 255);
  assert.is(str.charCodeAt(9999), 9999 & 0xff);
});

s('field section: RFC 9204 B.1 literal with static name reference', () => {
  const b = hex('0000 510b 2f69 6e64 6578 2e68 746d 6c');
  assert.equal(decodeFieldSection(b), [{ name: ':path', value: '/index.html' }]);
  assert.is(toHex(encodeFieldSection([{ name: ':path', value: '/index.html' }], { huffman: 'never' })), toHex(b));
});

s('field section: GET https://example.com/index.html encoded by hand', () => {
  const fields: HeaderField[] = [
    { name: ':method', value: 'GET' },
    { name: ':scheme', value: 'https' },
    { name: ':authority', value: 'example.com' },
    { name: ':path', value: '/index.html' },
    { name: 'user-agent', value: 'quichs' },
  ];
  // prefix 0000; :method GET = static 17 -> 0xc0|17 = d1; :scheme https = static 23 -> d7;
  // :authority = literal with static name ref 0 -> 0x50, len 11 'example.com';
  // :path = name ref 1 -> 0x51, len 11 '/index.html'; user-agent = name ref 95 -> 0x5f 0x50 (95-15=80), len 6 'quichs'
  const expected =
    '0000' + 'd1' + 'd7' + '50' + '0b' + toHex(Buffer.from('example.com')) + '51' + '0b' +
    toHex(Buffer.from('/index.html')) + '5f50' + '06' + toHex(Buffer.from('quichs'));
  assert.is(toHex(encodeFieldSection(fields, { huffman: 'never' })), expected);
  assert.equal(decodeFieldSection(hex(expected)), fields);
  // with Huffman ('auto'): the :authority value shrinks and carries the H bit
  const auto = encodeFieldSection(fields);
  assert.ok(auto.length < expected.length / 2);
  assert.equal(decodeFieldSection(auto), fields);
  assert.is(fieldSectionSize(fields), 7 + 3 + 7 + 5 + 10 + 11 + 5 + 11 + 10 + 6 + 5 * 32);
});

s('field section: literal names, never-indexed bit, huffman modes, round trips', () => {
  const fields: HeaderField[] = [
    { name: ':status', value: '200' },
    { name: 'x-custom', value: 'Hello, World' },
    { name: 'authorization', value: 'secret', neverIndex: true },
    { name: 'x-secret', value: 'abc', neverIndex: true },
    { name: 'content-type', value: 'text/plain' },
    { name: ':status', value: '418' },
    { name: 'empty', value: '' },
    { name: 'x-bytes', value: '\u00ff\u0080\u0001' },
  ];
  for (const huffman of ['auto', 'never', 'always'] as const) {
    const enc = encodeFieldSection(fields, { huffman });
    assert.equal(decodeFieldSection(enc), fields, huffman);
  }
  const never = encodeFieldSection([{ name: 'x-custom', value: 'v' }], { huffman: 'never' });
  assert.is(toHex(never), '0000' + '2701' + toHex(Buffer.from('x-custom')) + '01' + '76'); // 001 0 0 111 + (8-7)
  const neverIdx = encodeFieldSection([{ name: 'x-custom', value: 'v', neverIndex: true }], { huffman: 'never' });
  assert.is(neverIdx[2], 0x37);
  // content-type text/plain is static 53 exact; neverIndex forces a literal with name ref and N bit (0x70)
  const ct = encodeFieldSection([{ name: 'content-type', value: 'text/plain', neverIndex: true }], { huffman: 'never' });
  assert.is(toHex(ct.subarray(0, 4)), '00007f' + (44 - 15).toString(16).padStart(2, '0'));
  expectH3(() => encodeFieldSection([{ name: 'x', value: '\u2603' }]), H3ErrorCode.H3_INTERNAL_ERROR);
});

s('field section: decoder rejects dynamic references and malformed input', () => {
  const bad: Array<[string, number]> = [
    ['', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // no prefix
    ['00', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // no Delta Base
    ['0100', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // Required Insert Count 1
    ['0080', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // negative base
    ['000080', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // indexed, dynamic
    ['000010', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // indexed post-base
    ['000000', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // literal post-base name ref
    ['00004001', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // literal with dynamic name ref
    ['0000ff24', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // static index 63+36 = 99
    ['00005f', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // truncated name index
    ['0000d105', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // literal name ref missing value
    ['000051056162', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // value shorter than its length
    ['00002361', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // literal name of 3 bytes, 1 present
    ['0000518106', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // bad Huffman padding in value
    ['0000ffffffffffffffffff7f', H3ErrorCode.QPACK_DECOMPRESSION_FAILED], // integer overflow
  ];
  for (const [h, code] of bad) expectH3(() => decodeFieldSection(hex(h)), code);
  // non-zero Delta Base with RIC 0 and S=0 is harmless
  assert.equal(decodeFieldSection(hex('0005d1')), [{ name: ':method', value: 'GET' }]);
  // empty section is valid
  assert.equal(decodeFieldSection(hex('0000')), []);
});

s('field section: size limit', () => {
  const fields = [{ name: 'x-a', value: 'y'.repeat(100) }];
  const enc = encodeFieldSection(fields);
  assert.equal(decodeFieldSection(enc, { maxFieldSectionSize: 135 }), fields);
  expectH3(() => decodeFieldSection(enc, { maxFieldSectionSize: 134 }), H3ErrorCode.H3_EXCESSIVE_LOAD);
});

s.run();
