/**
 * supported_versions (RFC 8446 §4.2.1): the ClientHello carries `ProtocolVersion versions<2..254>`, the
 * ServerHello/HelloRetryRequest one `selected_version`.
 */
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Parses the ClientHello form (a list of versions; decode_error for empty/odd/overlong). */
export function parseSupportedVersionsClient(data: Uint8Array): number[] {
  const r = new TlsReader(data, 'supported_versions');
  const list = r.block8('versions', 2, 254);
  r.expectEnd();
  if (list.remaining % 2 !== 0) list.bytes(list.remaining + 1, 'version');
  const out: number[] = [];
  while (!list.atEnd) out.push(list.u16());
  return out;
}

/** Encodes the ClientHello form. */
export function encodeSupportedVersionsClient(versions: readonly number[]): Uint8Array {
  const w = new TlsWriter(1 + versions.length * 2);
  w.block8((b) => { for (const v of versions) b.u16(v, 'version'); }, 'versions', 2, 254);
  return w.finish();
}

/** Parses the ServerHello/HRR form (exactly one uint16). */
export function parseSupportedVersionsServer(data: Uint8Array): number {
  const r = new TlsReader(data, 'supported_versions');
  const v = r.u16('selected_version');
  r.expectEnd();
  return v;
}

/** Encodes the ServerHello/HRR form. */
export function encodeSupportedVersionsServer(version: number): Uint8Array {
  return new TlsWriter(2).u16(version, 'selected_version').finish();
}
