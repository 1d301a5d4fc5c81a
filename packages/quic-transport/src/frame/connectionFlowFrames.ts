/**
 * Connection-level flow-control and stream-count frames: MAX_DATA (RFC 9000 §19.9), MAX_STREAMS (§19.11),
 * DATA_BLOCKED (§19.12) and STREAMS_BLOCKED (§19.14). Stream counts above 2^60 are FRAME_ENCODING_ERROR.
 */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { MAX_STREAMS_LIMIT } from '../stream/streamId.js';
import { FrameType } from './frameType.js';

/** MAX_DATA: connection-level flow-control credit. */
export interface MaxDataFrame {
  /** Frame type 0x10. */
  type: typeof FrameType.MAX_DATA;
  /** Maximum amount of data that can be sent on the connection, in bytes. */
  maximum: number;
}

/** DATA_BLOCKED: the sender is blocked by connection-level flow control. */
export interface DataBlockedFrame {
  /** Frame type 0x14. */
  type: typeof FrameType.DATA_BLOCKED;
  /** The connection-level limit at which blocking occurred. */
  limit: number;
}

/** MAX_STREAMS (bidirectional 0x12 or unidirectional 0x13). */
export interface MaxStreamsFrame {
  /** 0x12 (bidirectional) or 0x13 (unidirectional). */
  type: typeof FrameType.MAX_STREAMS_BIDI | typeof FrameType.MAX_STREAMS_UNI;
  /** Cumulative number of streams of that type the peer may open (<= 2^60). */
  maximum: number;
}

/** STREAMS_BLOCKED (bidirectional 0x16 or unidirectional 0x17). */
export interface StreamsBlockedFrame {
  /** 0x16 (bidirectional) or 0x17 (unidirectional). */
  type: typeof FrameType.STREAMS_BLOCKED_BIDI | typeof FrameType.STREAMS_BLOCKED_UNI;
  /** The stream limit at which blocking occurred (<= 2^60). */
  limit: number;
}

/** Decodes a MAX_DATA body (a maximum above 2^53-1 is clamped to 2^53-1: still "unlimited"). */
export function decodeMaxDataFrame(r: QuicReader): MaxDataFrame {
  return { type: FrameType.MAX_DATA, maximum: r.varintSaturating('maximum data') };
}

/** Writes a MAX_DATA frame. */
export function encodeMaxDataFrame(w: QuicWriter, f: MaxDataFrame): void {
  w.u8(FrameType.MAX_DATA).varint(f.maximum);
}

/** Decodes a DATA_BLOCKED body. */
export function decodeDataBlockedFrame(r: QuicReader): DataBlockedFrame {
  return { type: FrameType.DATA_BLOCKED, limit: r.varint('data limit') };
}

/** Writes a DATA_BLOCKED frame. */
export function encodeDataBlockedFrame(w: QuicWriter, f: DataBlockedFrame): void {
  w.u8(FrameType.DATA_BLOCKED).varint(f.limit);
}

/** Decodes a MAX_STREAMS body (`type` is 0x12 or 0x13). */
export function decodeMaxStreamsFrame(r: QuicReader, type: number): MaxStreamsFrame {
  const maximum = r.varint('maximum streams');
  if (maximum > MAX_STREAMS_LIMIT) r.fail(`MAX_STREAMS ${maximum} exceeds 2^60`);
  return { type: type === FrameType.MAX_STREAMS_UNI ? FrameType.MAX_STREAMS_UNI : FrameType.MAX_STREAMS_BIDI, maximum };
}

/** Writes a MAX_STREAMS frame. */
export function encodeMaxStreamsFrame(w: QuicWriter, f: MaxStreamsFrame): void {
  w.u8(f.type).varint(f.maximum);
}

/** Decodes a STREAMS_BLOCKED body (`type` is 0x16 or 0x17). */
export function decodeStreamsBlockedFrame(r: QuicReader, type: number): StreamsBlockedFrame {
  const limit = r.varint('stream limit');
  if (limit > MAX_STREAMS_LIMIT) r.fail(`STREAMS_BLOCKED ${limit} exceeds 2^60`);
  return {
    type: type === FrameType.STREAMS_BLOCKED_UNI ? FrameType.STREAMS_BLOCKED_UNI : FrameType.STREAMS_BLOCKED_BIDI,
    limit,
  };
}

/** Writes a STREAMS_BLOCKED frame. */
export function encodeStreamsBlockedFrame(w: QuicWriter, f: StreamsBlockedFrame): void {
  w.u8(f.type).varint(f.limit);
}
