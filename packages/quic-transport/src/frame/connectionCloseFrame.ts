/**
 * CONNECTION_CLOSE (RFC 9000 §19.19): 0x1c carries a transport error code and the offending frame type, 0x1d an
 * application error code. The reason phrase is decoded as UTF-8 (invalid sequences become U+FFFD; the RFC says it
 * SHOULD be UTF-8 but a bad one must not kill the close).
 */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/** CONNECTION_CLOSE with a transport error (0x1c). */
export interface ConnectionCloseFrame {
  /** Frame type 0x1c. */
  type: typeof FrameType.CONNECTION_CLOSE;
  /** Transport error code (RFC 9000 §20.1). */
  errorCode: number;
  /** Type of the frame that triggered the error (0 when unknown). */
  frameType: number;
  /** Reason phrase. */
  reason: string;
}

/** CONNECTION_CLOSE with an application error (0x1d). */
export interface ApplicationCloseFrame {
  /** Frame type 0x1d. */
  type: typeof FrameType.CONNECTION_CLOSE_APP;
  /** Application protocol error code. */
  errorCode: number;
  /** Reason phrase. */
  reason: string;
}

/** Decodes a CONNECTION_CLOSE body of type 0x1c or 0x1d. */
export function decodeConnectionCloseFrame(r: QuicReader, type: number): ConnectionCloseFrame | ApplicationCloseFrame {
  const errorCode = r.varint('error code');
  if (type === FrameType.CONNECTION_CLOSE) {
    const frameType = r.varint('frame type');
    const reason = utf8Decoder.decode(r.varintBytes('reason phrase'));
    return { type: FrameType.CONNECTION_CLOSE, errorCode, frameType, reason };
  }
  const reason = utf8Decoder.decode(r.varintBytes('reason phrase'));
  return { type: FrameType.CONNECTION_CLOSE_APP, errorCode, reason };
}

/** Writes a CONNECTION_CLOSE frame (0x1c or 0x1d per `f.type`). */
export function encodeConnectionCloseFrame(w: QuicWriter, f: ConnectionCloseFrame | ApplicationCloseFrame): void {
  w.u8(f.type).varint(f.errorCode);
  if (f.type === FrameType.CONNECTION_CLOSE) w.varint(f.frameType);
  w.varintBytes(utf8Encoder.encode(f.reason));
}
