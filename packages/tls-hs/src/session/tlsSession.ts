/**
 * A client's resumable session — what one NewSessionTicket (RFC 8446 §4.6.1) gives it: the ticket to offer, the PSK
 * derived from the resumption master secret and the ticket nonce, the suite, lifetime, ticket_age_add, receipt time
 * and the 0-RTT allowance, plus the context a later connection must match (server name, ALPN, QUIC mode, the
 * server's QUIC transport parameters, which RFC 9000 §7.4.1 says 0-RTT must remember, and the QUIC version the
 * ticket is bound to, RFC 9369 §5). `toBytes` / `fromBytes`
 * let a TLS socket or a QUIC connection persist it and pass it back as the `session` option.
 */
import { TlsAlert } from '../alerts.js';
import { cipherSuiteByCode, type CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { TlsReader } from '../wire/reader.js';
import { TlsWriter } from '../wire/writer.js';
import { obfuscateTicketAge } from './ticketAge.js';

/** max_early_data_size that QUIC requires in every ticket allowing 0-RTT (RFC 9001 §4.6.1). */
export const QUIC_MAX_EARLY_DATA = 0xffffffff;

/** The fields of a {@link TlsSession}. */
export interface TlsSessionFields {
  /** The opaque ticket (the PSK identity to offer). */
  readonly ticket: Uint8Array;
  /** The resumption PSK. */
  readonly psk: Uint8Array;
  /** Cipher suite codepoint of the original connection. */
  readonly suite: number;
  /** ticket_lifetime in seconds. */
  readonly lifetime: number;
  /** ticket_age_add. */
  readonly ageAdd: number;
  /** When the ticket was received (ms, client clock); undefined when the client had no clock. */
  readonly receivedAt: number | undefined;
  /** max_early_data_size of the ticket (0: no 0-RTT). */
  readonly maxEarlyDataSize: number;
  /** ALPN protocol of the original connection. */
  readonly alpn: string | undefined;
  /** Server name the original connection asked for. */
  readonly serverName: string | undefined;
  /** True when the session came from a QUIC connection. */
  readonly quic: boolean;
  /** The server's QUIC transport parameters (encoded) of the original connection. */
  readonly transportParameters: Uint8Array | undefined;
  /** The server's leaf certificate (DER) of the original connection. */
  readonly peerCertificate: Uint8Array | undefined;
  /**
   * QUIC: the version of the connection the ticket came from — the negotiated one (RFC 9369 §5: a ticket is only
   * for connections of that version). Set by the QUIC connection that hands the session out; undefined when unknown
   * (TLS over TCP, or a session made elsewhere).
   */
  readonly quicVersion?: number;
}

/** Serialization version: 2 adds quic_version; version 1 bytes (without it) still load. */
const VERSION = 2;
const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Plain Uint8Array (not a Buffer subclass), so sessions compare and serialize the same whatever made them. */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b);
}

/** The fields of a session, merged into the {@link TlsSession} class below. */
export interface TlsSession extends TlsSessionFields {}

/** A resumable session (client side). Immutable. */
export class TlsSession {
  constructor(f: TlsSessionFields) {
    if (cipherSuiteByCode(f.suite) === undefined) throw new RangeError(`session with unknown cipher suite 0x${f.suite.toString(16)}`);
    const v = f.quicVersion;
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) throw new RangeError(`session with bad QUIC version ${v}`);
    if (f.ticket.length === 0 || f.ticket.length > 0xffff) throw new RangeError('session ticket must be 1..65535 bytes');
    const fields: TlsSessionFields = {
      ...f,
      ticket: plain(f.ticket),
      psk: plain(f.psk),
      transportParameters: f.transportParameters === undefined ? undefined : plain(f.transportParameters),
      peerCertificate: f.peerCertificate === undefined ? undefined : plain(f.peerCertificate),
      quicVersion: v,
    };
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** The suite's parameters. */
  get cipherSuite(): CipherSuiteParams {
    return cipherSuiteByCode(this.suite)!;
  }

  /** Age in ms at `now` (0 when either time is unknown). */
  ageAt(now: number | undefined): number {
    if (now === undefined || this.receivedAt === undefined) return 0;
    return Math.max(0, now - this.receivedAt);
  }

