/**
 * ACK and ACK_ECN (RFC 9000 §19.3). Ranges are inclusive, sorted by `largest` descending, non-overlapping and
 * non-adjacent (the shared quic-transport convention). `ackDelay` is the raw encoded value (not scaled by
 * ack_delay_exponent).
 */
import type { AckRange } from '../recovery/sentPacket.js';
import { QuicError, TransportErrorCode } from '../errors.js';
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';

/** ECN counts of an ACK_ECN frame. */
export interface EcnCounts {
  /** Packets received with ECT(0). */
  ect0: number;
  /** Packets received with ECT(1). */
  ect1: number;
  /** Packets received with ECN-CE. */
  ce: number;
}

/** An ACK or ACK_ECN frame. */
export interface AckFrame {
  /** 0x02, or 0x03 when `ecn` is present. */
  type: typeof FrameType.ACK | typeof FrameType.ACK_ECN;
  /** Largest acknowledged packet number (= ranges[0].largest). */
  largest: number;
  /** Raw ACK Delay field (multiply by 2^ack_delay_exponent microseconds). */
  ackDelay: number;
  /** Acknowledged ranges, largest first. */
  ranges: AckRange[];
  /** ECN counts (ACK_ECN only). */
  ecn?: EcnCounts;
}

/** Decodes an ACK/ACK_ECN body; gaps or lengths that go below packet number 0 are FRAME_ENCODING_ERROR. */
export function decodeAckFrame(r: QuicReader, type: number): AckFrame {
  const largest = r.varint('largest acknowledged');
  const ackDelay = r.varint('ack delay');
  const count = r.varint('ack range count');
  // Each further range needs at least two bytes: reject absurd counts before looping.
  if (count > r.remaining) r.fail(`ACK range count ${count} exceeds the frame`);
  const first = r.varint('first ack range');
  let smallest = largest - first;
  if (smallest < 0) r.fail('first ACK range goes below packet number 0');
  const ranges: AckRange[] = [{ smallest, largest }];
  for (let i = 0; i < count; i++) {
    const gap = r.varint('ack gap');
    const len = r.varint('ack range length');
    const hi = smallest - gap - 2;
    const lo = hi - len;
    if (lo < 0) r.fail('ACK range goes below packet number 0');
    ranges.push({ smallest: lo, largest: hi });
    smallest = lo;
  }
  const frame: AckFrame = { type: type === FrameType.ACK_ECN ? FrameType.ACK_ECN : FrameType.ACK, largest, ackDelay, ranges };
  if (type === FrameType.ACK_ECN) {
    frame.ecn = { ect0: r.varint('ECT0 count'), ect1: r.varint('ECT1 count'), ce: r.varint('ECN-CE count') };
  }
  return frame;
}

/**
 * Writes an ACK (or ACK_ECN when `frame.ecn` is set). Throws QuicError(INTERNAL_ERROR) when the ranges break the
 * convention (empty, unsorted, overlapping or adjacent) — a bug in the caller.
 */
export function encodeAckFrame(w: QuicWriter, frame: AckFrame): void {
  const ranges = frame.ranges;
  if (ranges.length === 0) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'ACK frame without ranges');
  const top = ranges[0];
  if (top.smallest > top.largest || top.smallest < 0) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'invalid first ACK range');
  }
  w.u8(frame.ecn ? FrameType.ACK_ECN : FrameType.ACK);
  w.varint(top.largest).varint(frame.ackDelay).varint(ranges.length - 1).varint(top.largest - top.smallest);
  let prevSmallest = top.smallest;
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i];
    if (r.smallest > r.largest || r.smallest < 0 || r.largest + 2 > prevSmallest) {
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `ACK range ${i} is unsorted, overlapping or adjacent`);
    }
    w.varint(prevSmallest - r.largest - 2).varint(r.largest - r.smallest);
    prevSmallest = r.smallest;
  }
  if (frame.ecn) w.varint(frame.ecn.ect0).varint(frame.ecn.ect1).varint(frame.ecn.ce);
}
