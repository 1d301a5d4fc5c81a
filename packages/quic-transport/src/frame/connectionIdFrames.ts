/** NEW_CONNECTION_ID (RFC 9000 §19.15) and RETIRE_CONNECTION_ID (§19.16). */
import type { QuicReader } from './quicReader.js';
import type { QuicWriter } from './quicWriter.js';
import { QuicError, TransportErrorCode } from '../errors.js';
import { FrameType, MAX_CONNECTION_ID_LENGTH } from './frameType.js';

/** Length of a stateless reset token (RFC 9000 §10.3). */
export const STATELESS_RESET_TOKEN_LENGTH = 16;

/** NEW_CONNECTION_ID: a new connection ID for the peer to use, with its stateless reset token. */
export interface NewConnectionIdFrame {
  /** Frame type 0x18. */
  type: typeof FrameType.NEW_CONNECTION_ID;
  /** Sequence number of the connection ID. */
  sequenceNumber: number;
  /** Connection IDs with a lower sequence number must be retired (<= sequenceNumber). */
  retirePriorTo: number;
  /** The connection ID (1..20 bytes; a view when decoded). */
  connectionId: Uint8Array;
  /** The 16-byte stateless reset token (a view when decoded). */
  statelessResetToken: Uint8Array;
}

/** RETIRE_CONNECTION_ID: the sender will no longer use a connection ID the receiver issued. */
export interface RetireConnectionIdFrame {
  /** Frame type 0x19. */
  type: typeof FrameType.RETIRE_CONNECTION_ID;
  /** Sequence number of the connection ID being retired. */
  sequenceNumber: number;
}

/** Decodes a NEW_CONNECTION_ID body: length 1..20 and retire_prior_to <= sequence, else FRAME_ENCODING_ERROR. */
export function decodeNewConnectionIdFrame(r: QuicReader): NewConnectionIdFrame {
  const sequenceNumber = r.varint('sequence number');
  const retirePriorTo = r.varint('retire prior to');
  if (retirePriorTo > sequenceNumber) r.fail(`retire_prior_to ${retirePriorTo} > sequence number ${sequenceNumber}`);
  const len = r.u8();
  if (len < 1 || len > MAX_CONNECTION_ID_LENGTH) r.fail(`connection ID length ${len} outside 1..20`);
  const connectionId = r.bytes(len, 'connection id');
  const statelessResetToken = r.bytes(STATELESS_RESET_TOKEN_LENGTH, 'stateless reset token');
  return { type: FrameType.NEW_CONNECTION_ID, sequenceNumber, retirePriorTo, connectionId, statelessResetToken };
}

/** Writes a NEW_CONNECTION_ID frame; invalid fields are QuicError(INTERNAL_ERROR). */
export function encodeNewConnectionIdFrame(w: QuicWriter, f: NewConnectionIdFrame): void {
  const len = f.connectionId.length;
  if (len < 1 || len > MAX_CONNECTION_ID_LENGTH || f.statelessResetToken.length !== STATELESS_RESET_TOKEN_LENGTH) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'NEW_CONNECTION_ID with a bad connection ID or token length');
  }
  if (f.retirePriorTo > f.sequenceNumber) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'NEW_CONNECTION_ID retire_prior_to > sequence number');
  }
  w.u8(FrameType.NEW_CONNECTION_ID).varint(f.sequenceNumber).varint(f.retirePriorTo).u8(len);
  w.bytes(f.connectionId).bytes(f.statelessResetToken);
}

/** Decodes a RETIRE_CONNECTION_ID body. */
export function decodeRetireConnectionIdFrame(r: QuicReader): RetireConnectionIdFrame {
  return { type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: r.varint('sequence number') };
}

/** Writes a RETIRE_CONNECTION_ID frame. */
export function encodeRetireConnectionIdFrame(w: QuicWriter, f: RetireConnectionIdFrame): void {
  w.u8(FrameType.RETIRE_CONNECTION_ID).varint(f.sequenceNumber);
}
