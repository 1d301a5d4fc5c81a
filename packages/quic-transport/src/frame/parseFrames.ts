/**
 * Packet payload parsing with the per-packet-type frame rules of RFC 9000 §12.4 Table 3 (and RFC 9221 §4 for
 * DATAGRAM), plus the ack-eliciting / in-flight classification of RFC 9002 §2.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import type { FramePacketType } from '../packet/packetType.js';
import type { Frame } from './frame.js';
import { decodeFrame } from './frame.js';
import { FrameType, frameTypeName } from './frameType.js';
import { QuicReader } from './quicReader.js';

const I = 1;
const H = 2;
const Z = 4; // 0-RTT
const O = 8; // 1-RTT

/** Table 3, indexed by the normalised frame type (STREAM = 0x08, DATAGRAM = 0x30). */
const ALLOWED: Record<number, number> = {
  [FrameType.PADDING]: I | H | Z | O,
  [FrameType.PING]: I | H | Z | O,
  [FrameType.ACK]: I | H | O,
  [FrameType.ACK_ECN]: I | H | O,
  [FrameType.RESET_STREAM]: Z | O,
  [FrameType.STOP_SENDING]: Z | O,
  [FrameType.CRYPTO]: I | H | O,
  [FrameType.NEW_TOKEN]: O,
  [FrameType.STREAM]: Z | O,
  [FrameType.MAX_DATA]: Z | O,
  [FrameType.MAX_STREAM_DATA]: Z | O,
  [FrameType.MAX_STREAMS_BIDI]: Z | O,
  [FrameType.MAX_STREAMS_UNI]: Z | O,
  [FrameType.DATA_BLOCKED]: Z | O,
  [FrameType.STREAM_DATA_BLOCKED]: Z | O,
  [FrameType.STREAMS_BLOCKED_BIDI]: Z | O,
  [FrameType.STREAMS_BLOCKED_UNI]: Z | O,
  [FrameType.NEW_CONNECTION_ID]: Z | O,
  [FrameType.RETIRE_CONNECTION_ID]: O,
  [FrameType.PATH_CHALLENGE]: Z | O,
  [FrameType.PATH_RESPONSE]: O,
  [FrameType.CONNECTION_CLOSE]: I | H | Z | O,
  [FrameType.CONNECTION_CLOSE_APP]: Z | O,
  [FrameType.HANDSHAKE_DONE]: O,
  [FrameType.DATAGRAM]: Z | O,
};

function packetBit(t: FramePacketType): number {
  return t === 'initial' ? I : t === 'handshake' ? H : t === 'zeroRtt' ? Z : O;
}

/** True if a frame of this (normalised) type may appear in a packet of type `packetType` (Table 3). */
export function isFrameAllowedIn(frameType: number, packetType: FramePacketType): boolean {
  return ((ALLOWED[frameType] ?? 0) & packetBit(packetType)) !== 0;
}

/** Options of {@link parseFrames}. */
export interface ParseFramesOptions {
  /**
   * Our role, when known: a server additionally rejects frames only a server may send (NEW_TOKEN, HANDSHAKE_DONE)
   * with PROTOCOL_VIOLATION (RFC 9000 §19.7, §19.20).
   */
  receiver?: 'client' | 'server';
  /** Array to append frames to (reused to save an allocation); it is not cleared. */
  out?: Frame[];
}

/**
 * Parses a decrypted packet payload into frames. Errors (as {@link QuicError}, with the frame type set):
 * empty payload → PROTOCOL_VIOLATION; unknown frame type or malformed field → FRAME_ENCODING_ERROR; a frame not
 * allowed in this packet type (Table 3) → PROTOCOL_VIOLATION.
 */
export function parseFrames(payload: Uint8Array, packetType: FramePacketType, options?: ParseFramesOptions): Frame[] {
  if (payload.length === 0) {
    throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'packet payload contains no frames');
  }
  const out = options?.out ?? [];
  const bit = packetBit(packetType);
  const server = options?.receiver === 'server';
  const r = new QuicReader(payload);
  while (r.pos < r.end) {
    const frame = decodeFrame(r);
    const t = frame.type;
    if (((ALLOWED[t] ?? 0) & bit) === 0) {
      throw new QuicError(
        TransportErrorCode.PROTOCOL_VIOLATION,
        `${frameTypeName(t)} frame not allowed in a ${packetType} packet`,
        { frameType: r.frameType },
      );
    }
    if (server && (t === FrameType.NEW_TOKEN || t === FrameType.HANDSHAKE_DONE)) {
      throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, `client sent ${frameTypeName(t)}`, {
        frameType: r.frameType,
      });
    }
    out.push(frame);
  }
  return out;
}

/** True unless the frame is ACK, ACK_ECN, PADDING or CONNECTION_CLOSE (RFC 9002 §2). */
export function isAckEliciting(frame: Frame): boolean {
  switch (frame.type) {
    case FrameType.ACK:
    case FrameType.ACK_ECN:
    case FrameType.PADDING:
    case FrameType.CONNECTION_CLOSE:
    case FrameType.CONNECTION_CLOSE_APP:
      return false;
    default:
      return true;
  }
}

/** True if a packet carrying this frame counts toward bytes in flight: ack-eliciting or PADDING (RFC 9002 §2). */
export function countsInFlight(frame: Frame): boolean {
  return frame.type === FrameType.PADDING || isAckEliciting(frame);
}

/** True if any frame of the packet is ack-eliciting. */
export function isPacketAckEliciting(frames: readonly Frame[]): boolean {
  for (const f of frames) if (isAckEliciting(f)) return true;
  return false;
}

/** True if the packet counts toward bytes in flight (any ack-eliciting or PADDING frame). */
export function isPacketInFlight(frames: readonly Frame[]): boolean {
  for (const f of frames) if (countsInFlight(f)) return true;
  return false;
}

/** True for a probing frame (RFC 9000 §9.1): PATH_CHALLENGE, PATH_RESPONSE, NEW_CONNECTION_ID, PADDING. */
export function isProbingFrame(frame: Frame): boolean {
  return (
    frame.type === FrameType.PATH_CHALLENGE ||
    frame.type === FrameType.PATH_RESPONSE ||
    frame.type === FrameType.NEW_CONNECTION_ID ||
    frame.type === FrameType.PADDING
  );
}
