/** record_size_limit (RFC 8449 §4): `uint16 RecordSizeLimit`, at least 64. */
import { TlsAlert } from '../../alerts.js';
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Parses the limit; a value below 64 → `illegal_parameter` (RFC 8449 §4). */
export function parseRecordSizeLimit(data: Uint8Array): number {
  const r = new TlsReader(data, 'record_size_limit');
  const n = r.u16('RecordSizeLimit');
  r.expectEnd();
  if (n < 64) throw TlsAlert.of('illegal_parameter', `record_size_limit: ${n} is below 64`);
  return n;
}

/** Encodes the limit. */
export function encodeRecordSizeLimit(limit: number): Uint8Array {
  if (limit < 64) throw TlsAlert.of('internal_error', `record_size_limit: ${limit} is below 64`);
  return new TlsWriter(2).u16(limit, 'RecordSizeLimit').finish();
}
