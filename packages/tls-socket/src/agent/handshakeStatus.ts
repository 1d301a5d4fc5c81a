/**
 * The status a handshake request ends with, as in Linux's in-kernel TLS handshake API (a negative errno, Linux
 * numbering): 0 success; -EACCES the peer rejected the handshake or authentication failed; -ENOMEM a temporary
 * resource shortage; -EINVAL an invalid argument from the consumer; -ENOKEY missing authentication material; -EIO an
 * unexpected fault; plus -ETIMEDOUT when the request's time ran out. Also the mapping of failures to statuses.
 */
import { AlertDescription, TlsAlert } from '@quichs/tls-hs';

/** Statuses (negative errno values, Linux numbering) of the done callback and of the start functions. */
export const HandshakeStatus = {
  /** TLS session established. */
  OK: 0,
  /** An unexpected fault (protocol violation by the peer, socket error, connection lost). */
  EIO: -5,
  /** A temporary resource shortage (the agent's memory for handshakes in progress is used up). */
  ENOMEM: -12,
  /** The peer rejected the handshake, or authentication failed. */
  EACCES: -13,
  /** Start functions only: a request is already in progress on this socket. */
  EBUSY: -16,
  /** The consumer gave an invalid argument (wrong kind of key, a key and certificate that do not match…). */
  EINVAL: -22,
  /** The request's time ran out. */
  ETIMEDOUT: -110,
  /** Missing authentication material (a serial not in the request's keyring, no trust anchor, no PSK…). */
  ENOKEY: -126,
} as const;

/** One of {@link HandshakeStatus}. */
export type HandshakeStatusValue = (typeof HandshakeStatus)[keyof typeof HandshakeStatus];

const names = new Map<number, string>(Object.entries(HandshakeStatus).map(([k, v]) => [v, k]));

/** "EACCES" for -13, "OK" for 0. */
export function handshakeStatusName(status: number): string {
  return names.get(status) ?? `status ${status}`;
}

/** A request failure that already knows its status (bad arguments, missing keys, memory, cancellation). */
export class HandshakeRequestError extends Error {
  /** The status this failure reports. */
  readonly status: HandshakeStatusValue;
  constructor(status: HandshakeStatusValue, message: string, options?: { cause?: unknown }) {
    super(`${handshakeStatusName(status)}: ${message}`, options);
    this.name = 'HandshakeRequestError';
    this.status = status;
  }
}

/** Alerts we raise when the peer's credentials or its offer are not acceptable: authentication failed (EACCES). */
const REJECTIONS = new Set<number>([
  AlertDescription.handshake_failure,
  AlertDescription.bad_certificate,
  AlertDescription.unsupported_certificate,
  AlertDescription.certificate_revoked,
  AlertDescription.certificate_expired,
  AlertDescription.certificate_unknown,
  AlertDescription.unknown_ca,
  AlertDescription.access_denied,
  AlertDescription.decrypt_error,
  AlertDescription.protocol_version,
  AlertDescription.insufficient_security,
  AlertDescription.unrecognized_name,
  AlertDescription.unknown_psk_identity,
  AlertDescription.certificate_required,
  AlertDescription.no_application_protocol,
]);

/**
 * The status for what ended a request: any alert the peer sent → EACCES (it rejected us); an alert we raised →
 * EACCES for authentication and negotiation refusals, EIO for malformed or unexpected input; ETIMEDOUT for the timer;
 * anything else (socket errors, a closed connection) → EIO.
 */
export function statusOfFailure(error: unknown): HandshakeStatusValue {
  if (error instanceof HandshakeRequestError) return error.status;
  if (error instanceof TlsAlert) return error.remote || REJECTIONS.has(error.code) ? HandshakeStatus.EACCES : HandshakeStatus.EIO;
  if ((error as { code?: unknown } | null)?.code === 'ETIMEDOUT') return HandshakeStatus.ETIMEDOUT;
  return HandshakeStatus.EIO;
}
