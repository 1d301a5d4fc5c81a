import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createNodeProvider } from '@quichs/tls-hs';
import type { LongHeader, PacketHeader, RetryHeader, RetryTagFunction, ShortHeader } from '../src/index.js';
import {
  buildLongHeader,
  buildRetryPacket,
  buildShortHeader,
  buildStatelessReset,
  buildVersionNegotiation,
  checkReservedBits,
  isKnownVersion,
  isReservedVersion,
  keyPhaseOf,
  longPacketTypeBits,
  longPacketTypeFromBits,
  matchStatelessReset,
  packetNumberLengthOf,
  packetNumberSpaceOf,
  parsePacketHeader,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  QuicError,
  QuicWriter,
  readTruncatedPacketNumber,
  retryPseudoPacket,
  splitCoalescedPackets,
  statelessResetSize,
  TransportErrorCode,
  verifyRetryPacket,
  writeLongHeader,
} from '../src/index.js';
import v1 from './fixtures/vectors-rfc9001.json' with { type: 'json' };
import v2 from './fixtures/vectors-rfc9369.json' with { type: 'json' };

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const opts = { shortDcidLength: 0 };

function err(fn: () => unknown): QuicError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, QuicError);
    return e as QuicError;
  }
  throw new Error('expected a QuicError');
}

function expectKind<K extends PacketHeader['kind'] | 'drop'>(h: { kind: string }, kind: K): void {
  assert.is(h.kind, kind);
}

const provider = createNodeProvider();
/** The RFC 9001 §5.8 / RFC 9369 §3.3.3 tag, computed with the shared crypto provider for the test. */
const retryTag: RetryTagFunction = (version, odcid, retryWithoutTag) => {
  const c = version === QUIC_VERSION_2 ? v2.constants : v1.constants;
  const aead = provider.createAead('aes-128-gcm', hex(c.retry_integrity_key));
  return aead.seal(hex(c.retry_integrity_nonce), retryPseudoPacket(odcid, retryWithoutTag), new Uint8Array(0));
};

const s = suite('packet');

for (const [name, v, version] of [
  ['v1', v1, QUIC_VERSION_1],
  ['v2', v2, QUIC_VERSION_2],
] as const) {
  s(`${name}: client Initial header (RFC Appendix A.2)`, () => {
    const pkt = hex(v.client_initial.protected_packet);
    const h = parsePacketHeader(pkt, 0, opts) as LongHeader;
    expectKind(h, 'long');
    assert.is(h.version, version);
    assert.is(h.type, 'initial');
    assert.is(toHex(h.dcid), v.constants.client_dst_connection_id);
    assert.is(h.scid.length, 0);
    assert.is(h.token.length, 0);
    assert.is(h.length, 1182);
    assert.is(h.end, 1200);
    const unprot = hex(v.client_initial.unprotected_header);
    assert.is(h.pnOffset, unprot.length - v.client_initial.packet_number_length);
    // Unprotected header fields.
    assert.is(packetNumberLengthOf(unprot[0]), 4);
    assert.is(readTruncatedPacketNumber(unprot, h.pnOffset, 4), v.client_initial.packet_number);
    checkReservedBits(unprot[0]);
    // Builder reproduces the unprotected header.
    const built = buildLongHeader({
      version,
      type: 'initial',
      dcid: h.dcid,
      scid: h.scid,
      pn: 2,
      pnLength: 4,
      payloadLength: v.client_initial.payload_length_with_padding + 16,
      lengthFieldSize: 2,
    });
    assert.is(toHex(built.header), v.client_initial.unprotected_header);
    assert.is(built.pnOffset, h.pnOffset);
  });

  s(`${name}: server Initial header (RFC Appendix A.3)`, () => {
    const pkt = hex(v.server_initial.protected_packet);
    const h = parsePacketHeader(pkt, 0, opts) as LongHeader;
    expectKind(h, 'long');
    assert.is(h.type, 'initial');
    assert.is(h.dcid.length, 0);
    assert.is(toHex(h.scid), 'f067a5502a4262b5');
    assert.is(h.end, pkt.length);
    const payloadLength = v.server_initial.payload.length / 2 + 16;
    const built = buildLongHeader({ version, type: 'initial', dcid: h.dcid, scid: h.scid, pn: 1, pnLength: 2, payloadLength, lengthFieldSize: 2 });
    assert.is(toHex(built.header), v.server_initial.unprotected_header);
  });

  s(`${name}: Retry (RFC Appendix A.4) parse, verify and build`, () => {
    const pkt = hex(v.retry.retry_packet);
    const h = parsePacketHeader(pkt, 0, opts) as RetryHeader;
    expectKind(h, 'retry');
    assert.is(h.version, version);
    assert.is(Buffer.from(h.token).toString(), 'token');
    assert.is(toHex(h.tag), v.retry.integrity_tag);
    const odcid = hex(v.retry.original_destination_connection_id);
    assert.ok(verifyRetryPacket(pkt, h, odcid, retryTag));
    assert.not.ok(verifyRetryPacket(pkt, h, hex('0011'), retryTag));
    assert.not.ok(verifyRetryPacket(pkt, h, odcid, () => new Uint8Array(3)));
    const built = buildRetryPacket(
      { version, dcid: h.dcid, scid: h.scid, token: h.token, originalDcid: odcid, unusedBits: h.firstByte & 0x0f },
      retryTag,
    );
    assert.is(toHex(built), v.retry.retry_packet);
  });

  s(`${name}: ChaCha20 short header (RFC Appendix A.5)`, () => {
    const pkt = hex(v.chacha20_short_header.protected_packet);
    const h = parsePacketHeader(pkt, 0, opts) as ShortHeader;
    expectKind(h, 'short');
    assert.is(h.pnOffset, 1);
    assert.is(h.end, pkt.length);
    assert.is(h.spin, false);
    const unprot = hex(v.chacha20_short_header.unprotected_header);
    assert.is(packetNumberLengthOf(unprot[0]), 3);
    assert.is(keyPhaseOf(unprot[0]), 0);
    const built = buildShortHeader({ dcid: new Uint8Array(0), pn: v.chacha20_short_header.packet_number, pnLength: 3 });
    assert.is(toHex(built.header), v.chacha20_short_header.unprotected_header);
  });
}

