/**
 * TLS alerts (RFC 8446 §6). Every malformed or unacceptable input to the engine becomes a {@link TlsAlert};
 * no other exception escapes `handshake()`.
 */

/** AlertDescription codepoints (RFC 8446 §6, RFC 7301 §3.2, RFC 6066 §3). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;

/** Name of an alert, e.g. "decode_error". */
export type AlertName = keyof typeof AlertDescription;

const namesByCode = new Map<number, AlertName>(
  (Object.entries(AlertDescription) as [AlertName, number][]).map(([name, code]) => [code, name]),
);

/** The name of an alert code, or `alert_<n>` for a code this table does not know. */
export function alertName(code: number): string {
  return namesByCode.get(code) ?? `alert_${code}`;
}

/**
 * A TLS alert as an error value: the alert number (`code`) for the wire — or, in QUIC, for CONNECTION_CLOSE
 * 0x0100 + code — and a human reason. `remote` is true when the peer sent the alert to us.
 */
export class TlsAlert extends Error {
  /** The alert description number. */
  readonly code: number;
  /** The alert's name (e.g. "bad_certificate"). */
  readonly alert: string;
  /** True when the alert was received from the peer rather than raised locally. */
  readonly remote: boolean;
  /**
   * QUIC only: a transport error code to close the connection with instead of CRYPTO_ERROR 0x0100 + code, for the
   * cases RFC 9001 makes transport errors (e.g. PROTOCOL_VIOLATION 0x0a for a bad NewSessionTicket, §4.6.1).
   */
  readonly quicTransportError: number | undefined;
  constructor(code: number, reason: string, options?: { remote?: boolean; cause?: unknown; quicTransportError?: number }) {
    super(`${alertName(code)}(${code}): ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlsAlert';
    this.code = code;
    this.alert = alertName(code);
    this.remote = options?.remote ?? false;
    this.quicTransportError = options?.quicTransportError;
  }

  /** Builds an alert from its name. */
  static of(name: AlertName, reason: string, cause?: unknown): TlsAlert {
    return new TlsAlert(AlertDescription[name], reason, cause === undefined ? undefined : { cause });
  }
}
