/** Frame type codepoints (RFC 9000 §19 / §12.4 Table 3, RFC 9221 §4). */
export const FrameType = {
  PADDING: 0x00,
  PING: 0x01,
  ACK: 0x02,
  ACK_ECN: 0x03,
  RESET_STREAM: 0x04,
  STOP_SENDING: 0x05,
  CRYPTO: 0x06,
  NEW_TOKEN: 0x07,
  /** STREAM is 0x08-0x0f: bit 0x04 OFF, 0x02 LEN, 0x01 FIN. Decoded frames always carry 0x08 as `type`. */
  STREAM: 0x08,
  MAX_DATA: 0x10,
  MAX_STREAM_DATA: 0x11,
  MAX_STREAMS_BIDI: 0x12,
  MAX_STREAMS_UNI: 0x13,
  DATA_BLOCKED: 0x14,
  STREAM_DATA_BLOCKED: 0x15,
  STREAMS_BLOCKED_BIDI: 0x16,
  STREAMS_BLOCKED_UNI: 0x17,
  NEW_CONNECTION_ID: 0x18,
  RETIRE_CONNECTION_ID: 0x19,
  PATH_CHALLENGE: 0x1a,
  PATH_RESPONSE: 0x1b,
  /** CONNECTION_CLOSE carrying a transport error (0x1c). */
  CONNECTION_CLOSE: 0x1c,
  /** CONNECTION_CLOSE carrying an application error (0x1d). */
  CONNECTION_CLOSE_APP: 0x1d,
  HANDSHAKE_DONE: 0x1e,
  /** DATAGRAM is 0x30 (no length) / 0x31 (with length). Decoded frames always carry 0x30 as `type`. */
  DATAGRAM: 0x30,
} as const;

/** One of the {@link FrameType} values. */
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

/** Name of a frame type for messages ("STREAM", "ACK_ECN", or hex for unknown types). */
export function frameTypeName(type: number): string {
  if (type >= 0x08 && type <= 0x0f) return 'STREAM';
  if (type === 0x31) return 'DATAGRAM';
  for (const [name, value] of Object.entries(FrameType)) if (value === type) return name;
  return `0x${type.toString(16)}`;
}

/** Largest connection ID length in QUIC v1/v2 (RFC 9000 §17.2). */
export const MAX_CONNECTION_ID_LENGTH = 20;
