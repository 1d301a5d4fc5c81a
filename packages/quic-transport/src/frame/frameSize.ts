/** Encoded sizes of frame headers, for packing frames into a packet without trial encoding. */
import { varintSize } from './varint.js';

/** Bytes a CRYPTO frame needs beyond its data (type + offset + length fields). */
export function cryptoFrameOverhead(offset: number, length: number): number {
  return 1 + varintSize(offset) + varintSize(length);
}

/**
 * Bytes a STREAM frame needs beyond its data: type + stream ID + offset (omitted when 0) + length (omitted when
 * `withLength` is false).
 */
export function streamFrameOverhead(streamId: number, offset: number, length: number, withLength = true): number {
  return 1 + varintSize(streamId) + (offset > 0 ? varintSize(offset) : 0) + (withLength ? varintSize(length) : 0);
}

/** Bytes a DATAGRAM frame needs beyond its data (type + optional length). */
export function datagramFrameOverhead(length: number, withLength = true): number {
  return 1 + (withLength ? varintSize(length) : 0);
}
