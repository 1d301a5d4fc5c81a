/**
 * What a stateless session ticket remembers (RFC 8446 §4.6.1 leaves the format to the server): the resumption PSK,
 * the suite, issue time, lifetime, ticket_age_add, the 0-RTT allowance and the context 0-RTT must match (ALPN, server
 * name, QUIC mode, opaque application data such as the QUIC transport parameters), plus the client's certificate.
 * Encoded here as the plaintext that {@link sealTicket} protects; parse and serialize side by side.
 */
import { TlsAlert } from '../alerts.js';
import { TlsReader } from '../wire/reader.js';
import { TlsWriter } from '../wire/writer.js';

/** The plaintext state inside a ticket. */
export interface TicketState {
  /** Cipher suite codepoint of the connection that issued it. */
  readonly suite: number;
  /** Issue time (ms, server clock). */
  readonly issuedAt: number;
  /** ticket_lifetime in seconds. */
  readonly lifetime: number;
  /** ticket_age_add. */
  readonly ageAdd: number;
  /** max_early_data_size offered with it (0: no 0-RTT). */
  readonly maxEarlyDataSize: number;
  /** Issued on a QUIC connection. */
  readonly quic: boolean;
  /** The resumption PSK (HKDF-Expand-Label(resumption_master_secret, "resumption", nonce)). */
  readonly psk: Uint8Array;
  /** ALPN protocol of the connection, if any. */
  readonly alpn: string | undefined;
  /** Server name the client asked for, if any. */
  readonly serverName: string | undefined;
  /** Opaque data the server application attached (e.g. QUIC transport parameters); may be empty. */
  readonly appData: Uint8Array;
  /** The client's leaf certificate (DER) when it authenticated with one. */
  readonly peerCertificate: Uint8Array | undefined;
}

const VERSION = 1;
const enc = new TextEncoder();
const dec = new TextDecoder();

function writeTime(w: TlsWriter, t: number): void {
  w.u32(Math.floor(t / 0x100000000), 'time_high').u32(t % 0x100000000, 'time_low');
}

/** Serializes the state (the plaintext of a ticket). */
export function encodeTicketState(s: TicketState): Uint8Array {
  const w = new TlsWriter(96 + s.psk.length + s.appData.length + (s.peerCertificate?.length ?? 0));
  w.u8(VERSION, 'version').u16(s.suite, 'suite');
  writeTime(w, s.issuedAt);
  w.u32(s.lifetime, 'lifetime').u32(s.ageAdd, 'age_add').u32(s.maxEarlyDataSize, 'max_early_data_size');
  w.u8(s.quic ? 1 : 0, 'quic');
  w.vec8(s.psk, 'psk', 32, 64);
  w.vec8(enc.encode(s.alpn ?? ''), 'alpn');
  w.vec16(enc.encode(s.serverName ?? ''), 'server_name');
  w.vec16(s.appData, 'app_data');
  w.vec24(s.peerCertificate ?? new Uint8Array(0), 'peer_certificate');
  return w.finish();
}

/** Parses ticket plaintext (decode_error TlsAlert when malformed — only possible with a forged key). */
export function parseTicketState(bytes: Uint8Array): TicketState {
  const r = new TlsReader(bytes, 'ticket state');
  const version = r.u8('version');
  if (version !== VERSION) throw TlsAlert.of('decode_error', `ticket state version ${version}`);
  const suite = r.u16('suite');
  const issuedAt = r.u32('time_high') * 0x100000000 + r.u32('time_low');
  const lifetime = r.u32('lifetime');
  const ageAdd = r.u32('age_add');
  const maxEarlyDataSize = r.u32('max_early_data_size');
  const quic = r.u8('quic') === 1;
  const psk = new Uint8Array(r.vec8('psk', 32, 64));
  const alpn = dec.decode(r.vec8('alpn'));
  const serverName = dec.decode(r.vec16('server_name'));
  const appData = new Uint8Array(r.vec16('app_data'));
  const cert = r.vec24('peer_certificate');
  r.expectEnd();
  return {
    suite,
    issuedAt,
    lifetime,
    ageAdd,
    maxEarlyDataSize,
    quic,
    psk,
    alpn: alpn.length > 0 ? alpn : undefined,
    serverName: serverName.length > 0 ? serverName : undefined,
    appData,
    peerCertificate: cert.length > 0 ? new Uint8Array(cert) : undefined,
  };
}
