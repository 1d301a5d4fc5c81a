/**
 * What one sent packet carried, as remembered until it is acknowledged or declared lost (RFC 9000 §13.3): the
 * retransmittable information is re-queued on loss, released on acknowledgment. Only what loss recovery needs is
 * kept — offsets and lengths, never payload bytes (those stay in the crypto and stream send buffers).
 */
import type { SentStreamFrame, StreamControlFrame } from '../stream/streamManager.js';

/** A range of a CRYPTO stream that went out in a packet. */
export interface SentCryptoRange {
  /** Offset in the level's crypto stream. */
  offset: number;
  /** Number of bytes. */
  length: number;
}

/** The retransmittable content of one sent packet. */
export interface SentFrames {
  /** Largest Acknowledged of the ACK frame in this packet (for RFC 9000 §13.2.4), or -1 without ACK. */
  ackLargest: number;
  /** CRYPTO ranges (of the packet's space). */
  crypto: SentCryptoRange[] | undefined;
  /** STREAM frames. */
  stream: SentStreamFrame[] | undefined;
  /** Stream and flow-control frames (MAX_DATA, RESET_STREAM, …). */
  control: StreamControlFrame[] | undefined;
  /** HANDSHAKE_DONE was in the packet. */
  handshakeDone: boolean;
  /** NEW_TOKEN token carried. */
  newToken: Uint8Array | undefined;
  /** Sequence numbers of NEW_CONNECTION_ID frames. */
  newConnectionIds: number[] | undefined;
  /** Sequence numbers of RETIRE_CONNECTION_ID frames. */
  retireConnectionIds: number[] | undefined;
  /** PATH_CHALLENGE data sent (retransmitted on loss while the path is still being validated). */
  pathChallenge: Uint8Array | undefined;
  /** CONNECTION_CLOSE was in the packet. */
  connectionClose: boolean;
  /** The packet was a 0-RTT packet (its frames are sent again in 1-RTT if the server rejects early data). */
  zeroRtt: boolean;
}

/** An empty record (one object per sent packet; the arrays are created only when used). */
export function newSentFrames(): SentFrames {
  return {
    ackLargest: -1,
    crypto: undefined,
    stream: undefined,
    control: undefined,
    handshakeDone: false,
    newToken: undefined,
    newConnectionIds: undefined,
    retireConnectionIds: undefined,
    pathChallenge: undefined,
    connectionClose: false,
    zeroRtt: false,
  };
}
