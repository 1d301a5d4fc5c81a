/**
 * application_layer_protocol_negotiation (RFC 7301 §3.1): `ProtocolName protocol_name_list<2..2^16-1>` with
 * `opaque ProtocolName<1..2^8-1>`. Protocol names are returned as binary strings (one char per byte, codes 0..255),
 * which is lossless for any byte sequence and readable for the usual ASCII names ("h3", "hq-interop").
 */
import { TlsAlert } from '../../alerts.js';
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** Parses a protocol_name_list (ClientHello form): non-empty list of non-empty names (decode_error otherwise). */
export function parseAlpn(data: Uint8Array): string[] {
  const r = new TlsReader(data, 'application_layer_protocol_negotiation');
  const list = r.block16('protocol_name_list', 2);
  r.expectEnd();
  const out: string[] = [];
  while (!list.atEnd) {
    const name = list.vec8('ProtocolName', 1);
    out.push(String.fromCharCode(...name));
  }
  return out;
}

/** Parses the server's selection (EncryptedExtensions): the list must hold exactly one name (decode_error). */
export function parseAlpnSelected(data: Uint8Array): string {
  const names = parseAlpn(data);
  if (names.length !== 1) {
    throw TlsAlert.of('decode_error', `application_layer_protocol_negotiation: server sent ${names.length} names`);
  }
  return names[0];
}

/** Encodes a protocol_name_list; names are binary strings (each char code must be ≤ 255). */
export function encodeAlpn(names: readonly string[]): Uint8Array {
  const w = new TlsWriter(64);
  w.block16(
    (l) => {
      for (const name of names) {
        l.block8((b) => { for (let i = 0; i < name.length; i++) b.u8(name.charCodeAt(i), 'ProtocolName byte'); }, 'ProtocolName', 1);
      }
    },
    'protocol_name_list',
    2,
  );
  return w.finish();
}
