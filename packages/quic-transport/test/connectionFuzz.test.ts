/**
 * Robustness: thousands of mutated datagrams and mutated frame payloads (sealed with the peer's real keys, so they
 * reach frame parsing) go into a server connection. receive() must never throw, and a connection that closes must
 * close with a protocol error — INTERNAL_ERROR would mean a bug of ours. Seeded, so every run is the same.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameType, QUIC_VERSION_1, TransportErrorCode, type Frame } from '../src/index.js';
import { CLIENT_ADDRESS, createPair, SERVER_ADDRESS } from './support/quicFixtures.js';
import { SeededRandom } from './support/memoryNetwork.js';
import { payloadOf, protectorFromSecret, sealShort, secretsFromKeylog } from './support/rawPackets.js';

const s = suite('connectionFuzz');

function mutate(rnd: SeededRandom, d: Uint8Array): Uint8Array {
  const out = Uint8Array.from(d);
  const kind = Math.floor(rnd.next() * 4);
  if (kind === 0 && out.length > 1) return out.subarray(0, 1 + Math.floor(rnd.next() * (out.length - 1))); // truncate
  const flips = 1 + Math.floor(rnd.next() * 4);
  for (let i = 0; i < flips; i++) out[Math.floor(rnd.next() * out.length)] ^= 1 << Math.floor(rnd.next() * 8);
  if (kind === 3) out[Math.floor(rnd.next() * out.length)] = Math.floor(rnd.next() * 256);
  return out;
}

s('mutated datagrams of a real handshake and transfer: no exception, no INTERNAL_ERROR', () => {
  const rnd = new SeededRandom(77);
  const captured: Uint8Array[] = [];
  const pair = createPair();
  pair.net.tap = (d) => {
    if (d.from.port === CLIENT_ADDRESS.port) captured.push(d.data);
    return d.data;
  };
  assert.ok(pair.handshake());
  const server = pair.server();
  for (let i = 0; i < 1500; i++) {
    const base = captured[Math.floor(rnd.next() * captured.length)];
    server.receive(mutate(rnd, base), CLIENT_ADDRESS, pair.net.now);
    server.send(pair.net.now);
    server.onTimeout(pair.net.now);
  }
  const err = server.closeError;
  assert.ok(err === undefined || err.code !== TransportErrorCode.INTERNAL_ERROR, err?.message);
});

s('mutated frame payloads sealed with the client 1-RTT keys: every close is a protocol error', () => {
  const rnd = new SeededRandom(99);
  const templates: Frame[][] = [
    [{ type: FrameType.STREAM, streamId: 0, offset: 0, data: Uint8Array.from([1, 2, 3]), fin: true }],
    [{ type: FrameType.ACK, largest: 3, ackDelay: 5, ranges: [{ smallest: 2, largest: 3 }, { smallest: 0, largest: 0 }] }],
    [{ type: FrameType.MAX_STREAM_DATA, streamId: 0, maximum: 100 }, { type: FrameType.MAX_DATA, maximum: 9999 }],
    [{ type: FrameType.RESET_STREAM, streamId: 4, errorCode: 1, finalSize: 10 }, { type: FrameType.STOP_SENDING, streamId: 8, errorCode: 2 }],
    [{ type: FrameType.NEW_CONNECTION_ID, sequenceNumber: 9, retirePriorTo: 1, connectionId: Uint8Array.from([5, 5, 5, 5]), statelessResetToken: new Uint8Array(16) }],
    [{ type: FrameType.CRYPTO, offset: 0, data: Uint8Array.from([4, 0, 0, 2, 1, 1]) }, { type: FrameType.PATH_CHALLENGE, data: new Uint8Array(8) }],
    [{ type: FrameType.CONNECTION_CLOSE, errorCode: 3, frameType: 8, reason: 'x' }],
    [{ type: FrameType.STREAMS_BLOCKED_BIDI, limit: 3 }, { type: FrameType.DATA_BLOCKED, limit: 3 }, { type: FrameType.STREAM_DATA_BLOCKED, streamId: 0, limit: 1 }],
  ];
  const codes = new Map<number, number>();
  for (let round = 0; round < 40; round++) {
    const lines: string[] = [];
    const pair = createPair({ seed: round, client: { keylog: (l) => lines.push(l) } });
    assert.ok(pair.handshake());
    const server = pair.server();
    const protector = protectorFromSecret(secretsFromKeylog(lines).get('CLIENT_TRAFFIC_SECRET_0')!, QUIC_VERSION_1);
    const dcid = server.localTransportParameters.initialSourceConnectionId!;
    for (let i = 0; i < 25 && !server.isClosed; i++) {
      const t = templates[Math.floor(rnd.next() * templates.length)];
      const payload = mutate(rnd, payloadOf(t, new Uint8Array(4)));
      pair.net.inject(CLIENT_ADDRESS, SERVER_ADDRESS, sealShort({ dcid, pn: 1000 + i, protector, payload: payload.length >= 4 ? payload : payloadOf([{ type: FrameType.PADDING, length: 4 }]) }));
      pair.net.advance(5);
    }
    const err = server.closeError;
    if (err !== undefined) {
      assert.ok(err.code !== TransportErrorCode.INTERNAL_ERROR, err.message);
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
    }
  }
  assert.ok(codes.size >= 3, `closes seen: ${[...codes.keys()].map((c) => c.toString(16)).join(', ')}`);
});

s.run();
