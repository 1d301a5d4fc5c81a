/** CRYPTO (RFC 9000 §19.6): handshake bytes at an offset of the level's crypto stream. Data is a view, not a copy. */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';
import { VARINT_MAX } from './varint.js';

/** A CRYPTO frame. */
export interface CryptoFrame {
  /** Frame type 0x06. */
  type: typeof FrameType.CRYPTO;
  /** Byte offset in the crypto stream of this encryption level. */
  offset: number;
  /** The crypto data (a subarray of the packet payload when decoded). */
  data: Uint8Array;
}

/** Decodes a CRYPTO body; offset + length beyond 2^53-1 (and so beyond 2^62-1) is FRAME_ENCODING_ERROR. */
export function decodeCryptoFrame(r: QuicReader): CryptoFrame {
  const offset = r.varint('crypto offset');
  const length = r.varint('crypto length');
  if (offset + length > VARINT_MAX) r.fail('CRYPTO offset + length exceeds the supported maximum');
  return { type: FrameType.CRYPTO, offset, data: r.bytes(length, 'crypto data') };
}

/** Writes a CRYPTO frame. */
export function encodeCryptoFrame(w: QuicWriter, f: CryptoFrame): void {
  w.u8(FrameType.CRYPTO).varint(f.offset).varintBytes(f.data);
}

