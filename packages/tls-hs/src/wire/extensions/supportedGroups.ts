/** supported_groups (RFC 8446 §4.2.7): `NamedGroup named_group_list<2..2^16-1>`. */
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Parses supported_groups extension_data (decode_error when empty, odd or mis-sized). */
export function parseSupportedGroups(data: Uint8Array): number[] {
  return readU16List(data, 'supported_groups', 'named_group_list');
}

/** Encodes supported_groups extension_data. */
export function encodeSupportedGroups(groups: readonly number[]): Uint8Array {
  return writeU16List(groups, 'named_group_list');
}

/** Reads a whole extension_data that is one `uint16 list<2..2^16-2>` (shared by several extensions). */
export function readU16List(data: Uint8Array, what: string, field: string): number[] {
  const r = new TlsReader(data, what);
  const list = r.block16(field, 2, 0xfffe);
  r.expectEnd();
  if (list.remaining % 2 !== 0) list.bytes(list.remaining + 1, `${field} entry`);
  const out = new Array<number>(list.remaining / 2);
  for (let i = 0; i < out.length; i++) out[i] = list.u16();
  return out;
}

/** Writes a `uint16 list<2..2^16-2>` as a whole extension_data. */
export function writeU16List(values: readonly number[], field: string): Uint8Array {
  const w = new TlsWriter(2 + values.length * 2);
  w.block16((b) => { for (const v of values) b.u16(v, field); }, field, 2, 0xfffe);
  return w.finish();
}
