/** Finished (RFC 8446 §4.4.4): `opaque verify_data[Hash.length]`. */
import { TlsAlert } from '../alerts.js';

/** A decoded Finished body. */
export interface Finished {
  /** verify_data (a view into the message). */
  readonly verifyData: Uint8Array;
}

/** Parses a Finished body; its length must equal the negotiated hash length `hashLength` (decode_error). */
export function parseFinished(body: Uint8Array, hashLength: number): Finished {
  if (body.length !== hashLength) {
    throw TlsAlert.of('decode_error', `Finished: verify_data of ${body.length} bytes, expected ${hashLength}`);
  }
  return { verifyData: body };
}

/** Encodes a Finished body (the verify_data itself). */
export function encodeFinished(f: Finished): Uint8Array {
  return f.verifyData.slice();
}
