/** Packet number encoding/decoding: RFC 9000 Appendix A.2 and A.3 examples, edge cases and bad input. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  PacketProtectionError,
  decodePacketNumber,
  packetNumberLength,
  readTruncatedPacketNumber,
  writeTruncatedPacketNumber,
} from '../src/index.js';

const s = suite('packetNumber');

function throwsCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, PacketProtectionError);
    assert.is((e as PacketProtectionError).code, code);
    return;
  }
  assert.unreachable('expected a PacketProtectionError');
}

s('RFC 9000 A.2: 0xac5c02 after ack of 0xabe8b3 needs 16 bits', () => {
  assert.is(packetNumberLength(0xac5c02, 0xabe8b3), 2);
});

s('RFC 9000 A.2: 0xace8fe after ack of 0xabe8b3 needs 24 bits', () => {
  assert.is(packetNumberLength(0xace8fe, 0xabe8b3), 3);
});

s('RFC 9000 A.3: 0x9b32 after 0xa82f30ea decodes to 0xa82f9b32', () => {
  assert.is(decodePacketNumber(0xa82f30ea, 0x9b32, 16), 0xa82f9b32);
});

s('length without any acknowledgment counts from packet 0', () => {
  assert.is(packetNumberLength(0), 1);
  assert.is(packetNumberLength(127), 1);
  assert.is(packetNumberLength(128), 2);
  assert.is(packetNumberLength(32767, -1), 2);
  assert.is(packetNumberLength(32768), 3);
  assert.is(packetNumberLength(2 ** 23), 4);
  assert.is(packetNumberLength(2 ** 31 - 1), 4);
  throwsCode(() => packetNumberLength(2 ** 31), 'BAD_ARGUMENT');
});

s('length boundaries relative to the largest acknowledged', () => {
  assert.is(packetNumberLength(1000 + 128, 1000), 1);
  assert.is(packetNumberLength(1000 + 129, 1000), 2);
  assert.is(packetNumberLength(1000 + 32768, 1000), 2);
  assert.is(packetNumberLength(1000 + 32769, 1000), 3);
  throwsCode(() => packetNumberLength(5, 5), 'BAD_ARGUMENT');
  throwsCode(() => packetNumberLength(-1), 'BAD_ARGUMENT');
  throwsCode(() => packetNumberLength(1.5), 'BAD_ARGUMENT');
  throwsCode(() => packetNumberLength(10, 2.5), 'BAD_ARGUMENT');
});

s('encode then decode round-trips with the chosen length', () => {
  const buf = new Uint8Array(4);
  const cases: Array<[number, number]> = [
    [0, -1],
    [1, 0],
    [255, 200],
    [0xabcdef, 0xabcd00],
    [0xa82f9b32, 0xa82f30ea],
    [2 ** 40 + 12345, 2 ** 40],
  ];
  for (const [pn, acked] of cases) {
    const len = packetNumberLength(pn, acked);
    writeTruncatedPacketNumber(pn, len, buf, 0);
    const truncated = readTruncatedPacketNumber(buf, 0, len);
    assert.is(truncated, pn % 2 ** (8 * len));
    // The receiver's largest received is at least the sender's largest acknowledged.
    assert.is(decodePacketNumber(acked, truncated, len * 8), pn, `pn ${pn}`);
  }
});

s('decode wraps forward and backward around the window', () => {
  // Expected 0x100 (largest 0xff): truncated 0x00 in 8 bits → 0x100.
  assert.is(decodePacketNumber(0xff, 0x00, 8), 0x100);
  // Expected 0x100: truncated 0xff is 0xff (one below), not 0x1ff.
  assert.is(decodePacketNumber(0xff, 0xff, 8), 0xff);
  // Expected 0x17f: candidate 0x100 is still inside (expected − 0x80, expected + 0x80].
  assert.is(decodePacketNumber(0x17e, 0x00, 8), 0x100);
  // Expected 0x180: candidate 0x100 equals expected − hwin, so the next window: 0x200.
  assert.is(decodePacketNumber(0x17f, 0x00, 8), 0x200);
  // Near zero the candidate cannot go negative.
  assert.is(decodePacketNumber(undefined, 0xfe, 8), 0xfe);
  assert.is(decodePacketNumber(-1, 0, 32), 0);
  assert.is(decodePacketNumber(0x12345678, 0x12345679, 32), 0x12345679);
  assert.is(decodePacketNumber(2 ** 33 + 5, 3, 8), 2 ** 33 + 3);
});

s('decode rejects bad field sizes and values', () => {
  throwsCode(() => decodePacketNumber(0, 0, 12), 'BAD_ARGUMENT');
  throwsCode(() => decodePacketNumber(0, 256, 8), 'BAD_ARGUMENT');
  throwsCode(() => decodePacketNumber(0, -1, 8), 'BAD_ARGUMENT');
  throwsCode(() => decodePacketNumber(0.5, 1, 8), 'BAD_ARGUMENT');
});

s('writeTruncatedPacketNumber checks its arguments', () => {
  const buf = new Uint8Array(3);
  writeTruncatedPacketNumber(0x1234567, 3, buf, 0);
  assert.equal([...buf], [0x23, 0x45, 0x67]);
  throwsCode(() => writeTruncatedPacketNumber(1, 0, buf, 0), 'BAD_ARGUMENT');
  throwsCode(() => writeTruncatedPacketNumber(1, 5, buf, 0), 'BAD_ARGUMENT');
  throwsCode(() => writeTruncatedPacketNumber(1, 2, buf, 2), 'BAD_ARGUMENT');
  throwsCode(() => writeTruncatedPacketNumber(-3, 2, buf, 0), 'BAD_ARGUMENT');
});

s.run();
