/**
 * The `Frame` union of every RFC 9000 §19 frame plus DATAGRAM (RFC 9221), and the single-frame encode/decode
 * dispatch. Decoding is allocation-light: data-bearing frames hold subarray views of the payload.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import type { AckFrame } from './ackFrame.js';
import { decodeAckFrame, encodeAckFrame } from './ackFrame.js';
import type { ApplicationCloseFrame, ConnectionCloseFrame } from './connectionCloseFrame.js';
import { decodeConnectionCloseFrame, encodeConnectionCloseFrame } from './connectionCloseFrame.js';
import type { DataBlockedFrame, MaxDataFrame, MaxStreamsFrame, StreamsBlockedFrame } from './connectionFlowFrames.js';
import {
  decodeDataBlockedFrame,
  decodeMaxDataFrame,
  decodeMaxStreamsFrame,
  decodeStreamsBlockedFrame,
  encodeDataBlockedFrame,
  encodeMaxDataFrame,
  encodeMaxStreamsFrame,
  encodeStreamsBlockedFrame,
} from './connectionFlowFrames.js';
import type { NewConnectionIdFrame, RetireConnectionIdFrame } from './connectionIdFrames.js';
import {
  decodeNewConnectionIdFrame,
  decodeRetireConnectionIdFrame,
  encodeNewConnectionIdFrame,
  encodeRetireConnectionIdFrame,
} from './connectionIdFrames.js';
import type { CryptoFrame } from './cryptoFrame.js';
import { decodeCryptoFrame, encodeCryptoFrame } from './cryptoFrame.js';
import type { DatagramFrame } from './datagramFrame.js';
import { decodeDatagramFrame, encodeDatagramFrame } from './datagramFrame.js';
import { FrameType, frameTypeName } from './frameType.js';
import type { NewTokenFrame } from './newTokenFrame.js';
import { decodeNewTokenFrame, encodeNewTokenFrame } from './newTokenFrame.js';
import type { PaddingFrame } from './paddingFrame.js';
import { decodePaddingFrame, encodePaddingFrame } from './paddingFrame.js';
import type { PathFrame } from './pathFrames.js';
import { decodePathFrame, encodePathFrame } from './pathFrames.js';
import type { HandshakeDoneFrame, PingFrame } from './pingFrame.js';
import { encodeEmptyFrame, HANDSHAKE_DONE_FRAME, PING_FRAME } from './pingFrame.js';
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import type {
  MaxStreamDataFrame,
  ResetStreamFrame,
  StopSendingFrame,
  StreamDataBlockedFrame,
} from './streamControlFrames.js';
import {
  decodeMaxStreamDataFrame,
  decodeResetStreamFrame,
  decodeStopSendingFrame,
  decodeStreamDataBlockedFrame,
  encodeMaxStreamDataFrame,
  encodeResetStreamFrame,
  encodeStopSendingFrame,
  encodeStreamDataBlockedFrame,
} from './streamControlFrames.js';
import type { StreamFrame } from './streamFrame.js';
import { decodeStreamFrame, encodeStreamFrame } from './streamFrame.js';
import { varintLengthFromFirstByte, varintSize } from './varint.js';

/** Any QUIC frame, discriminated by `type` (STREAM is always 0x08, DATAGRAM always 0x30). */
export type Frame =
  | PaddingFrame
  | PingFrame
  | AckFrame
  | ResetStreamFrame
  | StopSendingFrame
  | CryptoFrame
  | NewTokenFrame
  | StreamFrame
  | MaxDataFrame
  | MaxStreamDataFrame
  | MaxStreamsFrame
  | DataBlockedFrame
  | StreamDataBlockedFrame
  | StreamsBlockedFrame
  | NewConnectionIdFrame
  | RetireConnectionIdFrame
  | PathFrame
  | ConnectionCloseFrame
  | ApplicationCloseFrame
  | HandshakeDoneFrame
  | DatagramFrame;

/**
 * Reads the wire frame type at the reader's position (a varint, RFC 9000 §12.4). A non-minimal encoding is a
 * PROTOCOL_VIOLATION (the RFC allows treating it so). Returns the raw type (e.g. 0x0e for a STREAM with OFF|LEN).
 */
export function readFrameType(r: QuicReader): number {
  const first = r.buf[r.pos];
  const type = r.varint('frame type');
  if (varintLengthFromFirstByte(first) !== varintSize(type)) {
    r.frameType = type;
    r.fail(`frame type 0x${type.toString(16)} not minimally encoded`, TransportErrorCode.PROTOCOL_VIOLATION);
  }
  return type;
}

/**
 * Decodes one frame at the reader's position. Unknown types are FRAME_ENCODING_ERROR; field errors carry the
 * frame type in the thrown {@link QuicError}. No packet-type check here (see `parseFrames`).
 */
