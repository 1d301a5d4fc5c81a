/**
 * Ticket age (RFC 8446 §4.2.11.1, §8.3): the client sends `obfuscated_ticket_age = (age_ms + ticket_age_add) mod
 * 2^32`; the server removes the mask and compares the client's view of the age with its own (now − issue time).
 * A mismatch beyond the tolerance does not stop resumption, but 0-RTT is refused (freshness check of §8.3).
 */

/** The obfuscated ticket age a client sends for a ticket `ageMs` old. */
export function obfuscateTicketAge(ageMs: number, ageAdd: number): number {
  return (Math.max(0, Math.floor(ageMs)) + ageAdd) >>> 0;
}

/** The client's ticket age in ms recovered from obfuscated_ticket_age. */
export function clientTicketAge(obfuscatedAge: number, ageAdd: number): number {
  return (obfuscatedAge - ageAdd) >>> 0;
}

/**
 * True when the client's ticket age agrees with the server's (`now − issuedAt`) within `toleranceMs` either way
 * (clock skew and round-trip time).
 */
export function ticketAgeWithinWindow(obfuscatedAge: number, ageAdd: number, issuedAt: number, now: number, toleranceMs: number): boolean {
  const expected = now - issuedAt;
  return Math.abs(clientTicketAge(obfuscatedAge, ageAdd) - expected) <= toleranceMs;
}
