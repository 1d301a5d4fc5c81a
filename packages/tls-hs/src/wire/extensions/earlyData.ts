/**
 * early_data (RFC 8446 §4.2.10): empty in ClientHello and EncryptedExtensions; `uint32 max_early_data_size` in
 * NewSessionTicket.
 */
import { TlsAlert } from '../../alerts.js';
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Checks the ClientHello/EncryptedExtensions form, which is empty (decode_error otherwise). */
export function parseEarlyDataIndication(data: Uint8Array): void {
  if (data.length !== 0) throw TlsAlert.of('decode_error', 'early_data: must be empty in ClientHello/EncryptedExtensions');
}

/** The empty ClientHello/EncryptedExtensions form. */
export function encodeEarlyDataIndication(): Uint8Array {
  return new Uint8Array(0);
}

/** Parses the NewSessionTicket form: max_early_data_size. */
export function parseMaxEarlyDataSize(data: Uint8Array): number {
  const r = new TlsReader(data, 'early_data');
  const n = r.u32('max_early_data_size');
  r.expectEnd();
  return n;
}

/** Encodes the NewSessionTicket form. */
export function encodeMaxEarlyDataSize(maxEarlyDataSize: number): Uint8Array {
  return new TlsWriter(4).u32(maxEarlyDataSize, 'max_early_data_size').finish();
}
