/** Handshake header framing and the HandshakeReassembler under every kind of split. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_MAX_HANDSHAKE_MESSAGE, HandshakeReassembler, decodeHandshake, encodeHandshake, type HandshakeMessage,
} from '../src/wire/handshakeMessage.js';
import { HandshakeType } from '../src/wire/constants.js';
import { bytesOf, concat, fixture, hex, throwsAlert, toHex } from './wire-helpers.js';

const v = fixture<{ named: Record<string, string> }>('vectors-rfc8448-simple.json');
const names = ['client_hello', 'server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'server_finished', 'client_finished', 'new_session_ticket'];
const messages = names.map((n) => hex(v.named[n]));
const stream = concat(...messages);

const s = suite('wire handshake framing');

s('encodeHandshake / decodeHandshake round trip', () => {
  const body = bytesOf(300);
  const raw = encodeHandshake(HandshakeType.certificate, body);
  assert.is(toHex(raw.subarray(0, 4)), '0b00012c');
  const m = decodeHandshake(raw);
  assert.is(m.type, 11);
  assert.equal(m.body, body);
  assert.is(m.raw, raw);
  assert.equal(decodeHandshake(encodeHandshake(5, new Uint8Array(0))).body, new Uint8Array(0));
});

s('decodeHandshake rejects truncation and trailing bytes', () => {
  throwsAlert(() => decodeHandshake(hex('010000')), 'decode_error');
  throwsAlert(() => decodeHandshake(hex('1400000201')), 'decode_error');
  throwsAlert(() => decodeHandshake(hex('140000010102')), 'decode_error');
  throwsAlert(() => encodeHandshake(256, new Uint8Array(0)), 'internal_error');
});

function check(out: HandshakeMessage[]): void {
  assert.is(out.length, messages.length);
  out.forEach((m, i) => {
    assert.equal(m.raw, messages[i], names[i]);
    assert.is(m.type, messages[i][0]);
    assert.equal(m.body, messages[i].subarray(4));
  });
}

s('all at once', () => {
  const r = new HandshakeReassembler();
  check(r.push(stream));
  assert.not.ok(r.hasPending);
  r.assertEmpty();
});

s('one byte at a time', () => {
  const r = new HandshakeReassembler();
  const out: HandshakeMessage[] = [];
  for (let i = 0; i < stream.length; i++) {
    out.push(...r.push(stream.subarray(i, i + 1)));
    if (i < stream.length - 1) assert.ok(r.hasPending || out.length > 0);
  }
  check(out);
  assert.is(r.bufferedBytes, 0);
});

s('every split in two, and uneven chunks', () => {
  for (const cut of [1, 3, 4, 5, 100, 200, 500, stream.length - 1]) {
    const r = new HandshakeReassembler();
    check([...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))]);
  }
  const r = new HandshakeReassembler();
  const out: HandshakeMessage[] = [];
  for (let p = 0, step = 1; p < stream.length; p += step, step = (step * 7) % 61 + 1) out.push(...r.push(stream.subarray(p, p + step)));
  check(out);
});

s('returned messages own their bytes', () => {
  const r = new HandshakeReassembler();
  const input = stream.slice();
  const out = r.push(input);
  input.fill(0);
  check(out);
  // Messages drained from the internal buffer (slow path) survive its reuse by later input.
  const r2 = new HandshakeReassembler();
  const cut = 7;
  const drained = [...r2.push(stream.subarray(0, cut)), ...r2.push(stream.subarray(cut, stream.length - 3))];
  const rest = r2.push(stream.subarray(stream.length - 3));
  r2.push(new Uint8Array(stream.length).fill(0xee).subarray(0, 3)); // a new partial header over the buffer
  check([...drained, ...rest]);
});

s('a partial message is reported and fails assertEmpty', () => {
  const r = new HandshakeReassembler();
  assert.is(r.push(stream.subarray(0, 10)).length, 0);
  assert.ok(r.hasPending);
  assert.is(r.bufferedBytes, 10);
  throwsAlert(() => r.assertEmpty('handshake keys'), 'unexpected_message');
  r.reset();
  assert.not.ok(r.hasPending);
  check(r.push(stream));
});

s('oversized messages are refused as soon as the header is seen', () => {
  const r = new HandshakeReassembler({ maxMessageSize: 100 });
  assert.is(r.maxMessageSize, 100);
  throwsAlert(() => r.push(hex('0b000065')), 'decode_error');
  assert.not.ok(r.hasPending);
  const r2 = new HandshakeReassembler({ maxMessageSize: 100 });
  r2.push(hex('0b00'));
  throwsAlert(() => r2.push(hex('0065')), 'decode_error', 'header split');
  const r3 = new HandshakeReassembler({ maxMessageSize: 100 });
  throwsAlert(() => r3.push(concat(encodeHandshake(20, new Uint8Array(32)), hex('0b000065'))), 'decode_error', 'second');
  assert.is(new HandshakeReassembler().maxMessageSize, DEFAULT_MAX_HANDSHAKE_MESSAGE);
  const ok = new HandshakeReassembler({ maxMessageSize: 100 });
  assert.is(ok.push(encodeHandshake(20, new Uint8Array(100))).length, 1);
  throwsAlert(() => new HandshakeReassembler({ maxMessageSize: -1 }), 'internal_error');
});

s.run();
