/** EndOfEarlyData (RFC 8446 §4.5): an empty body. */
import { TlsAlert } from '../alerts.js';

/** Checks an EndOfEarlyData body, which must be empty (decode_error). */
export function parseEndOfEarlyData(body: Uint8Array): void {
  if (body.length !== 0) throw TlsAlert.of('decode_error', `EndOfEarlyData: ${body.length}-byte body`);
}

/** The (empty) EndOfEarlyData body. */
export function encodeEndOfEarlyData(): Uint8Array {
  return new Uint8Array(0);
}
