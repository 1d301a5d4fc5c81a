import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteWriter } from '../interop/h3/byteWriter.js';
import { H3Error, H3ErrorCode, h3ErrorName } from '../interop/h3/errors.js';
import {
  FramePayload,
  FrameReader,
  H3FrameType,
  H3_UNREPRESENTABLE_TYPE,
  encodeFrame,
  encodeFrameHeader,
  encodeVarintFrame,
  isGreaseValue,
  isReservedH2FrameType,
  parseVarintFramePayload,
  type FramePayloadMode,
} from '../interop/h3/frame.js';
import {
  H3SettingId,
  encodeSettingsFrame,
  interpretSettings,
  isReservedH2Setting,
  parseSettingsPayload,
} from '../interop/h3/settings.js';
import {
  isValidFieldName,
  isValidFieldValue,
  validateRequestHeaders,
  validateResponseHeaders,
  validateTrailers,
} from '../interop/h3/message.js';
import type { HeaderField } from '../interop/h3/qpack/fieldSection.js';
import { QuicError } from '@quichs/quic-transport';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
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

type Seen = Array<[string, number, string]>;
function collect(modes: (type: number) => FramePayloadMode, limit?: number): { reader: FrameReader; seen: Seen } {
  const seen: Seen = [];
  const reader = new FrameReader(
    {
      onFrameStart: (t, len) => {
        seen.push(['start', t, String(len)]);
        return modes(t);
      },
      onData: (c) => seen.push(['data', 0, toHex(c)]),
      onFrame: (t, p) => seen.push(['frame', t, toHex(p)]),
    },
    limit,
  );
  return { reader, seen };
}
const defaultModes = (t: number): FramePayloadMode =>
  t === 0 ? FramePayload.STREAM : t === 1 || t === 4 ? FramePayload.BUFFER : FramePayload.SKIP;

const s = suite('interop-h3 frames, settings, messages');

s('error codes and H3Error', () => {
  assert.is(H3ErrorCode.H3_NO_ERROR, 0x100);
  assert.is(H3ErrorCode.H3_VERSION_FALLBACK, 0x110);
  assert.is(H3ErrorCode.QPACK_DECODER_STREAM_ERROR, 0x202);
  assert.is(h3ErrorName(0x10e), 'H3_MESSAGE_ERROR');
  assert.is(h3ErrorName(0x21), '0x21');
  const e = new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, 'bad', { streamId: 4 });
  assert.instance(e, QuicError);
  assert.ok(e.application);
  assert.ok(e.isStreamError);
  assert.is(e.streamId, 4);
  assert.match(e.message, /H3_MESSAGE_ERROR: bad/);
  const c = new H3Error(H3ErrorCode.H3_ID_ERROR, 'x', { remote: true, cause: 1 });
  assert.not.ok(c.isStreamError);
  assert.ok(c.remote);
});

s('frame serializers', () => {
  assert.is(toHex(encodeFrame(H3FrameType.DATA, hex('616263'))), '0003616263');
  assert.is(toHex(encodeFrameHeader(H3FrameType.DATA, 70000)), '00' + '80011170');
  assert.is(toHex(encodeVarintFrame(H3FrameType.GOAWAY, 4)), '070104');
  assert.is(toHex(encodeVarintFrame(H3FrameType.MAX_PUSH_ID, 1000)), '0d0243e8');
  assert.is(parseVarintFramePayload(hex('43e8')), 1000);
  expectH3(() => parseVarintFramePayload(hex('')), H3ErrorCode.H3_FRAME_ERROR);
  expectH3(() => parseVarintFramePayload(hex('43')), H3ErrorCode.H3_FRAME_ERROR);
  expectH3(() => parseVarintFramePayload(hex('0400')), H3ErrorCode.H3_FRAME_ERROR);
  expectH3(() => parseVarintFramePayload(hex('ffffffffffffffff')), H3ErrorCode.H3_ID_ERROR);
  assert.ok(isGreaseValue(0x21));
  assert.ok(isGreaseValue(0x21 + 0x1f * 1000));
  assert.not.ok(isGreaseValue(0x22));
  assert.not.ok(isGreaseValue(0x02));
  for (const t of [2, 6, 8, 9]) assert.ok(isReservedH2FrameType(t));
  for (const t of [0, 1, 3, 4, 5, 7, 0xd]) assert.not.ok(isReservedH2FrameType(t));
});

