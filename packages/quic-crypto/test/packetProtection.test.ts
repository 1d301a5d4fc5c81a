/**
 * Packet protection failure paths with both providers: tampered header / packet number / payload / tag, wrong
 * keys, truncation, reserved bits, argument checks, header-protection helpers, counters and AEAD limits.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  INITIAL_CIPHER_SUITE,
  PacketAead,
  PacketProtectionError,
  PacketProtector,
  QuicVersion,
  aeadLimits,
  applyHeaderProtection,
  derivePacketKeys,
  headerProtectionMask,
  initialKeys,
  initialSecret,
  isSupportedQuicVersion,
  keyUpdateMargin,
  nextTrafficSecret,
  quicCipherSuite,
  quicVersionParams,
  removeHeaderProtection,
  retryIntegrityTag,
  retryPseudoPacket,
  verifyRetryIntegrity,
  type AuthFailureCounter,
} from '../src/index.js';
import { hex, loadVectors, longHeaderPnOffset, providers, toHex } from './helpers.js';

const v1 = loadVectors('vectors-rfc9001.json');
const dcid = hex(v1.constants.client_dst_connection_id);

/** Asserts `fn` throws a PacketProtectionError with `code`. */
function throwsCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, PacketProtectionError);
    assert.is((e as PacketProtectionError).code, code);
    assert.is((e as PacketProtectionError).name, 'PacketProtectionError');
    return;
  }
  assert.unreachable(`expected PacketProtectionError ${code}`);
}

function flip(packet: Uint8Array, index: number, bit = 0x01): Uint8Array {
  const copy = Uint8Array.from(packet);
  copy[index] ^= bit;
  return copy;
}