export function decodeFrame(r: QuicReader): Frame {
  r.frameType = 0;
  const type = readFrameType(r);
  r.frameType = type;
  switch (type) {
    case FrameType.PADDING:
      return decodePaddingFrame(r);
    case FrameType.PING:
      return PING_FRAME;
    case FrameType.ACK:
    case FrameType.ACK_ECN:
      return decodeAckFrame(r, type);
    case FrameType.RESET_STREAM:
      return decodeResetStreamFrame(r);
    case FrameType.STOP_SENDING:
      return decodeStopSendingFrame(r);
    case FrameType.CRYPTO:
      return decodeCryptoFrame(r);
    case FrameType.NEW_TOKEN:
      return decodeNewTokenFrame(r);
    case 0x08:
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x0e:
    case 0x0f:
      return decodeStreamFrame(r, type);
    case FrameType.MAX_DATA:
      return decodeMaxDataFrame(r);
    case FrameType.MAX_STREAM_DATA:
      return decodeMaxStreamDataFrame(r);
    case FrameType.MAX_STREAMS_BIDI:
    case FrameType.MAX_STREAMS_UNI:
      return decodeMaxStreamsFrame(r, type);
    case FrameType.DATA_BLOCKED:
      return decodeDataBlockedFrame(r);
    case FrameType.STREAM_DATA_BLOCKED:
      return decodeStreamDataBlockedFrame(r);
    case FrameType.STREAMS_BLOCKED_BIDI:
    case FrameType.STREAMS_BLOCKED_UNI:
      return decodeStreamsBlockedFrame(r, type);
    case FrameType.NEW_CONNECTION_ID:
      return decodeNewConnectionIdFrame(r);
    case FrameType.RETIRE_CONNECTION_ID:
      return decodeRetireConnectionIdFrame(r);
    case FrameType.PATH_CHALLENGE:
    case FrameType.PATH_RESPONSE:
      return decodePathFrame(r, type);
    case FrameType.CONNECTION_CLOSE:
    case FrameType.CONNECTION_CLOSE_APP:
      return decodeConnectionCloseFrame(r, type);
    case FrameType.HANDSHAKE_DONE:
      return HANDSHAKE_DONE_FRAME;
    case 0x30:
    case 0x31:
      return decodeDatagramFrame(r, type);
    default:
      return r.fail(`unknown frame type ${frameTypeName(type)}`, TransportErrorCode.FRAME_ENCODING_ERROR);
  }
}

/**
 * Encodes one frame. STREAM and DATAGRAM get a Length field unless `lastInPacket` is true (then their data runs to
 * the end of the packet).
 */
export function encodeFrame(w: QuicWriter, frame: Frame, lastInPacket = false): void {
  switch (frame.type) {
    case FrameType.PADDING:
      return encodePaddingFrame(w, frame);
    case FrameType.PING:
    case FrameType.HANDSHAKE_DONE:
      return encodeEmptyFrame(w, frame);
    case FrameType.ACK:
    case FrameType.ACK_ECN:
      return encodeAckFrame(w, frame);
    case FrameType.RESET_STREAM:
      return encodeResetStreamFrame(w, frame);
    case FrameType.STOP_SENDING:
      return encodeStopSendingFrame(w, frame);
    case FrameType.CRYPTO:
      return encodeCryptoFrame(w, frame);
    case FrameType.NEW_TOKEN:
      return encodeNewTokenFrame(w, frame);
    case FrameType.STREAM:
      return encodeStreamFrame(w, frame, !lastInPacket);
    case FrameType.MAX_DATA:
      return encodeMaxDataFrame(w, frame);
    case FrameType.MAX_STREAM_DATA:
      return encodeMaxStreamDataFrame(w, frame);
    case FrameType.MAX_STREAMS_BIDI:
    case FrameType.MAX_STREAMS_UNI:
      return encodeMaxStreamsFrame(w, frame);
    case FrameType.DATA_BLOCKED:
      return encodeDataBlockedFrame(w, frame);
    case FrameType.STREAM_DATA_BLOCKED:
      return encodeStreamDataBlockedFrame(w, frame);
    case FrameType.STREAMS_BLOCKED_BIDI:
    case FrameType.STREAMS_BLOCKED_UNI:
      return encodeStreamsBlockedFrame(w, frame);
    case FrameType.NEW_CONNECTION_ID:
      return encodeNewConnectionIdFrame(w, frame);
    case FrameType.RETIRE_CONNECTION_ID:
      return encodeRetireConnectionIdFrame(w, frame);
    case FrameType.PATH_CHALLENGE:
    case FrameType.PATH_RESPONSE:
      return encodePathFrame(w, frame);
    case FrameType.CONNECTION_CLOSE:
    case FrameType.CONNECTION_CLOSE_APP:
      return encodeConnectionCloseFrame(w, frame);
    case FrameType.DATAGRAM:
      return encodeDatagramFrame(w, frame, !lastInPacket);
    default: {
      const never: never = frame;
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `cannot encode frame ${String((never as { type: unknown }).type)}`);
    }
  }
}
