/**
 * The server's PSK choice (RFC 8446 §4.2.11): walk the offered identities in the client's order and take the first
 * one we know — an external PSK (list or callback) or one of our tickets (key accepted by the ticket-key callback,
 * authentic, not expired, same server name, accepted by the application's `acceptTicket` hook) — for which a suite
 * of the same hash can be chosen. Only the chosen
 * PSK's binder is checked (constant time; a mismatch is decrypt_error). Unknown, forged, expired or rotated-out
 * tickets are skipped, which ends in a full handshake when nothing else fits.
 */
import { TlsAlert } from '../alerts.js';
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { cipherSuiteByCode, type CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { earlySchedule, verifyBinderOf, type PskKind } from '../keyschedule/binder.js';
import type { KeySchedule } from '../keyschedule/keySchedule.js';
import type { OfferedPsks } from '../wire/extensions/preSharedKey.js';
import { lookupExternalPsk, type PskCallback, type ResolvedExternalPsk } from './externalPsk.js';
import { parseTicketState, type TicketState } from './sessionTicket.js';
import type { TicketKeyCallback } from './ticketKeyManager.js';
import { openTicket, ticketKeyName, ticketNonce } from './ticketSealer.js';

/**
 * What the server's `acceptTicket` hook is shown about one of its own tickets a client offers (it opened, is within
 * its lifetime and names the same server). QUIC uses it to refuse tickets of another QUIC version (RFC 9369 §5).
 */
export interface TicketOffer {
  /** The application data sealed into the ticket (`ticketAppData` when it was issued). */
  readonly appData: Uint8Array;
  /** ALPN protocol of the connection that issued it. */
  readonly alpn: string | undefined;
  /** Server name of that connection. */
  readonly serverName: string | undefined;
  /** True when it was issued on a QUIC connection. */
  readonly quic: boolean;
  /** When it was issued (ms, server clock). */
  readonly issuedAt: number;
  /** max_early_data_size it allows (0: no 0-RTT). */
  readonly maxEarlyDataSize: number;
}

/** A resumption ticket that opened. */
export interface AcceptedTicket {
  /** Its state. */
  readonly state: TicketState;
  /** Its unique id (the sealing nonce). */
  readonly id: Uint8Array;
  /** The ticket-key callback's answer. */
  readonly action: 'use' | 'renew';
}

/** The PSK the server goes with. */
export interface PskChoice {
  /** Index among the offered identities (selected_identity). */
  readonly index: number;
  /** The PSK. */
  readonly key: Uint8Array;
  /** Binder label. */
  readonly kind: PskKind;
  /** The suite to use (same hash as the PSK). */
  readonly suite: CipherSuiteParams;
  /** The client's binder for it. */
  readonly binder: Uint8Array;
  /** Its obfuscated_ticket_age. */
  readonly obfuscatedAge: number;
  /** Set for a resumption ticket. */
  readonly ticket?: AcceptedTicket;
  /** Set for an external PSK. */
  readonly external?: ResolvedExternalPsk;
}

/** Inputs of {@link selectPsk}. */
export interface PskSelectionInput {
  /** Crypto provider (ticket AEAD). */
  readonly provider: CryptoProvider;
  /** The offer. */
  readonly offered: OfferedPsks;
  /** Server suites, preference order. */
  readonly suites: readonly CipherSuiteParams[];
  /** Suites the client offers. */
  readonly clientSuites: readonly number[];
  /** After an HRR: the suite is fixed. */
  readonly fixedSuite: CipherSuiteParams | undefined;
  /** External PSKs. */
  readonly psks: readonly ResolvedExternalPsk[];
  /** External PSK lookup. */
  readonly pskCallback: PskCallback | undefined;
  /** Ticket keys; undefined when tickets cannot be checked (no clock). */
  readonly ticketKeys: TicketKeyCallback | undefined;
  /** Server clock. */
  readonly now: number | undefined;
  /** How far in the future an issue time may be (clock skew between servers), ms. */
  readonly tolerance: number;
  /** Server name of this ClientHello. */
  readonly serverName: string | undefined;
  /** Application hook: false ignores the ticket (as if unknown). */
  readonly acceptTicket?: ((offer: TicketOffer) => boolean) | undefined;
}

/** Opens one of our tickets; undefined when it is not one we accept now. */
function acceptTicket(input: PskSelectionInput, identity: Uint8Array): AcceptedTicket | undefined {
  const { ticketKeys, now } = input;
  const name = ticketKeyName(identity);
  if (ticketKeys === undefined || now === undefined || name === undefined) return undefined;
  const decision = ticketKeys(name.slice(), 'decrypt', now);
  if (decision === undefined || decision.action === 'reject') return undefined;
  const plain = openTicket(input.provider, decision.key, identity);
  if (plain === undefined) return undefined;
  let state: TicketState;
  try {
    state = parseTicketState(plain);
  } catch (e) {
    if (e instanceof TlsAlert) return undefined;
    throw e;
  }
  if (now - state.issuedAt > state.lifetime * 1000 || state.issuedAt - now > input.tolerance) return undefined;
  if ((state.serverName ?? '') !== (input.serverName ?? '')) return undefined;
  if (cipherSuiteByCode(state.suite) === undefined) return undefined;
  const hook = input.acceptTicket;
  if (hook !== undefined) {
    const offer: TicketOffer = {
      appData: state.appData,
      alpn: state.alpn,
      serverName: state.serverName,
      quic: state.quic,
      issuedAt: state.issuedAt,
      maxEarlyDataSize: state.maxEarlyDataSize,
    };
    if (!hook(offer)) return undefined;
  }
  return { state, id: ticketNonce(identity).slice(), action: decision.action };
}

function suiteFor(input: PskSelectionInput, hash: HashAlgorithm, prefer: number | undefined): CipherSuiteParams | undefined {
  if (input.fixedSuite !== undefined) return input.fixedSuite.hash === hash ? input.fixedSuite : undefined;
  const ok = (s: CipherSuiteParams) => s.hash === hash && input.clientSuites.includes(s.code);
  const own = input.suites.find((s) => s.code === prefer && ok(s));
  return own ?? input.suites.find(ok);
}

/** Picks a PSK (without checking its binder); undefined when none is usable. */
export function selectPsk(input: PskSelectionInput): PskChoice | undefined {
  const ids = input.offered.identities;
  for (let index = 0; index < ids.length; index++) {
    const { identity, obfuscatedTicketAge } = ids[index];
    const binder = input.offered.binders[index];
    const external = lookupExternalPsk(input.psks, input.pskCallback, identity);
    if (external !== undefined) {
      const suite = suiteFor(input, external.hash, undefined);
      if (suite !== undefined) return { index, key: external.key, kind: 'external', suite, binder, obfuscatedAge: obfuscatedTicketAge, external };
      continue;
    }
    const ticket = acceptTicket(input, identity);
    if (ticket === undefined) continue;
    const suite = suiteFor(input, cipherSuiteByCode(ticket.state.suite)!.hash, ticket.state.suite);
    if (suite !== undefined) return { index, key: ticket.state.psk, kind: 'resumption', suite, binder, obfuscatedAge: obfuscatedTicketAge, ticket };
  }
  return undefined;
}

/**
 * Checks the chosen PSK's binder over `truncatedHelloHash`; decrypt_error when it does not match. Returns the key
 * schedule at its early stage, for the handshake to go on with.
 */
export function checkPskBinder(provider: CryptoProvider, choice: PskChoice, truncatedHelloHash: Uint8Array): KeySchedule {
  const ks = earlySchedule(provider, choice.suite.hash, choice.key);
  if (!verifyBinderOf(provider, ks, choice.kind, truncatedHelloHash, choice.binder)) {
    throw TlsAlert.of('decrypt_error', `PSK binder of identity ${choice.index} does not verify`);
  }
  return ks;
}
