/** DATAGRAM (RFC 9221 §4): 0x30 (data to the end of the packet) or 0x31 (with a Length field). */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';

/** Type bit: Length field present (0x31). */
export const DATAGRAM_BIT_LEN = 0x01;

/** A DATAGRAM frame. */
export interface DatagramFrame {
  /** Always 0x30; the LEN bit is chosen by the encoder. */
  type: typeof FrameType.DATAGRAM;
  /** The datagram payload (a view when decoded). */
  data: Uint8Array;
}

/** Decodes a DATAGRAM body (`type` 0x30 or 0x31). */
export function decodeDatagramFrame(r: QuicReader, type: number): DatagramFrame {
  const length = type & DATAGRAM_BIT_LEN ? r.varint('datagram length') : r.remaining;
  return { type: FrameType.DATAGRAM, data: r.bytes(length, 'datagram data') };
}

/** Writes a DATAGRAM frame, with a Length field unless `withLength` is false (last frame of a packet only). */
export function encodeDatagramFrame(w: QuicWriter, f: DatagramFrame, withLength = true): void {
  if (withLength) w.u8(FrameType.DATAGRAM | DATAGRAM_BIT_LEN).varintBytes(f.data);
  else w.u8(FrameType.DATAGRAM).bytes(f.data);
}