s('long packet type bits differ between v1 and v2', () => {
  const types = ['initial', 'zeroRtt', 'handshake', 'retry'] as const;
  assert.equal(types.map((t) => longPacketTypeBits(QUIC_VERSION_1, t)), [0, 1, 2, 3]);
  assert.equal(types.map((t) => longPacketTypeBits(QUIC_VERSION_2, t)), [1, 2, 3, 0]);
  for (const ver of [QUIC_VERSION_1, QUIC_VERSION_2]) {
    for (const t of types) assert.is(longPacketTypeFromBits(ver, longPacketTypeBits(ver, t)), t);
  }
  assert.is(err(() => longPacketTypeBits(0x1234, 'initial')).code, TransportErrorCode.INTERNAL_ERROR);
  assert.ok(isKnownVersion(QUIC_VERSION_2));
  assert.not.ok(isKnownVersion(0xff00001d));
  assert.ok(isReservedVersion(0x1a2a3a4a));
  assert.not.ok(isReservedVersion(QUIC_VERSION_1));
  assert.is(packetNumberSpaceOf('zeroRtt'), 'application');
  assert.is(packetNumberSpaceOf('handshake'), 'handshake');
  assert.is(packetNumberSpaceOf('initial'), 'initial');
});

s('0-RTT and Handshake round trip with tokens only on Initial', () => {
  for (const version of [QUIC_VERSION_1, QUIC_VERSION_2]) {
    for (const type of ['initial', 'zeroRtt', 'handshake'] as const) {
      const token = type === 'initial' ? hex('aabbcc') : undefined;
      const w = new QuicWriter();
      const pnOffset = writeLongHeader(w, { version, type, dcid: hex('0102'), scid: hex('030405'), token, pn: 0x1234567, pnLength: 3, payloadLength: 40 });
      w.zeros(40);
      const pkt = w.finish();
      const h = parsePacketHeader(pkt, 0, opts) as LongHeader;
      assert.is(h.kind, 'long');
      assert.is(h.type, type);
      assert.is(h.pnOffset, pnOffset);
      assert.is(toHex(h.token), token ? 'aabbcc' : '');
      assert.is(readTruncatedPacketNumber(pkt, pnOffset, 3), 0x234567);
      assert.is(h.end, pkt.length);
    }
  }
  const bad = { version: QUIC_VERSION_1, type: 'handshake' as const, dcid: hex('01'), scid: hex('02'), pn: 0, pnLength: 1, payloadLength: 30 };
  assert.is(err(() => buildLongHeader({ ...bad, token: hex('01') })).code, TransportErrorCode.INTERNAL_ERROR);
  assert.is(err(() => buildLongHeader({ ...bad, pnLength: 5 })).code, TransportErrorCode.INTERNAL_ERROR);
  assert.is(err(() => buildLongHeader({ ...bad, dcid: new Uint8Array(21) })).code, TransportErrorCode.INTERNAL_ERROR);
  assert.is(err(() => buildShortHeader({ dcid: new Uint8Array(21), pn: 0, pnLength: 1 })).code, TransportErrorCode.INTERNAL_ERROR);
});

