/** KeyUpdate (RFC 8446 §4.6.3): `KeyUpdateRequest request_update` (0 or 1). */
import { TlsAlert } from '../alerts.js';
import { TlsReader } from './reader.js';

/** A decoded KeyUpdate body. */
export interface KeyUpdate {
  /** True for update_requested (the peer must answer with its own KeyUpdate). */
  readonly updateRequested: boolean;
}

/** Parses a KeyUpdate body: wrong length → `decode_error`; a value other than 0/1 → `illegal_parameter`. */
export function parseKeyUpdate(body: Uint8Array): KeyUpdate {
  const r = new TlsReader(body, 'KeyUpdate');
  const v = r.u8('request_update');
  r.expectEnd();
  if (v > 1) throw TlsAlert.of('illegal_parameter', `KeyUpdate: request_update ${v}`);
  return { updateRequested: v === 1 };
}

/** Encodes a KeyUpdate body. */
export function encodeKeyUpdate(k: KeyUpdate): Uint8Array {
  return Uint8Array.of(k.updateRequested ? 1 : 0);
}
