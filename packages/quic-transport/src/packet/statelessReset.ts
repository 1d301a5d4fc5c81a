/** Stateless Reset (RFC 9000 §10.3): building one and recognising one by its trailing 16-byte token. */
import { QuicError, TransportErrorCode } from '../errors.js';
import { FIXED_BIT } from './packetHeader.js';

/** Length of a stateless reset token. */
export const STATELESS_RESET_TOKEN_SIZE = 16;
/** Smallest Stateless Reset: 5 unpredictable bytes (38 bits + 2 fixed bits) and the token (RFC 9000 §10.3). */
export const MIN_STATELESS_RESET_SIZE = 21;
/** Size above which we do not need to make a Stateless Reset larger (RFC 9000 §10.3: the 43-byte rule). */
export const MAX_STATELESS_RESET_SIZE = 43;

/**
 * Size of the Stateless Reset to send in answer to a packet of `receivedLength` bytes: one byte shorter than it
 * (which also prevents reset loops and amplification), capped at 43 bytes; 0 means "do not send" (the result
 * would be shorter than 21 bytes).
 */
export function statelessResetSize(receivedLength: number): number {
  const size = Math.min(receivedLength - 1, MAX_STATELESS_RESET_SIZE);
  return size < MIN_STATELESS_RESET_SIZE ? 0 : size;
}

/**
 * Builds a Stateless Reset: `unpredictable` (random bytes from the caller's RNG, at least 5) forms the start, with
 * the first byte's top bits forced to 01 (short header form, fixed bit set), followed by the token. The result is
 * `unpredictable.length + 16` bytes. Bad sizes are QuicError(INTERNAL_ERROR).
 */
export function buildStatelessReset(token: Uint8Array, unpredictable: Uint8Array): Uint8Array {
  if (token.length !== STATELESS_RESET_TOKEN_SIZE) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'stateless reset token must be 16 bytes');
  }
  if (unpredictable.length < MIN_STATELESS_RESET_SIZE - STATELESS_RESET_TOKEN_SIZE) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'a stateless reset needs at least 5 unpredictable bytes');
  }
  const out = new Uint8Array(unpredictable.length + STATELESS_RESET_TOKEN_SIZE);
  out.set(unpredictable);
  out[0] = (unpredictable[0] & 0x3f) | FIXED_BIT;
  out.set(token, unpredictable.length);
  return out;
}

/**
 * Compares the last 16 bytes of a datagram with each candidate token in constant time per token (RFC 9000 §10.3.1
 * requires not leaking the token through timing). Any header form is accepted, as the RFC demands. Returns the
 * matching token, or null (also for datagrams shorter than 21 bytes).
 */
export function matchStatelessReset(datagram: Uint8Array, tokens: Iterable<Uint8Array>): Uint8Array | null {
  const n = datagram.length;
  if (n < MIN_STATELESS_RESET_SIZE) return null;
  const base = n - STATELESS_RESET_TOKEN_SIZE;
  let found: Uint8Array | null = null;
  for (const token of tokens) {
    if (token.length !== STATELESS_RESET_TOKEN_SIZE) continue;
    let diff = 0;
    for (let i = 0; i < STATELESS_RESET_TOKEN_SIZE; i++) diff |= datagram[base + i] ^ token[i];
    if (diff === 0 && found === null) found = token;
  }
  return found;
}
