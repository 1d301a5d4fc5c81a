/**
 * HTTP/3 (RFC 9114 §8.1) and QPACK (RFC 9204 §6) application error codes, and the error value that carries them.
 */
import { QuicError } from '@quichs/quic-transport';

/** HTTP/3 and QPACK error codes, used in CONNECTION_CLOSE (type 0x1d), RESET_STREAM and STOP_SENDING. */
export const H3ErrorCode = {
  H3_NO_ERROR: 0x100,
  H3_GENERAL_PROTOCOL_ERROR: 0x101,
  H3_INTERNAL_ERROR: 0x102,
  H3_STREAM_CREATION_ERROR: 0x103,
  H3_CLOSED_CRITICAL_STREAM: 0x104,
  H3_FRAME_UNEXPECTED: 0x105,
  H3_FRAME_ERROR: 0x106,
  H3_EXCESSIVE_LOAD: 0x107,
  H3_ID_ERROR: 0x108,
  H3_SETTINGS_ERROR: 0x109,
  H3_MISSING_SETTINGS: 0x10a,
  H3_REQUEST_REJECTED: 0x10b,
  H3_REQUEST_CANCELLED: 0x10c,
  H3_REQUEST_INCOMPLETE: 0x10d,
  H3_MESSAGE_ERROR: 0x10e,
  H3_CONNECT_ERROR: 0x10f,
  H3_VERSION_FALLBACK: 0x110,
  QPACK_DECOMPRESSION_FAILED: 0x200,
  QPACK_ENCODER_STREAM_ERROR: 0x201,
  QPACK_DECODER_STREAM_ERROR: 0x202,
} as const;

/** One of the {@link H3ErrorCode} values. */
export type H3ErrorCodeValue = (typeof H3ErrorCode)[keyof typeof H3ErrorCode];

/** Name of an HTTP/3 or QPACK error code; unknown codes (including reserved 0x1f*N+0x21 ones) print in hex. */
export function h3ErrorName(code: number): string {
  for (const [name, value] of Object.entries(H3ErrorCode)) if (value === code) return name;
  return `0x${code.toString(16)}`;
}

/**
 * An HTTP/3 error as a value. It is a {@link QuicError} with `application` set, so a transport can turn a
 * connection-scoped one straight into CONNECTION_CLOSE (type 0x1d). `streamId` is set for stream errors
 * (RFC 9114 §8: the stream is reset / reading is aborted with `code`, the connection survives).
 */
export class H3Error extends QuicError {
  /** The stream a stream error applies to; undefined for a connection error. */
  readonly streamId: number | undefined;
  constructor(code: number, reason: string, options?: { streamId?: number; remote?: boolean; cause?: unknown }) {
    super(code, `${h3ErrorName(code)}: ${reason}`, {
      application: true,
      remote: options?.remote ?? false,
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'H3Error';
    this.streamId = options?.streamId;
  }

  /** True when the error affects only one stream (RFC 9114 §8 "stream error"). */
  get isStreamError(): boolean {
    return this.streamId !== undefined;
  }
}