for (const provider of providers) {
  const s = suite(`packet protection / ${provider.name}`);
  const ci = v1.client_initial;
  const clientHeader = hex(ci.unprotected_header);
  const pnOffset = longHeaderPnOffset(clientHeader);
  const protectedInitial = hex(ci.protected_packet);
  const keys = initialKeys(QuicVersion.V1, dcid, provider);
  const chacha = v1.chacha20_short_header;
  const chachaSuite = quicCipherSuite(0x1303);
  const chachaPacket = hex(chacha.protected_packet);

  const newReceiver = (): PacketProtector => new PacketProtector(INITIAL_CIPHER_SUITE, keys.client, { provider });

  s('the untampered packet opens', () => {
    const r = newReceiver();
    assert.is(r.unprotect(protectedInitial, pnOffset).packetNumber, 2);
    assert.is(r.aead.openedCount, 1);
  });

  s('flipped bits in the header are rejected (AUTH_FAILED)', () => {
    const r = newReceiver();
    for (const index of [1, 5, 6, 13, pnOffset - 1]) throwsCode(() => r.unprotect(flip(protectedInitial, index), pnOffset), 'AUTH_FAILED');
    // First byte: a protected bit (pn length / reserved) and an unprotected one (type).
    throwsCode(() => r.unprotect(flip(protectedInitial, 0, 0x02), pnOffset), 'AUTH_FAILED');
    throwsCode(() => r.unprotect(flip(protectedInitial, 0, 0x10), pnOffset), 'AUTH_FAILED');
    assert.is(r.failedOpenCount, 7);
  });

  s('flipped bits in the packet number are rejected', () => {
    const r = newReceiver();
    for (let i = 0; i < 4; i++) throwsCode(() => r.unprotect(flip(protectedInitial, pnOffset + i, 0x80), pnOffset), 'AUTH_FAILED');
  });

  s('flipped bits in the payload and in the tag are rejected', () => {
    const r = newReceiver();
    throwsCode(() => r.unprotect(flip(protectedInitial, pnOffset + 30), pnOffset), 'AUTH_FAILED');
    throwsCode(() => r.unprotect(flip(protectedInitial, 600, 0x40), pnOffset), 'AUTH_FAILED');
    throwsCode(() => r.unprotect(flip(protectedInitial, protectedInitial.length - 1), pnOffset), 'AUTH_FAILED');
    throwsCode(() => r.unprotect(flip(protectedInitial, protectedInitial.length - 16, 0x80), pnOffset), 'AUTH_FAILED');
    throwsCode(() => r.unprotect(flip(chachaPacket, chachaPacket.length - 3), 1, chacha.packet_number), 'AUTH_FAILED');
  });

  s('truncated packets are rejected', () => {
    const r = newReceiver();
    throwsCode(() => r.unprotect(protectedInitial.subarray(0, protectedInitial.length - 1), pnOffset), 'AUTH_FAILED');
    throwsCode(() => r.unprotect(protectedInitial.subarray(0, pnOffset + 19), pnOffset), 'TOO_SHORT');
    throwsCode(() => r.unprotect(protectedInitial.subarray(0, 5), pnOffset), 'TOO_SHORT');
    throwsCode(() => r.unprotect(new Uint8Array(0), 1), 'TOO_SHORT');
    const short = new PacketProtector(chachaSuite, derivePacketKeys(chachaSuite, hex(chacha.secret), 1, provider), { provider });
    throwsCode(() => short.unprotect(chachaPacket.subarray(0, 20), 1), 'TOO_SHORT');
  });

  s('wrong keys, wrong version and wrong largest packet number are rejected', () => {
    const serverKeys = new PacketProtector(INITIAL_CIPHER_SUITE, keys.server, { provider });
    throwsCode(() => serverKeys.unprotect(protectedInitial, pnOffset), 'AUTH_FAILED');
    const v2 = new PacketProtector(INITIAL_CIPHER_SUITE, initialKeys(QuicVersion.V2, dcid, provider).client, { provider });
    throwsCode(() => v2.unprotect(protectedInitial, pnOffset), 'AUTH_FAILED');
    // The 4-byte field decodes to 2^32 + 2 when the receiver thinks it is at 2^32: wrong nonce.
    throwsCode(() => newReceiver().unprotect(protectedInitial, pnOffset, 2 ** 32), 'AUTH_FAILED');
  });

  s('unprotect leaves the input untouched and returns a fresh header', () => {
    const input = Uint8Array.from(protectedInitial);
    const got = newReceiver().unprotect(input, pnOffset);
    assert.is(toHex(input), ci.protected_packet);
    got.header[0] ^= 0xff;
    assert.is(toHex(input), ci.protected_packet);
  });

  s('non-zero reserved bits after decryption are RESERVED_BITS', () => {
    const p = new PacketProtector(chachaSuite, derivePacketKeys(chachaSuite, hex(chacha.secret), 1, provider), { provider });
    const header = hex(chacha.unprotected_header);
    header[0] |= 0x08;
    const packet = p.protect(header, new Uint8Array(20), 1, chacha.packet_number);
    throwsCode(() => p.unprotect(packet, 1, chacha.packet_number), 'RESERVED_BITS');
    const long = Uint8Array.from(clientHeader);
    long[0] |= 0x04;
    const sealed = keysSender().protect(long, new Uint8Array(100), pnOffset, 2);
    throwsCode(() => newReceiver().unprotect(sealed, pnOffset), 'RESERVED_BITS');
  });

  function keysSender(): PacketProtector {
    return new PacketProtector(INITIAL_CIPHER_SUITE, keys.client, { provider });
  }

  s('protect checks header, packet number, offset and payload length', () => {
    const p = keysSender();
    const payload = new Uint8Array(100);
    throwsCode(() => p.protect(clientHeader.subarray(0, clientHeader.length - 1), payload, pnOffset, 2), 'BAD_ARGUMENT');
    throwsCode(() => p.protect(clientHeader, payload, pnOffset, 3), 'BAD_ARGUMENT');
    throwsCode(() => p.protect(clientHeader, payload, pnOffset, -1), 'BAD_ARGUMENT');
    throwsCode(() => p.protect(clientHeader, payload, 0, 2), 'BAD_ARGUMENT');
    throwsCode(() => p.protect(clientHeader, 'x' as unknown as Uint8Array, pnOffset, 2), 'BAD_ARGUMENT');
    // 4-byte pn needs no payload beyond the tag; a 1-byte pn needs 3 bytes of payload.
    assert.is(p.protect(clientHeader, new Uint8Array(0), pnOffset, 2).length, clientHeader.length + 16);
    const h1 = Uint8Array.of(0x40, 0xaa, 0x07);
    throwsCode(() => p.protect(h1, new Uint8Array(2), 2, 7), 'TOO_SHORT');
    assert.is(p.protect(h1, new Uint8Array(3), 2, 7).length, 3 + 3 + 16);
    throwsCode(() => p.unprotect('x' as unknown as Uint8Array, 1), 'BAD_ARGUMENT');
    assert.is(p.sealedCount, 2);
  });

  s('protectInto writes the same packet into a datagram buffer at an offset', () => {
    const payload = new Uint8Array(ci.payload_length_with_padding);
    payload.set(hex(ci.crypto_frame));
    const datagram = new Uint8Array(1300).fill(0xee);
    const n = keysSender().protectInto(clientHeader, payload, pnOffset, 2, datagram, 50);
    assert.is(n, 1200);
    assert.is(toHex(datagram.subarray(50, 1250)), ci.protected_packet);
    assert.is(datagram[49], 0xee);
    assert.is(datagram[1250], 0xee);
    const at0 = new Uint8Array(1200);
    assert.is(keysSender().protectInto(clientHeader, payload, pnOffset, 2, at0), 1200);
    assert.is(toHex(at0), ci.protected_packet);
    throwsCode(() => keysSender().protectInto(clientHeader, payload, pnOffset, 2, datagram, 101), 'BAD_ARGUMENT');
    throwsCode(() => keysSender().protectInto(clientHeader, payload, pnOffset, 2, datagram, -1), 'BAD_ARGUMENT');
    throwsCode(() => keysSender().protectInto(clientHeader, payload, pnOffset, 3, datagram, 0), 'BAD_ARGUMENT');
  });

  s('protectInto seals a payload that already sits in the datagram (in place)', () => {
    const payload = new Uint8Array(ci.payload_length_with_padding);
    payload.set(hex(ci.crypto_frame));
    for (const offset of [0, 33]) {
      const datagram = new Uint8Array(1300).fill(0xee);
      datagram.set(payload, offset + clientHeader.length);
      const view = datagram.subarray(offset + clientHeader.length, offset + clientHeader.length + payload.length);
      assert.is(keysSender().protectInto(clientHeader, view, pnOffset, 2, datagram, offset), 1200);
      assert.is(toHex(datagram.subarray(offset, offset + 1200)), ci.protected_packet, `offset ${offset}`);
      assert.ok(datagram.subarray(0, offset).every((b) => b === 0xee) && datagram.subarray(offset + 1200).every((b) => b === 0xee));
    }
  });

  s('header protection helpers work on a packet inside a larger buffer (base offset)', () => {
    const p = keysSender();
    const packet = p.protect(clientHeader, new Uint8Array(50).fill(7), pnOffset, 2);
    const buf = new Uint8Array(packet.length + 30).fill(0xcc);
    buf.set(packet, 17);
    assert.is(toHex(headerProtectionMask(p.hp, buf, pnOffset, 17).subarray(0, 5)), toHex(headerProtectionMask(p.hp, packet, pnOffset).subarray(0, 5)));
    assert.is(removeHeaderProtection(p.hp, buf, pnOffset, 17), 4);
    assert.is(toHex(buf.subarray(17, 17 + clientHeader.length)), ci.unprotected_header);
    assert.is(applyHeaderProtection(p.hp, buf, pnOffset, 17), 4);
    assert.is(toHex(buf.subarray(17, 17 + packet.length)), toHex(packet));
    assert.ok(buf.subarray(0, 17).every((b) => b === 0xcc));
    throwsCode(() => headerProtectionMask(p.hp, buf, buf.length - 17 - 19, 17), 'TOO_SHORT');
    assert.is(headerProtectionMask(p.hp, buf, buf.length - 17 - 20, 17).length >= 5, true);
  });

  s('header protection helpers round-trip in place', () => {
    const p = keysSender();
    const packet = p.protect(clientHeader, new Uint8Array(50).fill(7), pnOffset, 2);
    const copy = Uint8Array.from(packet);
    assert.is(removeHeaderProtection(p.hp, copy, pnOffset), 4);
    assert.is(toHex(copy.subarray(0, clientHeader.length)), ci.unprotected_header);
    assert.is(applyHeaderProtection(p.hp, copy, pnOffset), 4);
    assert.is(toHex(copy), toHex(packet));
    throwsCode(() => headerProtectionMask(p.hp, packet, 0), 'BAD_ARGUMENT');
    throwsCode(() => headerProtectionMask(p.hp, packet, packet.length), 'TOO_SHORT');
  });

  s('failed opens feed a shared counter; the AEAD confidentiality limit stops sealing', () => {
    const counter: AuthFailureCounter = { failures: 0 };
    const a = new PacketProtector(INITIAL_CIPHER_SUITE, keys.client, { provider, authFailures: counter });
    const b = new PacketProtector(INITIAL_CIPHER_SUITE, keys.server, { provider, authFailures: counter });
    throwsCode(() => a.unprotect(flip(protectedInitial, 40), pnOffset), 'AUTH_FAILED');
    throwsCode(() => b.unprotect(protectedInitial, pnOffset), 'AUTH_FAILED');
    assert.is(counter.failures, 2);
    assert.is(a.failedOpenCount, 1);
    a.aead.sealedCount = 2 ** 23 - 1;
    assert.not.ok(a.aead.confidentialityLimitReached);
    a.protect(clientHeader, new Uint8Array(10), pnOffset, 2);
    assert.ok(a.aead.confidentialityLimitReached);
    throwsCode(() => a.protect(clientHeader, new Uint8Array(10), pnOffset, 2), 'CONFIDENTIALITY_LIMIT');
  });

  s('Retry verification rejects tampering, short packets and unknown versions', () => {
    const r = v1.retry;
    const packet = hex(r.retry_packet);
    const odcid = hex(r.original_destination_connection_id);
    assert.not.ok(verifyRetryIntegrity(QuicVersion.V1, odcid, flip(packet, 10), provider));
    assert.not.ok(verifyRetryIntegrity(QuicVersion.V1, odcid, flip(packet, packet.length - 1), provider));
    assert.not.ok(verifyRetryIntegrity(QuicVersion.V1, flip(odcid, 0), packet, provider));
    assert.not.ok(verifyRetryIntegrity(QuicVersion.V2, odcid, packet, provider));
    assert.not.ok(verifyRetryIntegrity(QuicVersion.V1, odcid, packet.subarray(0, 15), provider));
    throwsCode(() => verifyRetryIntegrity(0xff00001d, odcid, packet.subarray(0, 15), provider), 'UNSUPPORTED_VERSION');
    throwsCode(() => retryIntegrityTag(0x12345678, odcid, packet, provider), 'UNSUPPORTED_VERSION');
    throwsCode(() => retryIntegrityTag(1, new Uint8Array(21), packet, provider), 'BAD_ARGUMENT');
    throwsCode(() => verifyRetryIntegrity(1, odcid, 'x' as unknown as Uint8Array, provider), 'BAD_ARGUMENT');
    throwsCode(() => retryPseudoPacket(odcid, 'x' as unknown as Uint8Array), 'BAD_ARGUMENT');
    assert.is(toHex(retryPseudoPacket(Uint8Array.of(9, 8), Uint8Array.of(1))), '02090801');
  });

  s.run();
}

