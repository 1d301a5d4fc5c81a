import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { QuicError, TransportErrorCode } from '../src/errors.js';
import { ReceiveWindow, SendCredit } from '../src/stream/flowControl.js';

const s = suite('stream flow control');

s('send credit: consume, raise only upwards, BLOCKED once per limit', () => {
  const c = new SendCredit(100);
  c.consume(60);
  assert.is(c.available, 40);
  c.markBlocked(); // still has credit: nothing due
  assert.is(c.pollBlocked(), undefined);
  c.consume(40);
  assert.throws(() => c.consume(1), RangeError);
  c.markBlocked();
  assert.ok(c.blockedFramePending);
  assert.is(c.pollBlocked(), 100);
  c.markBlocked(); // same limit: not again
  assert.is(c.pollBlocked(), undefined);
  c.onBlockedLost(100); // lost while still blocked at 100: resend
  assert.is(c.pollBlocked(), 100);
  assert.not.ok(c.raiseLimit(90));
  assert.not.ok(c.raiseLimit(100));
  assert.ok(c.raiseLimit(150));
  assert.is(c.limit, 150);
  assert.is(c.used, 100);
  c.onBlockedLost(100); // stale limit: ignored
  assert.is(c.pollBlocked(), undefined);
  c.consume(50);
  c.markBlocked();
  assert.is(c.pollBlocked(), 150);
});

s('receive window: data beyond the limit is FLOW_CONTROL_ERROR', () => {
  const w = new ReceiveWindow({ initialWindow: 1000, frameType: 0x08 });
  assert.is(w.receiveUpTo(600), 600);
  assert.is(w.receiveUpTo(500), 0);
  w.addReceived(400);
  assert.is(w.received, 1000);
  try {
    w.addReceived(1, 0x0a);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, QuicError);
    assert.is((e as QuicError).code, TransportErrorCode.FLOW_CONTROL_ERROR);
    assert.is((e as QuicError).frameType, 0x0a);
  }
  assert.is(w.received, 1000, 'nothing recorded on error');
});

s('receive window: MAX_DATA update after half the window is consumed; lost updates are resent', () => {
  const w = new ReceiveWindow({ initialWindow: 1000 });
  w.receiveUpTo(1000);
  w.consume(499);
  assert.not.ok(w.updatePending);
  assert.is(w.pollUpdate(), undefined);
  w.consume(1);
  assert.ok(w.updatePending);
  assert.is(w.pollUpdate(), 1500);
  assert.is(w.limit, 1500);
  assert.is(w.pollUpdate(), undefined);
  w.onUpdateLost(1400); // not the latest: ignored
  assert.is(w.pollUpdate(), undefined);
  w.onUpdateLost(1500);
  assert.is(w.pollUpdate(), 1500);
  w.consume(10_000); // cannot consume more than received
  assert.is(w.consumed, 1000);
});

s('receive window: a zero window never asks for updates', () => {
  const w = new ReceiveWindow({ initialWindow: 0 });
  assert.not.ok(w.updatePending);
  assert.throws(() => w.receiveUpTo(1), (e: unknown) => e instanceof QuicError);
});

s('receive window autotuning doubles the window when updates come faster than 2 RTT', () => {
  const w = new ReceiveWindow({ initialWindow: 1000, maxWindow: 3000 });
  w.receiveUpTo(600);
  w.consume(600);
  assert.is(w.pollUpdate(0, 50), 1600); // first update: no history
  w.receiveUpTo(1600);
  w.consume(1000);
  assert.is(w.pollUpdate(40, 50), 3600); // 40 ms < 2 RTT: window 2000
  assert.is(w.window, 2000);
  w.receiveUpTo(3600);
  w.consume(2000);
  assert.is(w.pollUpdate(70, 50), 6600); // capped at 3000
  assert.is(w.window, 3000);
  w.receiveUpTo(6600);
  w.consume(3000);
  assert.is(w.pollUpdate(1000, 50), 9600); // slow: window unchanged
  assert.is(w.window, 3000);
});

s.run();
