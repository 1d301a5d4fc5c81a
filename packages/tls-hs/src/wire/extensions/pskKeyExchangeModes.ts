/** psk_key_exchange_modes (RFC 8446 §4.2.9): `PskKeyExchangeMode ke_modes<1..255>`. */
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Parses the mode list (decode_error when empty). Unknown modes are kept; the engine ignores them. */
export function parsePskKeyExchangeModes(data: Uint8Array): number[] {
  const r = new TlsReader(data, 'psk_key_exchange_modes');
  const modes = r.vec8('ke_modes', 1);
  r.expectEnd();
  return Array.from(modes);
}

/** Encodes the mode list. */
export function encodePskKeyExchangeModes(modes: readonly number[]): Uint8Array {
  const w = new TlsWriter(1 + modes.length);
  w.block8((b) => { for (const m of modes) b.u8(m, 'ke_mode'); }, 'ke_modes', 1);
  return w.finish();
}