const e = suite('constants and argument errors');

e('versions, suites and limits', () => {
  assert.ok(isSupportedQuicVersion(1));
  assert.ok(isSupportedQuicVersion(0x6b3343cf));
  assert.not.ok(isSupportedQuicVersion(0xff00001d));
  assert.is(quicVersionParams(QuicVersion.V2).kuLabel, 'quicv2 ku');
  throwsCode(() => quicVersionParams(0), 'UNSUPPORTED_VERSION');
  throwsCode(() => quicCipherSuite(0x1304), 'UNSUPPORTED_SUITE');
  throwsCode(() => quicCipherSuite(0x1305), 'UNSUPPORTED_SUITE');
  const aes256 = quicCipherSuite(0x1302);
  assert.is(aes256.hash, 'sha384');
  assert.is(aes256.headerProtection, 'aes-256-ecb');
  assert.is(aes256.keyLength, 32);
  assert.is(aeadLimits('aes-128-gcm').confidentialityLimit, 2 ** 23);
  assert.is(aeadLimits('aes-256-gcm').integrityLimit, 2 ** 52);
  assert.is(aeadLimits('chacha20-poly1305').confidentialityLimit, Infinity);
  assert.is(aeadLimits('chacha20-poly1305').integrityLimit, 2 ** 36);
  assert.is(keyUpdateMargin(aeadLimits('aes-128-gcm')), 2 ** 19);
  assert.is(keyUpdateMargin(aeadLimits('chacha20-poly1305')), 0);
});

