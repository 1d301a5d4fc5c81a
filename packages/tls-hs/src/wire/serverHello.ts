/**
 * ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4):
 * `legacy_version(0x0303) random[32] legacy_session_id_echo<0..32> cipher_suite legacy_compression_method(0)
 *  extensions<6..2^16-1>`. A HelloRetryRequest is a ServerHello whose random is the fixed SHA-256("HelloRetryRequest").
 */
import { TlsAlert } from '../alerts.js';
import { LEGACY_VERSION, protocolVersionName } from './constants.js';
import { readExtensions, writeExtensions, type Extension } from './extensions/extensionList.js';
import { TlsReader } from './reader.js';
import { TlsWriter } from './writer.js';

/** The special ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** Last 8 bytes of ServerHello.random when a TLS 1.3 server negotiates TLS 1.2 (RFC 8446 §4.1.3). */
export const DOWNGRADE_TLS12: Uint8Array = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
/** Last 8 bytes of ServerHello.random when a TLS 1.3 server negotiates TLS 1.1 or below. */
export const DOWNGRADE_TLS11: Uint8Array = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/** A decoded ServerHello (or HelloRetryRequest) body. Byte fields are views into the parsed message. */
export interface ServerHello {
  /** legacy_version; always 0x0303 in a valid message. */
  readonly legacyVersion: number;
  /** 32 random bytes ({@link HELLO_RETRY_REQUEST_RANDOM} for a HelloRetryRequest). */
  readonly random: Uint8Array;
  /** Echo of the client's legacy_session_id. */
  readonly legacySessionIdEcho: Uint8Array;
  /** The selected cipher suite. */
  readonly cipherSuite: number;
  /** Extensions in wire order. */
  readonly extensions: readonly Extension[];
}

/**
 * Parses a ServerHello/HelloRetryRequest body. Truncation, bad lengths, trailing bytes → `decode_error`;
 * legacy_version ≠ 0x0303 → `protocol_version`; compression method ≠ 0 → `illegal_parameter`; duplicate
 * extensions → `illegal_parameter`. A body without an extensions block (pre-TLS 1.3) parses with an empty list.
 */
export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new TlsReader(body, 'ServerHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const legacySessionIdEcho = r.vec8('legacy_session_id_echo', 0, 32);
  const cipherSuite = r.u16('cipher_suite');
  const compression = r.u8('legacy_compression_method');
  const extensions = r.atEnd ? [] : readExtensions(r, 6);
  r.expectEnd();
  if (legacyVersion !== LEGACY_VERSION) {
    throw TlsAlert.of('protocol_version', `ServerHello: legacy_version ${protocolVersionName(legacyVersion)}, expected 0x0303`);
  }
  if (compression !== 0) throw TlsAlert.of('illegal_parameter', `ServerHello: compression method ${compression}`);
  return { legacyVersion, random, legacySessionIdEcho, cipherSuite, extensions };
}

/** Encodes a ServerHello/HelloRetryRequest body (compression method 0). */
export function encodeServerHello(sh: ServerHello): Uint8Array {
  if (sh.random.length !== 32) throw TlsAlert.of('internal_error', 'ServerHello: random must be 32 bytes');
  const w = new TlsWriter(256);
  w.u16(sh.legacyVersion, 'legacy_version').bytes(sh.random).vec8(sh.legacySessionIdEcho, 'legacy_session_id_echo', 0, 32);
  w.u16(sh.cipherSuite, 'cipher_suite').u8(0);
  writeExtensions(w, sh.extensions, 6);
  return w.finish();
}

function endsWith(random: Uint8Array, tail: Uint8Array): boolean {
  if (random.length !== 32) return false;
  for (let i = 0; i < 8; i++) if (random[24 + i] !== tail[i]) return false;
  return true;
}

/** True when the ServerHello is a HelloRetryRequest (its random is {@link HELLO_RETRY_REQUEST_RANDOM}). */
export function isHelloRetryRequest(sh: Pick<ServerHello, 'random'>): boolean {
  const r = sh.random;
  if (r.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (r[i] !== HELLO_RETRY_REQUEST_RANDOM[i]) return false;
  return true;
}

/** Which downgrade sentinel (RFC 8446 §4.1.3) ends the random: "tls12", "tls11" or undefined. */
export function downgradeSentinel(random: Uint8Array): 'tls12' | 'tls11' | undefined {
  if (endsWith(random, DOWNGRADE_TLS12)) return 'tls12';
  if (endsWith(random, DOWNGRADE_TLS11)) return 'tls11';
  return undefined;
}
