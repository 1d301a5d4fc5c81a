/**
 * server_name (RFC 6066 §3): the ClientHello carries a ServerNameList with exactly one host_name; the server
 * acknowledges in EncryptedExtensions with empty extension_data.
 */
import { TlsAlert } from '../../alerts.js';
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** NameType host_name. */
export const NAME_TYPE_HOST_NAME = 0;

/**
 * True for a DNS host name as RFC 6066 allows it in SNI: ASCII letters, digits, hyphens, underscores (seen in real
 * host names, accepted by common servers) and dots, labels of 1..63 characters not starting or ending with a hyphen,
 * at most 253 characters in total, no trailing dot, and not an IPv4 literal (RFC 6066: "Literal IPv4 and IPv6
 * addresses are not permitted").
 */
export function isValidSniHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.charCodeAt(0) === 0x2d || label.charCodeAt(label.length - 1) === 0x2d) return false;
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
      if (!ok) return false;
    }
  }
  return !labels.every((l) => /^[0-9]+$/.test(l)) || labels.length !== 4;
}

/**
 * Parses the ClientHello's server_name extension_data strictly and returns the host name. Everything malformed is
 * `decode_error` (RFC 8446 §6: a field out of its specified range): bad lengths or trailing bytes, an empty list, a
 * name type other than host_name, more than one entry (RFC 6066 §3 allows one host_name; like OpenSSL we know no
 * other name type), an empty name, and a name RFC 6066 does not allow — not ASCII, a NUL, a trailing dot, an IP
 * literal, or not a host name at all.
 */
export function parseServerName(data: Uint8Array): string {
  const r = new TlsReader(data, 'server_name');
  const list = r.block16('server_name_list', 1);
  r.expectEnd();
  const nameType = list.u8('name_type');
  if (nameType !== NAME_TYPE_HOST_NAME) {
    throw TlsAlert.of('decode_error', `server_name: unsupported name_type ${nameType}`);
  }
  const host = list.vec16('host_name');
  if (!list.atEnd) throw TlsAlert.of('decode_error', 'server_name: more than one entry in server_name_list');
  if (host.length === 0) throw TlsAlert.of('decode_error', 'server_name: empty host_name');
  let name = '';
  for (let i = 0; i < host.length; i++) {
    if (host[i] >= 0x80 || host[i] === 0) throw TlsAlert.of('decode_error', 'server_name: host_name is not ASCII');
    name += String.fromCharCode(host[i]);
  }
  if (name.endsWith('.')) throw TlsAlert.of('decode_error', 'server_name: host_name with a trailing dot');
  if (!isValidSniHostName(name)) {
    throw TlsAlert.of('decode_error', `server_name: "${name}" is not a valid host name`);
  }
  return name;
}

/**
 * Encodes a host name as the ClientHello's server_name extension_data. Names that RFC 6066 forbids (IP literals,
 * non-LDH) raise `internal_error`; a trailing dot is removed first.
 */
export function encodeServerName(hostName: string): Uint8Array {
  const name = hostName.endsWith('.') ? hostName.slice(0, -1) : hostName;
  if (!isValidSniHostName(name)) throw TlsAlert.of('internal_error', `server_name: "${hostName}" is not a host name`);
  const w = new TlsWriter(name.length + 8);
  w.block16((l) => {
    l.u8(NAME_TYPE_HOST_NAME);
    l.u16(name.length);
    for (let i = 0; i < name.length; i++) l.u8(name.charCodeAt(i));
  });
  return w.finish();
}

/** Checks the server's acknowledgement (EncryptedExtensions server_name), which must be empty (decode_error). */
export function parseServerNameAck(data: Uint8Array): void {
  if (data.length !== 0) throw TlsAlert.of('decode_error', 'server_name: the server acknowledgement must be empty');
}
