/**
 * Frames as qlog `QuicFrame` objects (draft-ietf-quic-qlog-quic-events, "0.3"-era field names: frame_type,
 * acked_ranges, stream_id, offset, length, fin, error_space, error_code, reason …). Payload bytes are never
 * logged, only their lengths; tokens and connection IDs are logged as hex.
 */
import type { Frame } from '../frame/frame.js';
import { FrameType } from '../frame/frameType.js';
import type { QlogData } from './qlogSink.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes (for connection IDs and tokens in qlog). */
export function qlogHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/**
 * One frame as qlog data. `ackDelayExponent` scales the raw ACK Delay field into ms for `ack_delay`
 * (default 3, RFC 9000 §18.2); acked_ranges are `[smallest, largest]` pairs in ascending order.
 */
export function qlogFrame(frame: Frame, ackDelayExponent = 3): QlogData {
  switch (frame.type) {
    case FrameType.PADDING:
      return { frame_type: 'padding', length: frame.length, payload_length: frame.length };
    case FrameType.PING:
      return { frame_type: 'ping' };
    case FrameType.ACK:
    case FrameType.ACK_ECN: {
      const ranges: number[][] = [];
      for (let i = frame.ranges.length - 1; i >= 0; i--) ranges.push([frame.ranges[i].smallest, frame.ranges[i].largest]);
      const out: QlogData = {
        frame_type: 'ack',
        ack_delay: (frame.ackDelay * 2 ** ackDelayExponent) / 1000,
        acked_ranges: ranges,
      };
      if (frame.ecn) {
        out.ect0 = frame.ecn.ect0;
        out.ect1 = frame.ecn.ect1;
        out.ce = frame.ecn.ce;
      }
      return out;
    }
    case FrameType.RESET_STREAM:
      return { frame_type: 'reset_stream', stream_id: frame.streamId, error_code: frame.errorCode, final_size: frame.finalSize };
    case FrameType.STOP_SENDING:
      return { frame_type: 'stop_sending', stream_id: frame.streamId, error_code: frame.errorCode };
    case FrameType.CRYPTO:
      return { frame_type: 'crypto', offset: frame.offset, length: frame.data.length };
    case FrameType.NEW_TOKEN:
      return { frame_type: 'new_token', token: { raw: { length: frame.token.length, data: qlogHex(frame.token) } } };
    case FrameType.STREAM:
      return { frame_type: 'stream', stream_id: frame.streamId, offset: frame.offset, length: frame.data.length, fin: frame.fin };
    case FrameType.MAX_DATA:
      return { frame_type: 'max_data', maximum: frame.maximum };
    case FrameType.MAX_STREAM_DATA:
      return { frame_type: 'max_stream_data', stream_id: frame.streamId, maximum: frame.maximum };
    case FrameType.MAX_STREAMS_BIDI:
    case FrameType.MAX_STREAMS_UNI:
      return {
        frame_type: 'max_streams',
        stream_type: frame.type === FrameType.MAX_STREAMS_BIDI ? 'bidirectional' : 'unidirectional',
        maximum: frame.maximum,
      };
    case FrameType.DATA_BLOCKED:
      return { frame_type: 'data_blocked', limit: frame.limit };
    case FrameType.STREAM_DATA_BLOCKED:
      return { frame_type: 'stream_data_blocked', stream_id: frame.streamId, limit: frame.limit };
    case FrameType.STREAMS_BLOCKED_BIDI:
    case FrameType.STREAMS_BLOCKED_UNI:
      return {
        frame_type: 'streams_blocked',
        stream_type: frame.type === FrameType.STREAMS_BLOCKED_BIDI ? 'bidirectional' : 'unidirectional',
        limit: frame.limit,
      };
    case FrameType.NEW_CONNECTION_ID:
      return {
        frame_type: 'new_connection_id',
        sequence_number: frame.sequenceNumber,
        retire_prior_to: frame.retirePriorTo,
        connection_id_length: frame.connectionId.length,
        connection_id: qlogHex(frame.connectionId),
        stateless_reset_token: qlogHex(frame.statelessResetToken),
      };
    case FrameType.RETIRE_CONNECTION_ID:
      return { frame_type: 'retire_connection_id', sequence_number: frame.sequenceNumber };
    case FrameType.PATH_CHALLENGE:
      return { frame_type: 'path_challenge', data: qlogHex(frame.data) };
    case FrameType.PATH_RESPONSE:
      return { frame_type: 'path_response', data: qlogHex(frame.data) };
    case FrameType.CONNECTION_CLOSE:
      return {
        frame_type: 'connection_close',
        error_space: 'transport',
        error_code: frame.errorCode,
        raw_error_code: frame.errorCode,
        reason: frame.reason,
        trigger_frame_type: frame.frameType,
      };
    case FrameType.CONNECTION_CLOSE_APP:
      return {
        frame_type: 'connection_close',
        error_space: 'application',
        error_code: frame.errorCode,
        raw_error_code: frame.errorCode,
        reason: frame.reason,
      };
    case FrameType.HANDSHAKE_DONE:
      return { frame_type: 'handshake_done' };
    case FrameType.DATAGRAM:
      return { frame_type: 'datagram', length: frame.data.length };
    default:
      return { frame_type: 'unknown' };
  }
}
