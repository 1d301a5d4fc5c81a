/** TlsReader / TlsWriter: bounds checks, length-prefixed vectors and blocks, constants lookups. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsReader } from '../src/wire/reader.js';
import { TlsWriter } from '../src/wire/writer.js';
import {
  CipherSuite, ExtensionType, HandshakeType, NamedGroup, SignatureScheme, cipherSuiteName, contentTypeName,
  extensionTypeName, handshakeTypeName, isGrease, namedGroupName, protocolVersionName, signatureSchemeName,
} from '../src/wire/constants.js';
import { hex, throwsAlert, toHex } from './wire-helpers.js';

const s = suite('wire reader/writer');

s('reads integers big-endian', () => {
  const r = new TlsReader(hex('01 0203 040506 ffffffff 0a0b'));
  assert.is(r.u8(), 1);
  assert.is(r.u16(), 0x0203);
  assert.is(r.u24(), 0x040506);
  assert.is(r.u32(), 0xffffffff);
  assert.is(r.remaining, 2);
  assert.is(toHex(r.rest()), '0a0b');
  assert.ok(r.atEnd);
  r.expectEnd();
});

s('truncated integers and bytes → decode_error', () => {
  throwsAlert(() => new TlsReader(new Uint8Array(0)).u8(), 'decode_error');
  throwsAlert(() => new TlsReader(hex('01')).u16(), 'decode_error');
  throwsAlert(() => new TlsReader(hex('0102')).u24(), 'decode_error');
  throwsAlert(() => new TlsReader(hex('010203')).u32(), 'decode_error');
  throwsAlert(() => new TlsReader(hex('0102')).bytes(3), 'decode_error');
});

s('vectors honour their prefix and bounds', () => {
  const r = new TlsReader(hex('02aabb 0003ccddee 000001ff'));
  assert.is(toHex(r.vec8()), 'aabb');
  assert.is(toHex(r.vec16()), 'ccddee');
  assert.is(toHex(r.vec24()), 'ff');
  r.expectEnd();
  throwsAlert(() => new TlsReader(hex('03aabb')).vec8('x'), 'decode_error', 'overrun');
  throwsAlert(() => new TlsReader(hex('00')).vec8('x', 1), 'decode_error', 'below min');
  throwsAlert(() => new TlsReader(hex('0003aabbcc')).vec16('x', 0, 2), 'decode_error', 'above max');
  throwsAlert(() => new TlsReader(hex('000005aa')).vec24('x'), 'decode_error', 'vec24 overrun');
});

s('blocks are confined sub-readers', () => {
  const r = new TlsReader(hex('02 0102 03'), 'T');
  const b = r.block8('inner');
  assert.is(b.u16(), 0x0102);
  throwsAlert(() => b.u8(), 'decode_error', 'reading past the block');
  assert.is(r.u8(), 3);
  const r2 = new TlsReader(hex('0001 00 000002 0102'));
  assert.is(r2.block16('a').u8(), 0);
  assert.is(r2.offset, 3);
  assert.is(r2.block24('b').u16(), 0x0102);
  throwsAlert(() => new TlsReader(hex('0003 01')).block16('x'), 'decode_error');
  throwsAlert(() => new TlsReader(hex('000000')).block24('x', 1), 'decode_error');
});

s('expectEnd reports trailing bytes', () => {
  const r = new TlsReader(hex('0102'), 'Thing');
  r.u8();
  const e = throwsAlert(() => r.expectEnd(), 'decode_error');
  assert.match(e.message, /Thing: 1 trailing bytes/);
});

s('writer grows and patches nested block lengths', () => {
  const w = new TlsWriter(1);
  w.u8(1).u16(0x0203).u24(0x040506).u32(0x0708090a);
  w.block16((a) => {
    a.block8((b) => b.bytes(hex('aabb')));
    a.block24((b) => b.vec16(hex('cc')));
  });
  w.vec8(hex('01')).vec16(new Uint8Array(300)).vec24(hex('02'));
  const out = w.finish();
  assert.is(toHex(out.subarray(0, 21)), '01' + '0203' + '040506' + '0708090a' + '0009' + '02aabb' + '000003' + '0001cc');
  const r = new TlsReader(out);
  assert.is(r.u8(), 1);
  assert.is(r.u16(), 0x0203);
  assert.is(r.u24(), 0x040506);
  assert.is(r.u32(), 0x0708090a);
  const a = r.block16();
  assert.is(toHex(a.vec8()), 'aabb');
  const c = a.block24();
  assert.is(toHex(c.vec16()), 'cc');
  a.expectEnd();
  assert.is(toHex(r.vec8()), '01');
  assert.is(r.vec16().length, 300);
  assert.is(toHex(r.vec24()), '02');
  r.expectEnd();
  assert.is(w.length, out.length);
});

s('writer refuses values that do not fit (internal_error)', () => {
  throwsAlert(() => new TlsWriter().u8(256), 'internal_error');
  throwsAlert(() => new TlsWriter().u16(-1), 'internal_error');
  throwsAlert(() => new TlsWriter().u24(1 << 24), 'internal_error');
  throwsAlert(() => new TlsWriter().u32(1.5), 'internal_error');
  throwsAlert(() => new TlsWriter().vec8(new Uint8Array(256)), 'internal_error');
  throwsAlert(() => new TlsWriter().vec16(new Uint8Array(0), 'x', 1), 'internal_error');
  throwsAlert(() => new TlsWriter().block8((b) => b.bytes(new Uint8Array(300))), 'internal_error');
  throwsAlert(() => new TlsWriter().block16(() => undefined, 'x', 2), 'internal_error');
});

s('constants and names', () => {
  assert.is(HandshakeType.client_hello, 1);
  assert.is(ExtensionType.quic_transport_parameters, 0x39);
  assert.is(NamedGroup.X25519MLKEM768, 0x11ec);
  assert.is(SignatureScheme.rsa_pss_rsae_sha256, 0x0804);
  assert.is(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, 0x1303);
  assert.is(handshakeTypeName(20), 'finished');
  assert.is(handshakeTypeName(99), 'handshake_99');
  assert.is(contentTypeName(22), 'handshake');
  assert.is(contentTypeName(99), 'content_99');
  assert.is(extensionTypeName(0x2b), 'supported_versions');
  assert.is(extensionTypeName(0x1234), 'extension_0x1234');
  assert.is(cipherSuiteName(0x1302), 'TLS_AES_256_GCM_SHA384');
  assert.is(cipherSuiteName(0xc02f), 'cipher_suite_0xc02f');
  assert.is(namedGroupName(0x1d), 'x25519');
  assert.is(namedGroupName(0x4242), 'group_0x4242');
  assert.is(signatureSchemeName(0x0807), 'ed25519');
  assert.is(signatureSchemeName(0x0101), 'signature_scheme_0x0101');
  assert.is(protocolVersionName(0x0304), 'TLS1_3');
  assert.is(protocolVersionName(0x7f1c), 'version_0x7f1c');
  assert.ok(isGrease(0x0a0a));
  assert.ok(isGrease(0xfafa));
  assert.not.ok(isGrease(0x0a1a));
  assert.not.ok(isGrease(0x1301));
});

s.run();
