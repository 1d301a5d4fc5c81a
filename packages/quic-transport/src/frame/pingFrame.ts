/** PING (RFC 9000 §19.2) and HANDSHAKE_DONE (§19.20): frames with no content. */
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';

/** PING: elicits an acknowledgment. */
export interface PingFrame {
  /** Frame type 0x01. */
  type: typeof FrameType.PING;
}

/** HANDSHAKE_DONE: the server confirms the handshake (server to client only). */
export interface HandshakeDoneFrame {
  /** Frame type 0x1e. */
  type: typeof FrameType.HANDSHAKE_DONE;
}

/** Shared PING frame value (frames without fields need no allocation). */
export const PING_FRAME: PingFrame = Object.freeze({ type: FrameType.PING });

/** Shared HANDSHAKE_DONE frame value. */
export const HANDSHAKE_DONE_FRAME: HandshakeDoneFrame = Object.freeze({ type: FrameType.HANDSHAKE_DONE });

/** Writes a PING or HANDSHAKE_DONE frame (just its type byte). */
export function encodeEmptyFrame(w: QuicWriter, frame: PingFrame | HandshakeDoneFrame): void {
  w.u8(frame.type);
}