s('short header bits: spin, key phase, fixed bit and grease', () => {
  const { header } = buildShortHeader({ dcid: hex('0102030405060708'), pn: 7, pnLength: 1, spin: true, keyPhase: 1 });
  const pkt = new Uint8Array(header.length + 30);
  pkt.set(header);
  const h = parsePacketHeader(pkt, 0, { shortDcidLength: 8 }) as ShortHeader;
  assert.is(h.kind, 'short');
  assert.is(h.spin, true);
  assert.is(keyPhaseOf(header[0]), 1);
  assert.is(toHex(h.dcid), '0102030405060708');
  // Fixed bit 0: dropped unless grease_quic_bit was negotiated.
  const greased = buildShortHeader({ dcid: hex('0102030405060708'), pn: 7, pnLength: 1, fixedBit: false });
  pkt.set(greased.header);
  assert.equal(parsePacketHeader(pkt, 0, { shortDcidLength: 8 }), { kind: 'drop', reason: 'fixed_bit', start: 0 });
  assert.is(parsePacketHeader(pkt, 0, { shortDcidLength: 8, greaseQuicBit: true }).kind, 'short');
  const lw = new QuicWriter();
  writeLongHeader(lw, { version: QUIC_VERSION_1, type: 'handshake', dcid: hex('01'), scid: hex('02'), pn: 1, pnLength: 1, payloadLength: 30, fixedBit: false });
  lw.zeros(30);
  assert.is((parsePacketHeader(lw.finish(), 0, opts) as { reason: string }).reason, 'fixed_bit');
  assert.is(parsePacketHeader(lw.finish(), 0, { ...opts, greaseQuicBit: true }).kind, 'long');
});

s('reserved bits after unprotection are PROTOCOL_VIOLATION', () => {
  assert.is(err(() => checkReservedBits(0xc0 | 0x08)).code, TransportErrorCode.PROTOCOL_VIOLATION);
  assert.is(err(() => checkReservedBits(0x40 | 0x10)).code, TransportErrorCode.PROTOCOL_VIOLATION);
  checkReservedBits(0x40 | 0x04 | 0x03);
  checkReservedBits(0xc0 | 0x30 | 0x03);
});

s('malformed packets are dropped with a reason, never thrown', () => {
  const cases: [string, string, string][] = [
    ['empty', '', 'truncated'],
    ['short DCID truncated', '4001', 'truncated'],
    ['short too small for a sample', '40' + '00'.repeat(10), 'too_short'],
    ['long truncated version', 'c00000', 'truncated'],
    ['long DCID truncated', 'c0000000010801', 'truncated'],
    ['long SCID truncated', 'c00000000100' + '0501', 'truncated'],
    ['v1 DCID > 20', 'c000000001' + '15' + '00'.repeat(21) + '00' + '00'.repeat(30), 'cid_too_long'],
    ['Initial token truncated', 'c000000001000005aa', 'truncated'],
    ['Initial token length truncated', 'c0000000010000', 'truncated'],
    ['Initial token length too big', 'c0000000010000ffffffffffffffff', 'bad_length'],
    ['Length missing', 'e00000000100' + '00', 'truncated'],
    ['Length above 2^53', 'e000000001000' + '0ffffffffffffffff', 'bad_length'],
    ['Length beyond datagram', 'e00000000100' + '0040ff' + '00'.repeat(20), 'bad_length'],
    ['Length too small for a sample', 'e00000000100' + '0005' + '00'.repeat(5), 'too_short'],
    ['Retry without token', 'f000000001' + '0000' + '00'.repeat(16), 'malformed'],
    ['VN with no versions', '80000000000000', 'malformed'],
    ['VN with partial version', '80000000000000000001', 'malformed'],
  ];
  for (const [name, h, reason] of cases) {
    const r = parsePacketHeader(hex(h), 0, { shortDcidLength: 4 });
    assert.is(r.kind, 'drop', name);
    assert.is((r as { reason: string }).reason, reason, name);
  }
});

