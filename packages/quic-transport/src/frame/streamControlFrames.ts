/**
 * Stream-level control frames: RESET_STREAM (RFC 9000 §19.4), STOP_SENDING (§19.5), MAX_STREAM_DATA (§19.10) and
 * STREAM_DATA_BLOCKED (§19.13).
 */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';

/** RESET_STREAM: abrupt termination of the sending part of a stream. */
export interface ResetStreamFrame {
  /** Frame type 0x04. */
  type: typeof FrameType.RESET_STREAM;
  /** Stream ID. */
  streamId: number;
  /** Application protocol error code. */
  errorCode: number;
  /** Final size of the stream in bytes. */
  finalSize: number;
}

/** STOP_SENDING: asks the peer to stop sending on a stream. */
export interface StopSendingFrame {
  /** Frame type 0x05. */
  type: typeof FrameType.STOP_SENDING;
  /** Stream ID. */
  streamId: number;
  /** Application protocol error code. */
  errorCode: number;
}

/** MAX_STREAM_DATA: stream-level flow-control credit. */
export interface MaxStreamDataFrame {
  /** Frame type 0x11. */
  type: typeof FrameType.MAX_STREAM_DATA;
  /** Stream ID. */
  streamId: number;
  /** Maximum amount of data that can be sent on the stream, in bytes. */
  maximum: number;
}

/** STREAM_DATA_BLOCKED: the sender is blocked by stream-level flow control. */
export interface StreamDataBlockedFrame {
  /** Frame type 0x15. */
  type: typeof FrameType.STREAM_DATA_BLOCKED;
  /** Stream ID. */
  streamId: number;
  /** The stream-level limit at which blocking occurred. */
  limit: number;
}

/** Decodes a RESET_STREAM body. */
export function decodeResetStreamFrame(r: QuicReader): ResetStreamFrame {
  return {
    type: FrameType.RESET_STREAM,
    streamId: r.varint('stream id'),
    errorCode: r.varint('error code'),
    finalSize: r.varint('final size'),
  };
}

/** Writes a RESET_STREAM frame. */
export function encodeResetStreamFrame(w: QuicWriter, f: ResetStreamFrame): void {
  w.u8(FrameType.RESET_STREAM).varint(f.streamId).varint(f.errorCode).varint(f.finalSize);
}

/** Decodes a STOP_SENDING body. */
export function decodeStopSendingFrame(r: QuicReader): StopSendingFrame {
  return { type: FrameType.STOP_SENDING, streamId: r.varint('stream id'), errorCode: r.varint('error code') };
}

/** Writes a STOP_SENDING frame. */
export function encodeStopSendingFrame(w: QuicWriter, f: StopSendingFrame): void {
  w.u8(FrameType.STOP_SENDING).varint(f.streamId).varint(f.errorCode);
}

/** Decodes a MAX_STREAM_DATA body (a maximum above 2^53-1 is clamped to 2^53-1: still "unlimited"). */
export function decodeMaxStreamDataFrame(r: QuicReader): MaxStreamDataFrame {
  return { type: FrameType.MAX_STREAM_DATA, streamId: r.varint('stream id'), maximum: r.varintSaturating('maximum stream data') };
}

/** Writes a MAX_STREAM_DATA frame. */
export function encodeMaxStreamDataFrame(w: QuicWriter, f: MaxStreamDataFrame): void {
  w.u8(FrameType.MAX_STREAM_DATA).varint(f.streamId).varint(f.maximum);
}

/** Decodes a STREAM_DATA_BLOCKED body. */
export function decodeStreamDataBlockedFrame(r: QuicReader): StreamDataBlockedFrame {
  return { type: FrameType.STREAM_DATA_BLOCKED, streamId: r.varint('stream id'), limit: r.varint('stream data limit') };
}

/** Writes a STREAM_DATA_BLOCKED frame. */
export function encodeStreamDataBlockedFrame(w: QuicWriter, f: StreamDataBlockedFrame): void {
  w.u8(FrameType.STREAM_DATA_BLOCKED).varint(f.streamId).varint(f.limit);
}
