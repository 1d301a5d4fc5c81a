/**
 * Stream identifiers (RFC 9000 §2.1).
 *
 * A stream ID is a 62-bit integer whose two least significant bits give the stream type: bit 0 is the initiator
 * (0 = client, 1 = server) and bit 1 the direction (0 = bidirectional, 1 = unidirectional). The remaining bits are the
 * stream's index among the streams of that type. IDs are handled as JS numbers: values above 2^53-1 cannot be
 * represented exactly and are rejected by {@link assertStreamId}; in practice a peer can only reach them by exceeding
 * the stream limits we advertise, which are far lower.
 */
import { QuicError, TransportErrorCode } from '../errors.js';

/** Which endpoint opened a stream, or which role this endpoint plays. */
export type EndpointRole = 'client' | 'server';

/** Stream direction: both endpoints send (`bidi`) or only the initiator sends (`uni`). */
export type StreamDirection = 'bidi' | 'uni';

/** Largest value a MAX_STREAMS frame or transport parameter may carry (RFC 9000 §4.6): 2^60. */
export const MAX_STREAMS_LIMIT = 2 ** 60;

/** Largest stream offset / final size a QUIC varint can express (RFC 9000 §4.5): 2^62-1. */
export const MAX_STREAM_OFFSET = 2 ** 62 - 1;

/**
 * Throws `FRAME_ENCODING_ERROR` unless `id` is a non-negative safe integer (see the module note on 2^53).
 * @param id candidate stream ID from a frame
 * @param frameType frame type to report in the error
 */
export function assertStreamId(id: number, frameType = 0): void {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new QuicError(TransportErrorCode.FRAME_ENCODING_ERROR, `stream ID ${id} is not representable`, {
      frameType,
    });
  }
}

/** The endpoint that initiated stream `id`. */
export function streamInitiator(id: number): EndpointRole {
  return id % 2 === 0 ? 'client' : 'server';
}

/** The direction of stream `id`. */
export function streamDirection(id: number): StreamDirection {
  return Math.floor(id / 2) % 2 === 0 ? 'bidi' : 'uni';
}

/** True for a bidirectional stream. */
export function isBidirectional(id: number): boolean {
  return streamDirection(id) === 'bidi';
}

/** True when stream `id` was opened by the endpoint playing `role`. */
export function isLocallyInitiated(id: number, role: EndpointRole): boolean {
  return streamInitiator(id) === role;
}

/** Index of stream `id` among the streams of its type (0 for the first one): `id >> 2` without 32-bit truncation. */
export function streamIndex(id: number): number {
  return Math.floor(id / 4);
}

/**
 * Builds the stream ID of the `index`-th stream (0-based) of the given initiator and direction.
 * @param index stream index, a non-negative integer below 2^51 so the ID stays exact
 */
export function makeStreamId(index: number, initiator: EndpointRole, direction: StreamDirection): number {
  return index * 4 + (direction === 'uni' ? 2 : 0) + (initiator === 'server' ? 1 : 0);
}

/** The next stream ID of the same type as `id`. */
export function nextStreamId(id: number): number {
  return id + 4;
}

/** True when the endpoint playing `role` may send data on stream `id` (it owns a send part). */
export function canSend(id: number, role: EndpointRole): boolean {
  return isBidirectional(id) || isLocallyInitiated(id, role);
}

/** True when the endpoint playing `role` may receive data on stream `id` (it owns a receive part). */
export function canReceive(id: number, role: EndpointRole): boolean {
  return isBidirectional(id) || !isLocallyInitiated(id, role);
}