s('Version Negotiation build and parse; unknown versions per RFC 8999', () => {
  const dcid = new Uint8Array(40).fill(7); // RFC 8999: any length up to 255 for unknown versions
  const scid = hex('0102');
  const unknown = new Uint8Array([0xc5, 0xff, 0x00, 0x00, 0x1d, 40, ...dcid, 2, ...scid, 1, 2, 3]);
  const u = parsePacketHeader(unknown, 0, opts);
  assert.equal(u, { kind: 'unknownVersion', version: 0xff00001d, dcid, scid, start: 0, end: unknown.length });
  const vn = buildVersionNegotiation({ dcid: scid, scid: dcid, versions: [QUIC_VERSION_1, QUIC_VERSION_2, 0x0a0a0a0a], unusedBits: 0x55 });
  assert.is(vn[0], 0x80 | 0x55);
  const h = parsePacketHeader(vn, 0, opts);
  assert.equal(h, { kind: 'versionNegotiation', dcid: scid, scid: dcid, versions: [1, QUIC_VERSION_2, 0x0a0a0a0a], start: 0, end: vn.length });
  assert.is(err(() => buildVersionNegotiation({ dcid, scid, versions: [], unusedBits: 0 })).code, TransportErrorCode.INTERNAL_ERROR);
  const rb = { version: QUIC_VERSION_1, dcid, scid, token: hex('01'), originalDcid: scid };
  assert.is(err(() => buildRetryPacket(rb, retryTag)).code, TransportErrorCode.INTERNAL_ERROR);
  assert.is(err(() => buildRetryPacket({ ...rb, dcid: scid }, () => new Uint8Array(4))).code, TransportErrorCode.INTERNAL_ERROR);
});

s('coalesced packets split by Length; DCID mismatch and garbage are dropped', () => {
  const server = hex(v1.server_initial.protected_packet);
  const short = hex(v1.chacha20_short_header.protected_packet);
  const dgram = new Uint8Array([...server, ...short]);
  const parts = splitCoalescedPackets(dgram, opts);
  assert.equal(parts.map((p) => p.kind), ['long', 'short']);
  assert.is(parts[1].kind === 'short' && parts[1].start, server.length);
  // A second packet with a different DCID is skipped; the third (same DCID) is kept.
  const client = hex(v1.client_initial.protected_packet);
  const three = new Uint8Array([...server, ...client, ...server]);
  const p3 = splitCoalescedPackets(three, opts);
  assert.equal(p3.map((p) => p.kind), ['long', 'drop', 'long']);
  assert.is((p3[1] as { reason: string }).reason, 'dcid_mismatch');
  // Trailing garbage stops the split with a drop.
  const junk = new Uint8Array([...server, 0xc0, 0x00]);
  const pj = splitCoalescedPackets(junk, opts);
  assert.equal(pj.map((p) => p.kind), ['long', 'drop']);
});

s('stateless reset build and detect', () => {
  const token = new Uint8Array(16).map((_, i) => i + 1);
  const other = new Uint8Array(16).fill(9);
  const rnd = new Uint8Array(20).fill(0xff);
  const reset = buildStatelessReset(token, rnd);
  assert.is(reset.length, 36);
  assert.is(reset[0] & 0xc0, 0x40);
  assert.is(matchStatelessReset(reset, [other, token]), token);
  assert.is(matchStatelessReset(reset, [other, new Uint8Array(3)]), null);
  assert.is(matchStatelessReset(reset.subarray(16), [token]), null); // < 21 bytes
  assert.is(statelessResetSize(100), 43);
  assert.is(statelessResetSize(30), 29);
  assert.is(statelessResetSize(21), 0);
  assert.is(err(() => buildStatelessReset(token, new Uint8Array(4))).code, TransportErrorCode.INTERNAL_ERROR);
  assert.is(err(() => buildStatelessReset(other.subarray(1), rnd)).code, TransportErrorCode.INTERNAL_ERROR);
});

s.run();
