/**
 * key_share (RFC 8446 §4.2.8): ClientHello `KeyShareEntry client_shares<0..2^16-1>` (no group twice), ServerHello one
 * `KeyShareEntry server_share`, HelloRetryRequest `NamedGroup selected_group`.
 */
import { TlsAlert } from '../../alerts.js';
import { namedGroupName } from '../constants.js';
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** One KeyShareEntry: a NamedGroup and its key_exchange bytes (a view into the message). */
export interface KeyShareEntry {
  /** NamedGroup codepoint. */
  readonly group: number;
  /** key_exchange<1..2^16-1>. */
  readonly keyExchange: Uint8Array;
}

function readEntry(r: TlsReader): KeyShareEntry {
  const group = r.u16('group');
  const keyExchange = r.vec16('key_exchange', 1);
  return { group, keyExchange };
}

function writeEntry(w: TlsWriter, e: KeyShareEntry): void {
  w.u16(e.group, 'group').vec16(e.keyExchange, 'key_exchange', 1);
}

/** Parses the ClientHello form. A group offered twice → `illegal_parameter` (RFC 8446 §4.2.8). */
export function parseKeyShareClient(data: Uint8Array): KeyShareEntry[] {
  const r = new TlsReader(data, 'key_share');
  const list = r.block16('client_shares');
  r.expectEnd();
  const out: KeyShareEntry[] = [];
  while (!list.atEnd) {
    const e = readEntry(list);
    if (out.some((o) => o.group === e.group)) {
      throw TlsAlert.of('illegal_parameter', `key_share: group ${namedGroupName(e.group)} offered twice`);
    }
    out.push(e);
  }
  return out;
}

/** Encodes the ClientHello form. */
export function encodeKeyShareClient(entries: readonly KeyShareEntry[]): Uint8Array {
  const w = new TlsWriter(256);
  w.block16((l) => { for (const e of entries) writeEntry(l, e); }, 'client_shares');
  return w.finish();
}

/** Parses the ServerHello form (exactly one entry). */
export function parseKeyShareServer(data: Uint8Array): KeyShareEntry {
  const r = new TlsReader(data, 'key_share');
  const e = readEntry(r);
  r.expectEnd();
  return e;
}

/** Encodes the ServerHello form. */
export function encodeKeyShareServer(entry: KeyShareEntry): Uint8Array {
  const w = new TlsWriter(4 + entry.keyExchange.length);
  writeEntry(w, entry);
  return w.finish();
}

/** Parses the HelloRetryRequest form: the selected NamedGroup. */
export function parseKeyShareHelloRetryRequest(data: Uint8Array): number {
  const r = new TlsReader(data, 'key_share');
  const g = r.u16('selected_group');
  r.expectEnd();
  return g;
}

/** Encodes the HelloRetryRequest form. */
export function encodeKeyShareHelloRetryRequest(group: number): Uint8Array {
  return new TlsWriter(2).u16(group, 'selected_group').finish();
}
