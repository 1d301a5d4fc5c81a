/** PATH_CHALLENGE (RFC 9000 §19.17) and PATH_RESPONSE (§19.18): 8 bytes of data each. */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { QuicError, TransportErrorCode } from '../errors.js';
import { FrameType } from './frameType.js';

/** Length of PATH_CHALLENGE / PATH_RESPONSE data. */
export const PATH_DATA_LENGTH = 8;

/** PATH_CHALLENGE or PATH_RESPONSE. */
export interface PathFrame {
  /** 0x1a (challenge) or 0x1b (response). */
  type: typeof FrameType.PATH_CHALLENGE | typeof FrameType.PATH_RESPONSE;
  /** The 8 data bytes (a view when decoded). */
  data: Uint8Array;
}

/** Decodes a PATH_CHALLENGE / PATH_RESPONSE body. */
export function decodePathFrame(r: QuicReader, type: number): PathFrame {
  return {
    type: type === FrameType.PATH_RESPONSE ? FrameType.PATH_RESPONSE : FrameType.PATH_CHALLENGE,
    data: r.bytes(PATH_DATA_LENGTH, 'path data'),
  };
}

/** Writes a PATH_CHALLENGE / PATH_RESPONSE frame; data must be 8 bytes (else QuicError INTERNAL_ERROR). */
export function encodePathFrame(w: QuicWriter, f: PathFrame): void {
  if (f.data.length !== PATH_DATA_LENGTH) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'path challenge/response data must be 8 bytes');
  }
  w.u8(f.type).bytes(f.data);
}
