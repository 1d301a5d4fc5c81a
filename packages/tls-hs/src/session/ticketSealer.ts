/**
 * Stateless ticket protection: `ticket = key_name(16) ‖ nonce(12) ‖ AES-256-GCM(secret, nonce, aad = key_name,
 * state)`. The key name tells the ticket-key callback which key to look up; the nonce is fresh per ticket (and is
 * the ticket's unique id for single-use anti-replay). Anything that fails to authenticate is simply not a ticket of
 * ours.
 */
import type { Aead, CryptoProvider } from '../crypto/provider.js';
import { CryptoError } from '../crypto/errors.js';
import { TICKET_KEY_NAME_LENGTH, type TicketKey } from './ticketKeyManager.js';

/** Nonce length of a sealed ticket. */
export const TICKET_NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
/** Shortest possible sealed ticket (name, nonce, tag, one byte). */
export const MIN_SEALED_TICKET_LENGTH = TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH + TAG_LENGTH + 1;

const aeads = new WeakMap<CryptoProvider, WeakMap<Uint8Array, Aead>>();

/** One AEAD context per (provider, key secret), created once and reused for every ticket. */
function aeadFor(provider: CryptoProvider, key: TicketKey): Aead {
  let byKey = aeads.get(provider);
  if (byKey === undefined) {
    byKey = new WeakMap();
    aeads.set(provider, byKey);
  }
  let a = byKey.get(key.secret);
  if (a === undefined) {
    a = provider.createAead('aes-256-gcm', key.secret);
    byKey.set(key.secret, a);
  }
  return a;
}

/** Seals ticket plaintext under `key` with a fresh 12-byte `nonce`. */
export function sealTicket(provider: CryptoProvider, key: TicketKey, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (nonce.length !== TICKET_NONCE_LENGTH) throw new RangeError('ticket nonce must be 12 bytes');
  const sealed = aeadFor(provider, key).seal(nonce, key.name, plaintext);
  const out = new Uint8Array(TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH + sealed.length);
  out.set(key.name);
  out.set(nonce, TICKET_KEY_NAME_LENGTH);
  out.set(sealed, TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH);
  return out;
}

/** The key name of something that may be a sealed ticket, or undefined when it is too short to be one. */
export function ticketKeyName(ticket: Uint8Array): Uint8Array | undefined {
  return ticket.length < MIN_SEALED_TICKET_LENGTH ? undefined : ticket.subarray(0, TICKET_KEY_NAME_LENGTH);
}

/** The per-ticket nonce (its unique id), for a ticket at least {@link MIN_SEALED_TICKET_LENGTH} long. */
export function ticketNonce(ticket: Uint8Array): Uint8Array {
  return ticket.subarray(TICKET_KEY_NAME_LENGTH, TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH);
}

/** Opens a sealed ticket with `key`; undefined when it does not authenticate (forged, corrupted or another key). */
export function openTicket(provider: CryptoProvider, key: TicketKey, ticket: Uint8Array): Uint8Array | undefined {
  if (ticket.length < MIN_SEALED_TICKET_LENGTH) return undefined;
  try {
    return aeadFor(provider, key).open(ticketNonce(ticket), ticket.subarray(0, TICKET_KEY_NAME_LENGTH),
      ticket.subarray(TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH));
  } catch (e) {
    if (e instanceof CryptoError) return undefined;
    throw e;
  }
}
