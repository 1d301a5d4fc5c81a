/** Unit tests of the Connection's parts: connection IDs, CRYPTO stream, path validation, close and idle timers, version choice. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameType, QuicError, TransportErrorCode, type ConnectionIdHooks } from '../src/index.js';
import { AmplificationLimit } from '../src/connection/amplificationLimit.js';
import { CloseState } from '../src/connection/closeState.js';
import { LocalConnectionIds, PeerConnectionIds } from '../src/connection/connectionIds.js';
import { CryptoStream } from '../src/connection/cryptoStream.js';
import { IdleTimer } from '../src/connection/idleTimer.js';
import { PathValidation } from '../src/connection/pathValidation.js';
import { chooseCompatibleVersion, chooseVersion, isCompatibleVersion, onVersionNegotiation } from '../src/connection/versionNegotiation.js';

const s = suite('connectionParts');
const code = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof QuicError ? e.code : -1;
  }
};

function hooks(): ConnectionIdHooks & { routed: Set<string> } {
  let n = 0;
  const routed = new Set<string>();
  return {
    cidLength: 4,
    routed,
    issue: () => {
      const cid = Uint8Array.from([0xaa, 0, 0, ++n]);
      routed.add(cid.join());
      return { cid, statelessResetToken: new Uint8Array(16).fill(n) };
    },
    retire: (cid) => {
      routed.delete(cid.join());
    },
    resetTokenFor: () => new Uint8Array(16),
  };
}

s('LocalConnectionIds: issues up to the limit, retires, replaces, refuses bad retirements', () => {
  const h = hooks();
  const first = h.issue();
  const ids = new LocalConnectionIds(h, first);
  ids.replenish(3);
  assert.is(ids.activeCount, 3);
  const frames = [ids.pollNewConnectionId(), ids.pollNewConnectionId(), ids.pollNewConnectionId()];
  assert.equal(frames.map((f) => f?.sequenceNumber), [1, 2, undefined]);
  ids.onNewConnectionIdLost(2);
  assert.is(ids.pollNewConnectionId()?.sequenceNumber, 2);
  assert.is(code(() => ids.onRetire(9, first.cid)), TransportErrorCode.PROTOCOL_VIOLATION);
  assert.is(code(() => ids.onRetire(0, first.cid)), TransportErrorCode.PROTOCOL_VIOLATION, 'the ID the packet was sent to');
  ids.onRetire(0, frames[0]!.connectionId);
  assert.not.ok(h.routed.has(first.cid.join()));
  assert.is(ids.activeCount, 3, 'a replacement was issued');
  assert.is(ids.pollNewConnectionId()?.sequenceNumber, 3);
  ids.onRetire(0, frames[0]!.connectionId); // already retired: ignored
  ids.retireAll();
  assert.is(h.routed.size, 0);
});

s('PeerConnectionIds: NEW_CONNECTION_ID rules, retire_prior_to, reset tokens of used IDs only', () => {
  const peer = new PeerConnectionIds(Uint8Array.from([1]), 3);
  peer.setInitialToken(new Uint8Array(16).fill(7));
  const ncid = (seq: number, rpt: number, cid: number) => ({ type: FrameType.NEW_CONNECTION_ID, sequenceNumber: seq, retirePriorTo: rpt, connectionId: Uint8Array.from([cid]), statelessResetToken: new Uint8Array(16).fill(cid) }) as const;
  peer.onNewConnectionId(ncid(1, 0, 2));
  peer.onNewConnectionId(ncid(1, 0, 2)); // duplicate: fine
  assert.is(code(() => peer.onNewConnectionId(ncid(1, 0, 3))), TransportErrorCode.PROTOCOL_VIOLATION);
  assert.is(code(() => peer.onNewConnectionId(ncid(5, 0, 2))), TransportErrorCode.PROTOCOL_VIOLATION, 'same ID, other sequence');
  peer.onNewConnectionId(ncid(2, 2, 4)); // retires 0 and 1: the current ID changes
  assert.equal([...peer.current], [4]);
  assert.is(peer.resetTokens.length, 2);
  assert.ok(peer.hasPending);
  const retired = [peer.pollRetire(), peer.pollRetire(), peer.pollRetire()];
  assert.equal(retired.sort(), [0, 1, undefined]);
  peer.onRetireLost(1);
  assert.is(peer.pollRetire(), 1);
  peer.onNewConnectionId(ncid(1, 0, 9)); // below retire_prior_to: retired at once... but ID 9 is new → retire seq 1 again
  assert.is(peer.pollRetire(), 1);
  peer.onNewConnectionId(ncid(3, 0, 5));
  peer.onNewConnectionId(ncid(4, 0, 6));
  assert.is(code(() => peer.onNewConnectionId(ncid(7, 0, 8))), TransportErrorCode.CONNECTION_ID_LIMIT_ERROR);
  const zero = new PeerConnectionIds(new Uint8Array(0), 2);
  assert.is(code(() => zero.onNewConnectionId(ncid(1, 0, 2))), TransportErrorCode.PROTOCOL_VIOLATION, 'zero-length CIDs');
});

s('CryptoStream: out-of-order reassembly, 64 KiB limit, frames sized to the room, loss and acknowledgment', () => {
  const c = new CryptoStream();
  assert.is(c.onCryptoFrame(3, Uint8Array.from([4, 5])), undefined);
  assert.equal([...c.onCryptoFrame(0, Uint8Array.from([1, 2, 3]))!], [1, 2, 3, 4, 5]);
  assert.is(c.onCryptoFrame(0, Uint8Array.from([1, 2])), undefined, 'duplicate');
  assert.is(c.receivedOffset, 5);
  assert.is(code(() => c.onCryptoFrame(5 + 64 * 1024, Uint8Array.from([1]))), TransportErrorCode.CRYPTO_BUFFER_EXCEEDED);
  const out = new CryptoStream();
  out.write(new Uint8Array(100).fill(1));
  out.write(new Uint8Array(100).fill(2));
  assert.is(out.emit(3), undefined, 'no room for a frame');
  const a = out.emit(53)!; // 1 type + 1 offset + 1 length byte + 50 data bytes
  assert.is(a.offset, 0);
  assert.is(a.data.length, 50);
  const b = out.emit(1000)!;
  assert.equal([b.offset, b.data.length, b.data[49], b.data[50]], [50, 150, 1, 2], 'a frame spanning two writes');
  assert.not.ok(out.hasPendingData);
  out.onLost(50, 150);
  out.onAcked(0, 50);
  out.onAcked(100, 20);
  assert.equal([out.emit(1000)!.offset, out.emit(1000)!.offset], [50, 120], 'acknowledged bytes are not resent');
  out.onAcked(50, 150);
  assert.not.ok(out.hasUnacked);
  out.requeueUnacked();
  assert.not.ok(out.hasPendingData);
  out.write(new Uint8Array(10));
  out.discard();
  assert.not.ok(out.hasPendingData);
  assert.is(out.bytesWritten, 210);
  const readOffset = out.receivedOffset;
  assert.is(out.onCryptoFrame(readOffset, Uint8Array.of(1)), undefined, 'CRYPTO data of a discarded level is ignored');
  assert.is(out.receivedOffset, readOffset);
});

s('PeerConnectionIds and PathValidation keep copies, not views of a node Buffer (whose slice() is a view)', () => {
  const packet = Buffer.alloc(600, 0x11); // the decrypted payload the frames were parsed from
  const peer = new PeerConnectionIds(Uint8Array.from([1]), 3);
  peer.onNewConnectionId({ type: FrameType.NEW_CONNECTION_ID, sequenceNumber: 1, retirePriorTo: 1, connectionId: packet.subarray(10, 18), statelessResetToken: packet.subarray(20, 36) });
  const p = new PathValidation();
  p.onChallenge(packet.subarray(40, 48));
  packet.fill(0x22);
  assert.equal([...peer.current], new Array(8).fill(0x11));
  assert.not.ok(peer.current.buffer === packet.buffer, 'the whole packet is not kept alive');
  assert.equal([...p.pollResponse()!], new Array(8).fill(0x11));
});

s('PathValidation: responses echo challenges (bounded), our challenge validates, times out, is resent when lost', () => {
  const p = new PathValidation();
  for (let i = 0; i < 6; i++) p.onChallenge(Uint8Array.from([i, 0, 0, 0, 0, 0, 0, 0]));
  assert.ok(p.hasPending);
  const echoed = [];
  for (let d = p.pollResponse(); d !== undefined; d = p.pollResponse()) echoed.push(d[0]);
  assert.equal(echoed, [2, 3, 4, 5]);
  const path = { address: '10.0.0.5', port: 1 };
  const data = Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9]);
  p.startChallenge(path, data, 100);
  assert.ok(p.validating);
  assert.equal(p.pollChallenge(), data);
  assert.is(p.pollChallenge(), undefined);
  p.onChallengeLost(data);
  assert.equal(p.pollChallenge(), data);
  assert.is(p.onResponse(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])), undefined);
  assert.equal(p.onResponse(data), path);
  assert.not.ok(p.validating);
  p.startChallenge(path, data, 100);
  assert.not.ok(p.onTimeout(50));
  assert.ok(p.onTimeout(100));
  assert.is(p.timeout, undefined);
});

s('CloseState, IdleTimer and AmplificationLimit', () => {
  const c = new CloseState();
  c.startClosing(0, 10);
  assert.is(c.deadline, 30);
  const answers: boolean[] = [];
  for (let i = 0; i < 8; i++) {
    c.onPacketWhileClosing();
    answers.push(c.takeAnswer());
  }
  assert.equal(answers, [true, true, false, true, false, false, false, true]);
  c.onTimeout(30);
  assert.is(c.phase, 'drained');
  const d = new CloseState();
  d.startDraining(5, 10);
  d.startClosing(6, 10); // no way back to closing
  assert.is(d.phase, 'draining');
  const idle = new IdleTimer(0, 0);
  assert.is(idle.deadline(10), undefined);
  idle.setPeerTimeout(100);
  assert.is(idle.deadline(10), 100);
  idle.setPeerTimeout(10);
  assert.is(idle.deadline(10), 30, 'never below 3 PTO');
  idle.onAckElicitingSent(5);
  idle.onAckElicitingSent(8); // only the first after a receipt restarts it
  assert.is(idle.deadline(1), 15);
  const a = new AmplificationLimit(false);
  a.onReceived(1200);
  a.onSent(3000);
  assert.is(a.budget, 600);
  a.validate();
  assert.is(a.budget, Infinity);
  a.reset();
  assert.is(a.budget, 0);
});

s('version choice: VN outcomes, compatibility, compatible negotiation', () => {
  assert.equal(onVersionNegotiation(1, [1, 2], [1]), { action: 'ignore' });
  assert.equal(onVersionNegotiation(1, [0x6b3343cf], [1, 0x6b3343cf]), { action: 'restart', version: 0x6b3343cf });
  assert.equal(onVersionNegotiation(1, [0xff00001d], [1]), { action: 'abandon', offered: [0xff00001d] });
  assert.is(chooseVersion([0x0a0a0a0a, 1], [0x0a0a0a0a, 1]), 1, 'only versions we implement');
  assert.ok(isCompatibleVersion(1, 0x6b3343cf) && isCompatibleVersion(0x6b3343cf, 1) && !isCompatibleVersion(1, 7));
  assert.is(chooseCompatibleVersion(1, [0x6b3343cf, 1], undefined), 1);
  assert.is(chooseCompatibleVersion(1, [0x6b3343cf, 1], { chosenVersion: 1, availableVersions: [1, 0x6b3343cf] }), 0x6b3343cf);
  assert.is(chooseCompatibleVersion(1, [1, 0x6b3343cf], { chosenVersion: 1, availableVersions: [1, 0x6b3343cf] }), 1);
  assert.is(chooseCompatibleVersion(1, [0x6b3343cf], { chosenVersion: 1, availableVersions: [1] }), 1);
});

s.run();
