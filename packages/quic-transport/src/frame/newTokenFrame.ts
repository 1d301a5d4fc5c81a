/** NEW_TOKEN (RFC 9000 §19.7): a token for the Initial packets of a future connection (server to client only). */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { FrameType } from './frameType.js';

/** A NEW_TOKEN frame. */
export interface NewTokenFrame {
  /** Frame type 0x07. */
  type: typeof FrameType.NEW_TOKEN;
  /** The opaque token (non-empty; a view when decoded). */
  token: Uint8Array;
}

/** Decodes a NEW_TOKEN body; an empty token is FRAME_ENCODING_ERROR. */
export function decodeNewTokenFrame(r: QuicReader): NewTokenFrame {
  const token = r.varintBytes('token');
  if (token.length === 0) r.fail('NEW_TOKEN with an empty token');
  return { type: FrameType.NEW_TOKEN, token };
}

/** Writes a NEW_TOKEN frame. */
export function encodeNewTokenFrame(w: QuicWriter, f: NewTokenFrame): void {
  w.u8(FrameType.NEW_TOKEN).varintBytes(f.token);
}