e('AES-256-GCM / SHA-384 keys from a traffic secret, both providers agree and round-trip', () => {
  const cs = quicCipherSuite(0x1302);
  const secret = new Uint8Array(48).map((_, i) => i);
  const [a, b] = providers.map((p) => derivePacketKeys(cs, secret, QuicVersion.V1, p));
  assert.is(toHex(a.key), toHex(b.key));
  assert.is(toHex(a.hp), toHex(b.hp));
  assert.is(a.key.length, 32);
  assert.is(a.iv.length, 12);
  assert.is(toHex(nextTrafficSecret(cs, secret, 1, providers[0])), toHex(nextTrafficSecret(cs, secret, 1, providers[1])));
  const sender = new PacketProtector(cs, a, { provider: providers[0] });
  const receiver = PacketProtector.fromSecret(cs, secret, QuicVersion.V1, { provider: providers[1] });
  const header = Uint8Array.of(0x41, 1, 2, 3, 4, 0x12, 0x34);
  const packet = sender.protect(header, new TextEncoder().encode('hello, quic'), 5, 0x1234);
  const got = receiver.unprotect(packet, 5, 0x1200);
  assert.is(new TextDecoder().decode(got.payload), 'hello, quic');
  assert.is(got.packetNumber, 0x1234);
  assert.is(got.keyPhase, 0);
});

