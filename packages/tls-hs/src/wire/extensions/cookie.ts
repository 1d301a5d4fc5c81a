/** cookie (RFC 8446 §4.2.2): `opaque cookie<1..2^16-1>`, sent in HelloRetryRequest and echoed in the second ClientHello. */
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Parses the cookie (a view; decode_error when empty or mis-sized). */
export function parseCookie(data: Uint8Array): Uint8Array {
  const r = new TlsReader(data, 'cookie');
  const c = r.vec16('cookie', 1);
  r.expectEnd();
  return c;
}

/** Encodes a cookie. */
export function encodeCookie(cookie: Uint8Array): Uint8Array {
  return new TlsWriter(2 + cookie.length).vec16(cookie, 'cookie', 1).finish();
}
