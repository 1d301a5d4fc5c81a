import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode } from '../src/errors.js';
import {
  MAX_STREAMS_LIMIT,
  MAX_STREAM_OFFSET,
  assertStreamId,
  canReceive,
  canSend,
  isBidirectional,
  isLocallyInitiated,
  makeStreamId,
  nextStreamId,
  streamDirection,
  streamIndex,
  streamInitiator,
} from '../src/stream/streamId.js';

const s = suite('stream IDs');

s('the two low bits give initiator and direction (RFC 9000 Table 1)', () => {
  const table: [number, 'client' | 'server', 'bidi' | 'uni'][] = [
    [0, 'client', 'bidi'],
    [1, 'server', 'bidi'],
    [2, 'client', 'uni'],
    [3, 'server', 'uni'],
  ];
  for (const [id, who, dir] of table) {
    assert.is(streamInitiator(id), who);
    assert.is(streamDirection(id), dir);
    assert.is(streamInitiator(id + 40), who);
    assert.is(streamDirection(id + 40), dir);
    assert.is(isBidirectional(id), dir === 'bidi');
    assert.is(makeStreamId(0, who, dir), id);
    assert.is(makeStreamId(10, who, dir), id + 40);
  }
});

s('index and next ID work beyond 32 bits', () => {
  const big = 2 ** 40 * 4 + 3;
  assert.is(streamIndex(big), 2 ** 40);
  assert.is(streamInitiator(big), 'server');
  assert.is(streamDirection(big), 'uni');
  assert.is(nextStreamId(big), big + 4);
  assert.is(streamIndex(7), 1);
});

s('send/receive parts depend on the role', () => {
  assert.ok(isLocallyInitiated(2, 'client'));
  assert.not.ok(isLocallyInitiated(2, 'server'));
  assert.ok(canSend(2, 'client'));
  assert.not.ok(canReceive(2, 'client'));
  assert.not.ok(canSend(2, 'server'));
  assert.ok(canReceive(2, 'server'));
  assert.ok(canSend(1, 'client') && canReceive(1, 'client'));
});

s('unrepresentable IDs are FRAME_ENCODING_ERROR', () => {
  assertStreamId(0);
  assertStreamId(Number.MAX_SAFE_INTEGER);
  for (const bad of [-4, 1.5, 2 ** 60, Number.NaN]) {
    try {
      assertStreamId(bad, 0x08);
      assert.unreachable(`${bad}`);
    } catch (e) {
      assert.instance(e, QuicError);
      assert.is((e as QuicError).code, TransportErrorCode.FRAME_ENCODING_ERROR);
      assert.is((e as QuicError).frameType, 0x08);
    }
  }
  assert.is(MAX_STREAMS_LIMIT, 1152921504606846976);
  assert.is(MAX_STREAM_OFFSET, 2 ** 62 - 1);
});

s.run();