e('bad secrets, keys and connection IDs', () => {
  const cs = quicCipherSuite(0x1301);
  throwsCode(() => derivePacketKeys(cs, new Uint8Array(48)), 'BAD_ARGUMENT');
  throwsCode(() => derivePacketKeys(cs, new Uint8Array(32), 7), 'UNSUPPORTED_VERSION');
  throwsCode(() => nextTrafficSecret(cs, new Uint8Array(31)), 'BAD_ARGUMENT');
  throwsCode(() => initialSecret(1, new Uint8Array(21)), 'BAD_ARGUMENT');
  throwsCode(() => initialKeys(2, new Uint8Array(8)), 'UNSUPPORTED_VERSION');
  assert.is(initialSecret(1, new Uint8Array(0)).length, 32);
  throwsCode(() => new PacketAead(cs, new Uint8Array(16), new Uint8Array(11)), 'BAD_ARGUMENT');
  throwsCode(() => new PacketAead(cs, new Uint8Array(32), new Uint8Array(12)), 'BAD_ARGUMENT');
  throwsCode(
    () => new PacketProtector(cs, { secret: new Uint8Array(32), key: new Uint8Array(16), iv: new Uint8Array(12), hp: new Uint8Array(32) }),
    'BAD_ARGUMENT',
  );
});

e.run();
