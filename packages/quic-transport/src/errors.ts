/** QUIC transport error codes (RFC 9000 §20.1). CRYPTO_ERROR is the range 0x0100–0x01ff: 0x0100 + TLS alert. */
export const TransportErrorCode = {
  NO_ERROR: 0x00,
  INTERNAL_ERROR: 0x01,
  CONNECTION_REFUSED: 0x02,
  FLOW_CONTROL_ERROR: 0x03,
  STREAM_LIMIT_ERROR: 0x04,
  STREAM_STATE_ERROR: 0x05,
  FINAL_SIZE_ERROR: 0x06,
  FRAME_ENCODING_ERROR: 0x07,
  TRANSPORT_PARAMETER_ERROR: 0x08,
  CONNECTION_ID_LIMIT_ERROR: 0x09,
  PROTOCOL_VIOLATION: 0x0a,
  INVALID_TOKEN: 0x0b,
  APPLICATION_ERROR: 0x0c,
  CRYPTO_BUFFER_EXCEEDED: 0x0d,
  KEY_UPDATE_ERROR: 0x0e,
  AEAD_LIMIT_REACHED: 0x0f,
  NO_VIABLE_PATH: 0x10,
  VERSION_NEGOTIATION_ERROR: 0x11, // RFC 9368 §4
  CRYPTO_ERROR: 0x0100,
} as const;

/** Name of a transport error code (CRYPTO_ERROR codes print as CRYPTO_ERROR(0x1nn)). */
export function transportErrorName(code: number): string {
  if (code >= 0x0100 && code <= 0x01ff) return `CRYPTO_ERROR(0x${code.toString(16)})`;
  for (const [name, value] of Object.entries(TransportErrorCode)) if (value === code) return name;
  return `0x${code.toString(16)}`;
}

/**
 * A QUIC connection error as a value: the transport error code for CONNECTION_CLOSE (type 0x1c), the frame type
 * that caused it (0 when unknown) and a reason phrase. `application` marks an application-level close (type 0x1d).
 */
export class QuicError extends Error {
  /** Transport (or application) error code. */
  readonly code: number;
  /** Frame type that triggered the error, or 0. */
  readonly frameType: number;
  /** True for an application error code (CONNECTION_CLOSE 0x1d). */
  readonly application: boolean;
  /** True when the peer closed with this error rather than us detecting it. */
  readonly remote: boolean;
  constructor(
    code: number,
    reason: string,
    options?: { frameType?: number; application?: boolean; remote?: boolean; cause?: unknown },
  ) {
    super(
      `${options?.application ? `application error ${code}` : transportErrorName(code)}: ${reason}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'QuicError';
    this.code = code;
    this.frameType = options?.frameType ?? 0;
    this.application = options?.application ?? false;
    this.remote = options?.remote ?? false;
  }
}

/**
 * Why a stream the client opened before the handshake completed was reset by the connection itself: the server
 * rejected 0-RTT and selected another application protocol (ALPN) than the resumed session's. RFC 9001 §4.6.2: when
 * 0-RTT is rejected, "all connection characteristics that the client assumed might be incorrect. This includes the
 * choice of application protocol" — so the 0-RTT bytes, written for the session's protocol, are not sent again
 * in 1-RTT (as they are when the protocol stayed the same). The stream was reset (RESET_STREAM, plus STOP_SENDING on a
 * bidirectional stream) with application error code `code` (0) so that the server closes it too. The application
 * sees it on the 'streamClosed' event (`error`) and as the error of the Node stream; open new streams for the
 * protocol the server selected (`handshakeCompleted.alpn`).
 */
export class ZeroRttRejectedError extends QuicError {
  /** The stream. */
  readonly streamId: number;
  /** The ALPN of the session the 0-RTT data was written for. */
  readonly sessionAlpn: string | undefined;
  /** The ALPN the server selected. */
  readonly alpn: string | undefined;
  constructor(streamId: number, errorCode: number, sessionAlpn: string | undefined, alpn: string | undefined) {
    super(
      errorCode,
      `stream ${streamId} reset: 0-RTT rejected and the server selected ALPN ${alpn === undefined ? 'none' : `"${alpn}"`} instead of ` +
        `the session's ${sessionAlpn === undefined ? 'none' : `"${sessionAlpn}"`}, so its 0-RTT data was not sent again (RFC 9001 §4.6.2)`,
      { application: true },
    );
    this.name = 'ZeroRttRejectedError';
    this.streamId = streamId;
    this.sessionAlpn = sessionAlpn;
    this.alpn = alpn;
  }
}
