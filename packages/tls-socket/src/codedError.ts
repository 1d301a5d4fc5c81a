/**
 * Socket-level errors of tls-socket carry a Node-style `code` (ETIMEDOUT, ECONNRESET, EPIPE…), as node:net's do; TLS
 * failures are {@link https://www.rfc-editor.org/rfc/rfc8446#section-6 | alerts} (TlsAlert) instead.
 */

/** An Error with a Node-style `code` (e.g. ETIMEDOUT). */
export interface CodedError extends Error {
  /** Node-style code. */
  code: string;
}

/** Makes a {@link CodedError}. */
export function codedError(code: string, message: string): CodedError {
  const e = new Error(message) as CodedError;
  e.code = code;
  return e;
}
