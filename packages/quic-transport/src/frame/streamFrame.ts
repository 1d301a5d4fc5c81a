/**
 * STREAM (RFC 9000 §19.8), types 0x08-0x0f: bit 0x04 OFF (offset present), 0x02 LEN (length present), 0x01 FIN.
 * Decoded data is a subarray view of the packet payload.
 */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';
import { VARINT_MAX } from './varint.js';

/** Type bit: Offset field present. */
export const STREAM_BIT_OFF = 0x04;
/** Type bit: Length field present. */
export const STREAM_BIT_LEN = 0x02;
/** Type bit: this frame ends the stream. */
export const STREAM_BIT_FIN = 0x01;

/** A STREAM frame. */
export interface StreamFrame {
  /** Always 0x08; the OFF/LEN/FIN bits are derived from the fields. */
  type: typeof FrameType.STREAM;
  /** Stream ID. */
  streamId: number;
  /** Byte offset of `data` in the stream (0 when the frame had no Offset field). */
  offset: number;
  /** Stream data (a view when decoded). */
  data: Uint8Array;
  /** True if this frame carries the final byte of the stream. */
  fin: boolean;
}

/**
 * Decodes a STREAM body (`type` 0x08-0x0f). Without LEN the data runs to the end of the payload. An offset +
 * length beyond 2^53-1 (our limit; the RFC's is 2^62-1) is FRAME_ENCODING_ERROR.
 */
export function decodeStreamFrame(r: QuicReader, type: number): StreamFrame {
  const streamId = r.varint('stream id');
  const offset = type & STREAM_BIT_OFF ? r.varint('stream offset') : 0;
  const length = type & STREAM_BIT_LEN ? r.varint('stream data length') : r.remaining;
  if (offset + length > VARINT_MAX) r.fail('STREAM offset + length exceeds the supported maximum');
  return { type: FrameType.STREAM, streamId, offset, data: r.bytes(length, 'stream data'), fin: (type & STREAM_BIT_FIN) !== 0 };
}

/**
 * Writes a STREAM frame. The Offset field is omitted when the offset is 0; the Length field is omitted when
 * `withLength` is false (only for the last frame of a packet).
 */
export function encodeStreamFrame(w: QuicWriter, f: StreamFrame, withLength = true): void {
  let type: number = FrameType.STREAM;
  if (f.offset > 0) type |= STREAM_BIT_OFF;
  if (withLength) type |= STREAM_BIT_LEN;
  if (f.fin) type |= STREAM_BIT_FIN;
  w.u8(type).varint(f.streamId);
  if (f.offset > 0) w.varint(f.offset);
  if (withLength) w.varint(f.data.length);
  w.bytes(f.data);
}
