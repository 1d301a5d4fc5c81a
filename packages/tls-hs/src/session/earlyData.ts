/**
 * 0-RTT acceptance on the server (RFC 8446 §4.2.10, §8; RFC 9001 §4.6): early data is accepted only when it comes
 * with the first offered PSK, that PSK is one of our tickets allowing early data for this kind of connection, the
 * suite and ALPN are the ticket's, no HelloRetryRequest happened, the ticket age is fresh, the application's policy
 * agrees and the anti-replay record has not seen it. Any failure only refuses the early data.
 */
import type { TicketState } from './sessionTicket.js';
import { clientTicketAge, ticketAgeWithinWindow } from './ticketAge.js';
import { QUIC_MAX_EARLY_DATA } from './tlsSession.js';
import type { AntiReplay } from './antiReplay.js';

/**
 * Where 0-RTT stands: 'none' (not offered), 'offered' (client: sent, no answer yet), 'accepted', 'rejected'.
 */
export type EarlyDataStatus = 'none' | 'offered' | 'accepted' | 'rejected';

/** Why a server refused early data (the `earlyDataRejection` getter; useful in logs and tests). */
export type EarlyDataRejection =
  | 'hello-retry'
  | 'disabled'
  | 'not-first-psk'
  | 'external-psk'
  | 'ticket'
  | 'suite'
  | 'alpn'
  | 'age'
  | 'policy'
  | 'replay';

/** What the `acceptEarlyData` callback is shown. */
export interface EarlyDataOffer {
  /** The application data sealed into the ticket (`ticketAppData` when it was issued). */
  readonly appData: Uint8Array;
  /** ALPN protocol of the ticket (the same as this connection's, checked already). */
  readonly alpn: string | undefined;
  /** Server name of the ticket. */
  readonly serverName: string | undefined;
  /** The ticket age the client reports, in ms. */
  readonly ticketAge: number;
  /** max_early_data_size of the ticket. */
  readonly maxEarlyDataSize: number;
  /** True on a QUIC connection. */
  readonly quic: boolean;
}

/** Inputs of {@link decideEarlyData}. */
export interface EarlyDataContext {
  /** The server enabled 0-RTT (`earlyData`). */
  readonly enabled: boolean;
  /** A HelloRetryRequest was sent in this handshake. */
  readonly helloRetried: boolean;
  /** Index of the selected PSK among the offered ones. */
  readonly pskIndex: number;
  /** The ticket, when the selected PSK is one of ours (undefined for an external PSK). */
  readonly ticket: TicketState | undefined;
  /** The ticket's unique id. */
  readonly ticketId: Uint8Array | undefined;
  /** The binder of the selected PSK. */
  readonly binder: Uint8Array;
  /** obfuscated_ticket_age of the selected PSK. */
  readonly obfuscatedAge: number;
  /** Suite chosen for this handshake. */
  readonly suite: number;
  /** ALPN chosen for this handshake. */
  readonly alpn: string | undefined;
  /** QUIC mode. */
  readonly quic: boolean;
  /** Server clock (ms). */
  readonly now: number;
  /** Ticket age tolerance (ms). */
  readonly tolerance: number;
  /** Policy callback. */
  readonly accept: ((offer: EarlyDataOffer) => boolean) | undefined;
  /** Replay record. */
  readonly antiReplay: AntiReplay;
}

/** Decides on offered early data: undefined to accept, else why it is refused. */
export function decideEarlyData(c: EarlyDataContext): EarlyDataRejection | undefined {
  if (c.helloRetried) return 'hello-retry';
  if (!c.enabled) return 'disabled';
  if (c.pskIndex !== 0) return 'not-first-psk';
  const t = c.ticket;
  if (t === undefined || c.ticketId === undefined) return 'external-psk';
  if (t.quic !== c.quic || t.maxEarlyDataSize === 0 || (c.quic && t.maxEarlyDataSize !== QUIC_MAX_EARLY_DATA)) return 'ticket';
  if (t.suite !== c.suite) return 'suite';
  if (t.alpn !== c.alpn) return 'alpn';
  if (!ticketAgeWithinWindow(c.obfuscatedAge, t.ageAdd, t.issuedAt, c.now, c.tolerance)) return 'age';
  if (c.accept !== undefined) {
    const offer: EarlyDataOffer = {
      appData: t.appData,
      alpn: t.alpn,
      serverName: t.serverName,
      ticketAge: clientTicketAge(c.obfuscatedAge, t.ageAdd),
      maxEarlyDataSize: t.maxEarlyDataSize,
      quic: c.quic,
    };
    if (!c.accept(offer)) return 'policy';
  }
  const fresh = c.antiReplay.check({ binder: c.binder, ticketId: c.ticketId, ticketExpiresAt: t.issuedAt + t.lifetime * 1000 }, c.now);
  if (!fresh) return 'replay';
  return undefined;
}