  /** True once the ticket lifetime has passed (never when the times are unknown). */
  expiredAt(now: number | undefined): boolean {
    return this.ageAt(now) > this.lifetime * 1000;
  }

  /** obfuscated_ticket_age to send at `now`. */
  obfuscatedAgeAt(now: number | undefined): number {
    return obfuscateTicketAge(this.ageAt(now), this.ageAdd);
  }

  /**
   * True when the ticket allows 0-RTT on a connection of this kind: over TCP max_early_data_size > 0 on a TCP
   * session; in QUIC only a QUIC session whose ticket said 0xffffffff (RFC 9001 §4.6.1).
   */
  allowsEarlyData(quic: boolean): boolean {
    if (quic !== this.quic) return false;
    return quic ? this.maxEarlyDataSize === QUIC_MAX_EARLY_DATA : this.maxEarlyDataSize > 0;
  }

  /** Serializes the session (secret: it holds the PSK). */
  toBytes(): Uint8Array {
    const w = new TlsWriter(64 + this.ticket.length + this.psk.length);
    w.u8(VERSION, 'version').u16(this.suite, 'suite');
    w.vec16(this.ticket, 'ticket', 1).vec8(this.psk, 'psk', 32, 64);
    w.u32(this.lifetime, 'lifetime').u32(this.ageAdd, 'age_add').u32(this.maxEarlyDataSize, 'max_early_data_size');
    const t = this.receivedAt;
    w.u8(t === undefined ? 0 : 1, 'has_time');
    w.u32(t === undefined ? 0 : Math.floor(t / 0x100000000), 'time_high').u32(t === undefined ? 0 : t % 0x100000000, 'time_low');
    w.u8(this.quic ? 1 : 0, 'quic');
    w.vec8(enc.encode(this.alpn ?? ''), 'alpn');
    w.vec16(enc.encode(this.serverName ?? ''), 'server_name');
    w.u8(this.transportParameters === undefined ? 0 : 1, 'has_tp').vec16(this.transportParameters ?? EMPTY, 'transport_parameters');
    w.vec24(this.peerCertificate ?? EMPTY, 'peer_certificate');
    w.u8(this.quicVersion === undefined ? 0 : 1, 'has_quic_version').u32(this.quicVersion ?? 0, 'quic_version');
    return w.finish();
  }

  /** Restores a session from {@link TlsSession.toBytes} output (decode_error TlsAlert when malformed). */
  static fromBytes(bytes: Uint8Array): TlsSession {
    const r = new TlsReader(bytes, 'session');
    const version = r.u8('version');
    if (version !== VERSION && version !== 1) throw TlsAlert.of('decode_error', `session: unknown version ${version}`);
    const suite = r.u16('suite');
    if (cipherSuiteByCode(suite) === undefined) throw TlsAlert.of('decode_error', `session: unknown suite 0x${suite.toString(16)}`);
    const ticket = new Uint8Array(r.vec16('ticket', 1));
    const psk = new Uint8Array(r.vec8('psk', 32, 64));
    const lifetime = r.u32('lifetime');
    const ageAdd = r.u32('age_add');
    const maxEarlyDataSize = r.u32('max_early_data_size');
    const hasTime = r.u8('has_time') === 1;
    const time = r.u32('time_high') * 0x100000000 + r.u32('time_low');
    const quic = r.u8('quic') === 1;
    const alpn = dec.decode(r.vec8('alpn'));
    const serverName = dec.decode(r.vec16('server_name'));
    const hasTp = r.u8('has_tp') === 1;
    const tp = new Uint8Array(r.vec16('transport_parameters'));
    const cert = r.vec24('peer_certificate');
    let quicVersion: number | undefined;
    if (version >= 2) {
      const has = r.u8('has_quic_version') === 1;
      const qv = r.u32('quic_version');
      quicVersion = has ? qv : undefined;
    }
    r.expectEnd();
    return new TlsSession({
      ticket,
      psk,
      suite,
      lifetime,
      ageAdd,
      receivedAt: hasTime ? time : undefined,
      maxEarlyDataSize,
      alpn: alpn.length > 0 ? alpn : undefined,
      serverName: serverName.length > 0 ? serverName : undefined,
      quic,
      transportParameters: hasTp ? tp : undefined,
      peerCertificate: cert.length > 0 ? new Uint8Array(cert) : undefined,
      quicVersion,
    });
  }
}