s('frame reader: whole input, byte-by-byte input, skips unknown frames', () => {
  const input = hex(
    '0003616263' + // DATA abc
      '0102d1d7' + // HEADERS
      '2103ffffff' + // grease frame type 0x21, skipped
      'c000000000000021 00' + // 8-byte-encoded type 0x21, empty payload
      'ffffffffffffffff 01 aa' + // type above 2^53 -> unrepresentable, skipped
      '0400', // empty SETTINGS
  );
  const whole = collect(defaultModes);
  whole.reader.push(input);
  assert.ok(whole.reader.atFrameBoundary);
  assert.equal(whole.seen, [
    ['start', 0, '3'],
    ['data', 0, '616263'],
    ['start', 1, '2'],
    ['frame', 1, 'd1d7'],
    ['start', 0x21, '3'],
    ['start', 0x21, '0'],
    ['start', H3_UNREPRESENTABLE_TYPE, '1'],
    ['start', 4, '0'],
    ['frame', 4, ''],
  ]);
  const bytewise = collect(defaultModes);
  for (let i = 0; i < input.length; i++) {
    bytewise.reader.push(input.subarray(i, i + 1));
    if (i === 2) assert.not.ok(bytewise.reader.atFrameBoundary);
  }
  // DATA arrives in three 1-byte pieces; everything else is identical
  const merged = bytewise.seen.filter((e) => e[0] !== 'data');
  assert.equal(merged, whole.seen.filter((e) => e[0] !== 'data'));
  assert.is(bytewise.seen.filter((e) => e[0] === 'data').map((e) => e[2]).join(''), '616263');
});

s('frame reader: limits', () => {
  const r = collect(defaultModes, 4);
  expectH3(() => r.reader.push(hex('0105 0000000000')), H3ErrorCode.H3_EXCESSIVE_LOAD);
  const big = collect(defaultModes);
  expectH3(() => big.reader.push(hex('00 ffffffffffffffff')), H3ErrorCode.H3_EXCESSIVE_LOAD);
  // a frame header split across chunks is not a frame boundary
  const split = collect(defaultModes);
  split.reader.push(hex('01'));
  assert.not.ok(split.reader.atFrameBoundary);
});

s('SETTINGS: encode, parse, reserved and duplicate identifiers', () => {
  const frame = encodeSettingsFrame([
    [H3SettingId.QPACK_MAX_TABLE_CAPACITY, 0],
    [H3SettingId.MAX_FIELD_SECTION_SIZE, 65536],
    [H3SettingId.QPACK_BLOCKED_STREAMS, 0],
  ]);
  assert.is(toHex(frame), '04' + '09' + '0100' + '06' + '80010000' + '0700');
  const map = parseSettingsPayload(frame.subarray(2));
  assert.equal([...map], [[1, 0], [6, 65536], [7, 0]]);
  const st = interpretSettings(map);
  assert.is(st.maxFieldSectionSize, 65536);
  assert.is(st.qpackMaxTableCapacity, 0);
  const defaults = interpretSettings(parseSettingsPayload(new Uint8Array(0)));
  assert.is(defaults.maxFieldSectionSize, Infinity);
  assert.is(defaults.qpackBlockedStreams, 0);
  // grease / unknown settings kept, huge id skipped, huge value clamped
  const odd = parseSettingsPayload(hex('4040 05' + 'ffffffffffffffff 01' + '06 ffffffffffffffff'));
  assert.equal([...odd], [[0x40, 5], [6, Number.MAX_SAFE_INTEGER]]);
  for (const id of [0, 2, 3, 4, 5]) {
    assert.ok(isReservedH2Setting(id));
    expectH3(() => parseSettingsPayload(Uint8Array.of(id, 1)), H3ErrorCode.H3_SETTINGS_ERROR);
    expectH3(() => encodeSettingsFrame([[id, 1]]), H3ErrorCode.H3_INTERNAL_ERROR);
  }
  expectH3(() => parseSettingsPayload(hex('0601 0602')), H3ErrorCode.H3_SETTINGS_ERROR);
  expectH3(() => encodeSettingsFrame([[6, 1], [6, 2]]), H3ErrorCode.H3_INTERNAL_ERROR);
  expectH3(() => parseSettingsPayload(hex('06')), H3ErrorCode.H3_FRAME_ERROR);
  expectH3(() => parseSettingsPayload(hex('0680')), H3ErrorCode.H3_FRAME_ERROR);
  expectH3(() => parseSettingsPayload(hex('4006')), H3ErrorCode.H3_FRAME_ERROR);
  assert.not.ok(isReservedH2Setting(6));
});

const f = (pairs: Array<[string, string]>): HeaderField[] => pairs.map(([name, value]) => ({ name, value }));
const GET: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']];

s('field name and value syntax', () => {
  assert.ok(isValidFieldName('x-custom_1.2'));
  assert.not.ok(isValidFieldName('X-Custom'));
  assert.not.ok(isValidFieldName(''));
  assert.not.ok(isValidFieldName('a b'));
  assert.not.ok(isValidFieldName('a:b'));
  assert.not.ok(isValidFieldName('caf\u00e9'));
  assert.ok(isValidFieldValue(''));
  assert.ok(isValidFieldValue('a b\tc'));
  assert.ok(isValidFieldValue('\u00ff'));
  assert.not.ok(isValidFieldValue(' a'));
  assert.not.ok(isValidFieldValue('a\t'));
  assert.not.ok(isValidFieldValue('a\u0000b'));
  assert.not.ok(isValidFieldValue('a\r\nb'));
  assert.not.ok(isValidFieldValue('a\u007fb'));
  assert.not.ok(isValidFieldValue('\u2603'));
});

