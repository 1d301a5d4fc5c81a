/** PADDING (RFC 9000 §19.1): a run of 0x00 bytes, decoded as one frame per run. */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';

/** A run of consecutive PADDING bytes. */
export interface PaddingFrame {
  /** Frame type 0x00. */
  type: typeof FrameType.PADDING;
  /** Number of PADDING bytes in the run (>= 1). */
  length: number;
}

/** Decodes a PADDING run; the reader is just past the first 0x00 byte. */
export function decodePaddingFrame(r: QuicReader): PaddingFrame {
  const buf = r.buf;
  const start = r.pos - 1;
  let p = r.pos;
  while (p < r.end && buf[p] === 0) p++;
  r.pos = p;
  return { type: FrameType.PADDING, length: p - start };
}

/** Writes `frame.length` PADDING bytes. */
export function encodePaddingFrame(w: QuicWriter, frame: PaddingFrame): void {
  w.zeros(frame.length);
}
