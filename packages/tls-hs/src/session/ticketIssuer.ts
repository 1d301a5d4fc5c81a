/**
 * NewSessionTicket issuance on the server (RFC 8446 §4.6.1): each ticket gets a fresh nonce (a per-connection
 * counter), a random ticket_age_add, the configured lifetime and, when 0-RTT is on, an early_data extension with
 * max_early_data_size (0xffffffff in QUIC, RFC 9001 §4.6.1). Its PSK is derived from the resumption master secret and
 * the nonce, sealed with the rest of the state under the key the ticket-key callback gives for 'encrypt'.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { resumptionPsk } from '../keyschedule/exporter.js';
import { ExtensionType } from '../wire/constants.js';
import { encodeMaxEarlyDataSize } from '../wire/extensions/earlyData.js';
import type { NewSessionTicket } from '../wire/newSessionTicket.js';
import { encodeTicketState } from './sessionTicket.js';
import type { TicketKeyCallback } from './ticketKeyManager.js';
import { sealTicket, TICKET_NONCE_LENGTH } from './ticketSealer.js';
import { QUIC_MAX_EARLY_DATA } from './tlsSession.js';

/** The connection facts a ticket records. */
export interface TicketContext {
  /** Provider. */
  readonly provider: CryptoProvider;
  /** RNG. */
  readonly random: (length: number) => Uint8Array;
  /** Ticket keys. */
  readonly ticketKeys: TicketKeyCallback;
  /** Suite of the connection. */
  readonly suite: CipherSuiteParams;
  /** resumption_master_secret. */
  readonly resumptionMasterSecret: Uint8Array;
  /** Server clock (ms). */
  readonly now: number;
  /** ticket_lifetime (s). */
  readonly lifetime: number;
  /** max_early_data_size to allow (0: no 0-RTT; QUIC replaces any non-zero value by 0xffffffff). */
  readonly maxEarlyData: number;
  /** QUIC mode. */
  readonly quic: boolean;
  /** ALPN. */
  readonly alpn: string | undefined;
  /** Server name. */
  readonly serverName: string | undefined;
  /** Application data. */
  readonly appData: Uint8Array;
  /** Client leaf certificate. */
  readonly peerCertificate: Uint8Array | undefined;
}

/** ticket_nonce for the n-th ticket of a connection: n big-endian in as few bytes as it needs (at least one). */
export function ticketNonceFor(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return Uint8Array.from(bytes);
}

function u32(random: (n: number) => Uint8Array): number {
  const b = random(4);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** Builds the `n`-th NewSessionTicket of the connection, or undefined when the callback refuses to seal one. */
export function issueTicket(c: TicketContext, n: number): NewSessionTicket | undefined {
  const decision = c.ticketKeys(undefined, 'encrypt', c.now);
  if (decision === undefined || decision.action === 'reject') return undefined;
  const nonce = ticketNonceFor(n);
  const ageAdd = u32(c.random);
  const maxEarly = c.maxEarlyData === 0 ? 0 : c.quic ? QUIC_MAX_EARLY_DATA : c.maxEarlyData;
  const state = encodeTicketState({
    suite: c.suite.code,
    issuedAt: c.now,
    lifetime: c.lifetime,
    ageAdd,
    maxEarlyDataSize: maxEarly,
    quic: c.quic,
    psk: resumptionPsk(c.provider, c.suite.hash, c.resumptionMasterSecret, nonce),
    alpn: c.alpn,
    serverName: c.serverName,
    appData: c.appData,
    peerCertificate: c.peerCertificate,
  });
  const ticket = sealTicket(c.provider, decision.key, c.random(TICKET_NONCE_LENGTH), state);
  const extensions = maxEarly === 0 ? [] : [{ type: ExtensionType.early_data, data: encodeMaxEarlyDataSize(maxEarly) }];
  return { lifetime: c.lifetime, ageAdd, nonce, ticket, extensions };
}