s('request validation: valid forms', () => {
  const h = validateRequestHeaders(f([...GET, ['content-length', '12'], ['te', 'trailers']]));
  assert.equal(h, { method: 'GET', scheme: 'https', authority: 'example.com', path: '/', contentLength: 12 });
  const viaHost = validateRequestHeaders(f([[':method', 'GET'], [':scheme', 'http'], [':path', '/x'], ['host', 'h']]));
  assert.is(viaHost.authority, 'h');
  const both = validateRequestHeaders(f([...GET, ['host', 'example.com']]));
  assert.is(both.authority, 'example.com');
  const connect = validateRequestHeaders(f([[':method', 'CONNECT'], [':authority', 'h:443']]));
  assert.is(connect.path, undefined);
  const star = validateRequestHeaders(f([[':method', 'OPTIONS'], [':scheme', 'https'], [':authority', 'a'], [':path', '*']]));
  assert.is(star.path, '*');
  const other = validateRequestHeaders(f([[':method', 'GET'], [':scheme', 'foo'], [':path', 'bar']]));
  assert.is(other.authority, undefined);
  assert.is(validateRequestHeaders(f([...GET, ['content-length', '5, 5']])).contentLength, 5);
});

s('request validation: malformed requests are H3_MESSAGE_ERROR', () => {
  const bad: Array<Array<[string, string]>> = [
    [[':method', 'GET'], [':scheme', 'https'], [':path', '/']], // no authority
    [[':scheme', 'https'], [':authority', 'a'], [':path', '/']], // no method
    [[':method', 'GET'], [':authority', 'a'], [':path', '/']], // no scheme
    [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a']], // no path
    [...GET, [':method', 'GET']], // duplicate pseudo
    [...GET, [':status', '200']], // response pseudo in request
    [...GET, [':protocol', 'websocket']], // undefined pseudo
    [[':method', 'GET'], ['accept', '*/*'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']], // order
    [...GET, ['Accept', '*/*']], // uppercase
    [...GET, ['connection', 'close']],
    [...GET, ['transfer-encoding', 'chunked']],
    [...GET, ['upgrade', 'h2c']],
    [...GET, ['keep-alive', '1']],
    [...GET, ['proxy-connection', 'x']],
    [...GET, ['te', 'gzip']],
    [...GET, ['x', 'a\nb']],
    [...GET, ['content-length', 'abc']],
    [...GET, ['content-length', '1, 2']],
    [...GET, ['host', 'other.example']],
    [[':method', 'GET'], [':scheme', 'https'], [':authority', ''], [':path', '/']],
    [[':method', 'GET'], [':scheme', 'https'], [':authority', 'u@h'], [':path', '/']],
    [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '']],
    [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', 'x']],
    [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '*']],
    [[':method', 'GET'], [':scheme', 'foo'], [':path', '']],
    [[':method', 'G T'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']],
    [[':method', 'GET'], [':scheme', '1x'], [':authority', 'a'], [':path', '/']],
    [[':method', 'CONNECT'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']],
    [[':method', 'CONNECT']],
    [...GET, ['host', 'a'], ['host', 'a']],
    [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a\u0001'], [':path', '/']],
  ];
  for (const b of bad) {
    const e = expectH3(() => validateRequestHeaders(f(b), 8), H3ErrorCode.H3_MESSAGE_ERROR);
    assert.is(e.streamId, 8);
  }
  assert.is(expectH3(() => validateRequestHeaders(f(bad[0])), H3ErrorCode.H3_MESSAGE_ERROR).streamId, undefined);
});

s('response and trailer validation', () => {
  assert.equal(validateResponseHeaders(f([[':status', '200'], ['content-length', '3']])), { status: 200, contentLength: 3 });
  assert.is(validateResponseHeaders(f([[':status', '103']])).status, 103);
  for (const b of [
    [],
    [[':status', '20']],
    [[':status', '600']],
    [[':status', '2x0']],
    [[':status', '101']],
    [[':status', '200'], [':status', '200']],
    [[':status', '200'], [':path', '/']],
    [['server', 'x'], [':status', '200']],
    [[':status', '200'], ['Server', 'x']],
  ] as Array<Array<[string, string]>>) {
    expectH3(() => validateResponseHeaders(f(b), 0), H3ErrorCode.H3_MESSAGE_ERROR);
  }
  validateTrailers(f([['x-checksum', 'abc']]));
  expectH3(() => validateTrailers(f([[':status', '200']])), H3ErrorCode.H3_MESSAGE_ERROR);
  expectH3(() => validateTrailers(f([['x', ' a']])), H3ErrorCode.H3_MESSAGE_ERROR);
});

s('byte writer grows', () => {
  const w = new ByteWriter(1);
  for (let i = 0; i < 1000; i++) w.byte(i);
  w.varint(2 ** 40);
  w.bytes(hex('abcd'));
  const out = w.finish();
  assert.is(out.length, 1000 + 8 + 2);
  assert.is(out[999], 999 & 0xff);
  assert.is(toHex(out.subarray(1000)), 'c000010000000000abcd');
});

s.run();
