/**
 * NewSessionTicket (RFC 8446 §4.6.1): `uint32 ticket_lifetime; uint32 ticket_age_add; opaque
 * ticket_nonce<0..255>; opaque ticket<1..2^16-1>; Extension extensions<0..2^16-2>`.
 */
import { TlsAlert } from '../alerts.js';
import { readExtensions, writeExtensions, type Extension } from './extensions/extensionList.js';
import { TlsReader } from './reader.js';
import { TlsWriter } from './writer.js';

/** Largest ticket_lifetime allowed: 7 days in seconds (RFC 8446 §4.6.1). */
export const MAX_TICKET_LIFETIME = 604800;

/** A decoded NewSessionTicket body. Byte fields are views into the parsed message. */
export interface NewSessionTicket {
  /** ticket_lifetime in seconds (≤ 604800). */
  readonly lifetime: number;
  /** ticket_age_add (uint32). */
  readonly ageAdd: number;
  /** ticket_nonce (0..255 bytes). */
  readonly nonce: Uint8Array;
  /** The opaque ticket (1..65535 bytes): the PSK identity to offer later. */
  readonly ticket: Uint8Array;
  /** Extensions (early_data with max_early_data_size; unknown ones are kept). */
  readonly extensions: readonly Extension[];
}

/** Parses a NewSessionTicket body: bad lengths → `decode_error`; lifetime > 7 days → `illegal_parameter`. */
export function parseNewSessionTicket(body: Uint8Array): NewSessionTicket {
  const r = new TlsReader(body, 'NewSessionTicket');
  const lifetime = r.u32('ticket_lifetime');
  const ageAdd = r.u32('ticket_age_add');
  const nonce = r.vec8('ticket_nonce');
  const ticket = r.vec16('ticket', 1);
  const extensions = readExtensions(r, 0, 0xfffe);
  r.expectEnd();
  if (lifetime > MAX_TICKET_LIFETIME) {
    throw TlsAlert.of('illegal_parameter', `NewSessionTicket: ticket_lifetime ${lifetime} exceeds ${MAX_TICKET_LIFETIME}`);
  }
  return { lifetime, ageAdd, nonce, ticket, extensions };
}

/** Encodes a NewSessionTicket body. */
export function encodeNewSessionTicket(t: NewSessionTicket): Uint8Array {
  if (t.lifetime > MAX_TICKET_LIFETIME) throw TlsAlert.of('internal_error', 'NewSessionTicket: lifetime too long');
  const w = new TlsWriter(16 + t.nonce.length + t.ticket.length);
  w.u32(t.lifetime, 'ticket_lifetime').u32(t.ageAdd, 'ticket_age_add');
  w.vec8(t.nonce, 'ticket_nonce').vec16(t.ticket, 'ticket', 1);
  writeExtensions(w, t.extensions);
  return w.finish();
}
