/**
 * pre_shared_key (RFC 8446 §4.2.11): ClientHello `OfferedPsks { PskIdentity identities<7..2^16-1>;
 * PskBinderEntry binders<33..2^16-1> }`, ServerHello `uint16 selected_identity`; plus the binder helpers of
 * §4.2.11.2 that work on an encoded ClientHello message.
 */
import { TlsAlert } from '../../alerts.js';
import { ExtensionType, HandshakeType } from '../constants.js';
import { TlsReader } from '../reader.js';
import { TlsWriter } from '../writer.js';

/** One offered PSK identity. */
export interface PskIdentity {
  /** identity<1..2^16-1> (a ticket or an external PSK identity). */
  readonly identity: Uint8Array;
  /** obfuscated_ticket_age (uint32; 0 for external PSKs). */
  readonly obfuscatedTicketAge: number;
}

/** The ClientHello form of pre_shared_key. */
export interface OfferedPsks {
  /** The identities, in preference order. */
  readonly identities: readonly PskIdentity[];
  /** One binder (32..255 bytes) per identity, same order. */
  readonly binders: readonly Uint8Array[];
}

/**
 * Parses the ClientHello form. Bad lengths → `decode_error`; a number of binders different from the number of
 * identities → `illegal_parameter`.
 */
export function parsePreSharedKeyClient(data: Uint8Array): OfferedPsks {
  const r = new TlsReader(data, 'pre_shared_key');
  const ids = r.block16('identities', 7);
  const identities: PskIdentity[] = [];
  while (!ids.atEnd) {
    const identity = ids.vec16('identity', 1);
    identities.push({ identity, obfuscatedTicketAge: ids.u32('obfuscated_ticket_age') });
  }
  const bs = r.block16('binders', 33);
  r.expectEnd();
  const binders: Uint8Array[] = [];
  while (!bs.atEnd) binders.push(bs.vec8('PskBinderEntry', 32));
  if (binders.length !== identities.length) {
    throw TlsAlert.of('illegal_parameter', `pre_shared_key: ${identities.length} identities but ${binders.length} binders`);
  }
  return { identities, binders };
}

/** Encodes the ClientHello form (use zero-filled binders of the right lengths before the binders are known). */
export function encodePreSharedKeyClient(psks: OfferedPsks): Uint8Array {
  if (psks.identities.length !== psks.binders.length) {
    throw TlsAlert.of('internal_error', 'pre_shared_key: identities and binders differ in number');
  }
  const w = new TlsWriter(128);
  w.block16(
    (l) => { for (const i of psks.identities) l.vec16(i.identity, 'identity', 1).u32(i.obfuscatedTicketAge, 'obfuscated_ticket_age'); },
    'identities',
    7,
  );
  w.block16((l) => { for (const b of psks.binders) l.vec8(b, 'PskBinderEntry', 32); }, 'binders', 33);
  return w.finish();
}

/** Parses the ServerHello form: selected_identity. */
export function parsePreSharedKeyServer(data: Uint8Array): number {
  const r = new TlsReader(data, 'pre_shared_key');
  const n = r.u16('selected_identity');
  r.expectEnd();
  return n;
}

/** Encodes the ServerHello form. */
export function encodePreSharedKeyServer(selectedIdentity: number): Uint8Array {
  return new TlsWriter(2).u16(selectedIdentity, 'selected_identity').finish();
}

/** Length in bytes of the binders field (2-byte length prefix included) for binders of the given lengths. */
export function bindersLength(binderLengths: readonly number[]): number {
  let n = 2;
  for (const l of binderLengths) n += 1 + l;
  return n;
}

/** Locates the binders field of an encoded ClientHello; returns [offset of its length prefix, end]. */
function locateBinders(clientHello: Uint8Array): [number, number] {
  const r = new TlsReader(clientHello, 'ClientHello');
  if (r.u8('msg_type') !== HandshakeType.client_hello) {
    throw TlsAlert.of('internal_error', 'pre_shared_key binders: not a ClientHello message');
  }
  const body = r.block24('body');
  r.expectEnd();
  body.u16('legacy_version');
  body.bytes(32, 'random');
  body.vec8('legacy_session_id');
  body.vec16('cipher_suites');
  body.vec8('legacy_compression_methods');
  const exts = body.block16('extensions');
  body.expectEnd();
  let last = -1;
  let dataStart = 0;
  let dataEnd = 0;
  while (!exts.atEnd) {
    last = exts.u16('extension type');
    const d = exts.block16('extension_data');
    dataStart = d.offset;
    dataEnd = dataStart + d.remaining;
    d.rest();
  }
  if (last !== ExtensionType.pre_shared_key) {
    throw TlsAlert.of('illegal_parameter', 'ClientHello: pre_shared_key is not the last extension');
  }
  const psk = new TlsReader(clientHello, 'pre_shared_key', dataStart, dataEnd);
  psk.block16('identities', 7);
  const at = psk.offset;
  psk.block16('binders', 33);
  psk.expectEnd();
  return [at, dataEnd];
}

/**
 * Length of the encoded ClientHello message (`clientHello` = header + body) truncated before the binders field:
 * the prefix over which binders are computed (RFC 8446 §4.2.11.2, "up to and including the
 * PreSharedKeyExtension.identities field").
 */
export function truncatedClientHelloLength(clientHello: Uint8Array): number {
  return locateBinders(clientHello)[0];
}

/**
 * Writes `binders` into the binders field of an encoded ClientHello message, in place, and returns the same
 * buffer. The new binders must have exactly the lengths of the placeholders already there (internal_error).
 */
export function rewriteBinders(clientHello: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  const [at, end] = locateBinders(clientHello);
  if (bindersLength(binders.map((b) => b.length)) !== end - at) {
    throw TlsAlert.of('internal_error', 'pre_shared_key: replacement binders do not match the placeholder lengths');
  }
  let p = at + 2;
  for (const b of binders) {
    if (clientHello[p] !== b.length) {
      throw TlsAlert.of('internal_error', 'pre_shared_key: replacement binder length differs from the placeholder');
    }
    clientHello.set(b, p + 1);
    p += 1 + b.length;
  }
  return clientHello;
}
