/**
 * certificate_authorities (RFC 8446 §4.2.4): `DistinguishedName authorities<3..2^16-1>` with
 * `opaque DistinguishedName<1..2^16-1>` (DER-encoded X.501 names, returned undecoded).
 */
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Parses the list of DER distinguished names (views into the message). */
export function parseCertificateAuthorities(data: Uint8Array): Uint8Array[] {
  const r = new TlsReader(data, 'certificate_authorities');
  const list = r.block16('authorities', 3);
  r.expectEnd();
  const out: Uint8Array[] = [];
  while (!list.atEnd) out.push(list.vec16('DistinguishedName', 1));
  return out;
}

/** Encodes a list of DER distinguished names. */
export function encodeCertificateAuthorities(names: readonly Uint8Array[]): Uint8Array {
  const w = new TlsWriter(256);
  w.block16((l) => { for (const n of names) l.vec16(n, 'DistinguishedName', 1); }, 'authorities', 3);
  return w.finish();
}
