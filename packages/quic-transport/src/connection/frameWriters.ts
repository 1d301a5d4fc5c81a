/**
 * Writers that fill a planned packet (see {@link PacketBuilder}) with frames from the connection's send queues,
 * each recording what it wrote for loss recovery: ACK (as many ranges as fit, RFC 9000 §13.2), CRYPTO (the level's
 * pending handshake bytes), and stream traffic — flow-control / stream-control frames, then STREAM frames filling
 * the rest.
 */
import type { Frame } from '../frame/frame.js';
import { FrameType } from '../frame/frameType.js';
import { varintSize } from '../frame/varint.js';
import { encodeAckDelay } from '../recovery/receivedPackets.js';
import type { AckRange } from '../recovery/sentPacket.js';
import type { StreamControlFrame, StreamManager } from '../stream/streamManager.js';
import { PacketBuilder, type PacketPlan } from './packetBuilder.js';
import type { PacketNumberSpace } from './packetNumberSpace.js';

/** Room reserved for one control frame (the largest, NEW_CONNECTION_ID, is 54 bytes). */
export const CONTROL_FRAME_ROOM = 64;

/** Encoded size of an ACK frame with the first `n` of `ranges` and this delay field. */
export function ackFrameSize(ranges: readonly AckRange[], n: number, delay: number): number {
  const top = ranges[0];
  let size = 1 + varintSize(top.largest) + varintSize(delay) + varintSize(n - 1) + varintSize(top.largest - top.smallest);
  let prevSmallest = top.smallest;
  for (let i = 1; i < n; i++) {
    const r = ranges[i];
    size += varintSize(prevSmallest - r.largest - 2) + varintSize(r.largest - r.smallest);
    prevSmallest = r.smallest;
  }
  return size;
}

/**
 * An ACK frame for `space` with as many ranges as fit (newest first); the ack delay is encoded with our
 * ack_delay_exponent (0 in Initial packets, where it is ignored). Records the Largest Acknowledged.
 */
export function writeAck(plan: PacketPlan, space: PacketNumberSpace, room: number, now: number, ackDelayExponent: number): void {
  const rx = space.received;
  const ranges = rx.ackRanges();
  const delay = space.id === 'initial' ? 0 : encodeAckDelay(rx.ackDelay(now), ackDelayExponent);
  const left = PacketBuilder.roomLeft(plan, room);
  let n = ranges.length;
  while (n > 0 && ackFrameSize(ranges, n, delay) > left) n--;
  if (n === 0) return;
  PacketBuilder.add(plan, { type: FrameType.ACK, largest: ranges[0].largest, ackDelay: delay, ranges: ranges.slice(0, n) }, false);
  plan.frames.ackLargest = rx.onAckSent();
}

/** CRYPTO frames with the space's pending handshake bytes, as many as fit. */
export function writeCrypto(plan: PacketPlan, space: PacketNumberSpace, room: number): void {
  for (;;) {
    const left = PacketBuilder.roomLeft(plan, room);
    if (left < 8) return;
    const c = space.crypto.emit(left);
    if (c === undefined) return;
    PacketBuilder.add(plan, { type: FrameType.CRYPTO, offset: c.offset, data: c.data }, true);
    (plan.frames.crypto ??= []).push({ offset: c.offset, length: c.data.length });
  }
}

/**
 * Stream control frames (MAX_DATA, MAX_STREAM_DATA, RESET_STREAM, STOP_SENDING, *_BLOCKED, MAX_STREAMS), then STREAM
 * frames filling the packet. Returns the stream data bytes written.
 */
export function writeStreamFrames(plan: PacketPlan, room: number, streams: StreamManager, now: number, rtt: number | undefined): number {
  const f = plan.frames;
  let bytes = 0;
  while (PacketBuilder.roomLeft(plan, room) >= CONTROL_FRAME_ROOM) {
    const c = streams.pollControlFrame(now, rtt);
    if (c === undefined) break;
    PacketBuilder.add(plan, controlFrame(c), true);
    (f.control ??= []).push(c);
  }
  while (PacketBuilder.roomLeft(plan, room) >= 24) {
    const s = streams.pollStreamFrame(PacketBuilder.roomLeft(plan, room));
    if (s === undefined) break;
    PacketBuilder.add(plan, { type: FrameType.STREAM, streamId: s.streamId, offset: s.offset, data: s.data, fin: s.fin }, true);
    (f.stream ??= []).push({ streamId: s.streamId, offset: s.offset, length: s.data.length, fin: s.fin });
    bytes += s.data.length;
  }
  return bytes;
}

/** The wire frame for a stream-manager control frame. */
export function controlFrame(c: StreamControlFrame): Frame {
  switch (c.kind) {
    case 'reset_stream':
      return { type: FrameType.RESET_STREAM, streamId: c.streamId, errorCode: c.errorCode, finalSize: c.finalSize };
    case 'stop_sending':
      return { type: FrameType.STOP_SENDING, streamId: c.streamId, errorCode: c.errorCode };
    case 'max_data':
      return { type: FrameType.MAX_DATA, maximum: c.maximum };
    case 'max_stream_data':
      return { type: FrameType.MAX_STREAM_DATA, streamId: c.streamId, maximum: c.maximum };
    case 'max_streams':
      return { type: c.direction === 'bidi' ? FrameType.MAX_STREAMS_BIDI : FrameType.MAX_STREAMS_UNI, maximum: c.maximum };
    case 'data_blocked':
      return { type: FrameType.DATA_BLOCKED, limit: c.maximum };
    case 'stream_data_blocked':
      return { type: FrameType.STREAM_DATA_BLOCKED, streamId: c.streamId, limit: c.maximum };
    case 'streams_blocked':
      return { type: c.direction === 'bidi' ? FrameType.STREAMS_BLOCKED_BIDI : FrameType.STREAMS_BLOCKED_UNI, limit: c.maximum };
  }
}
