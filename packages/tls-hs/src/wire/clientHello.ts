/**
 * ClientHello (RFC 8446 §4.1.2):
 * `legacy_version(0x0303) random[32] legacy_session_id<0..32> cipher_suites<2..2^16-2>
 *  legacy_compression_methods<1..2^8-1> extensions<8..2^16-1>`.
 */
import { TlsAlert } from '../alerts.js';
import { ExtensionType, LEGACY_VERSION, protocolVersionName } from './constants.js';
import { readExtensions, writeExtensions, type Extension } from './extensions/extensionList.js';
import { TlsReader } from './reader.js';
import { TlsWriter } from './writer.js';

/** A decoded ClientHello body. Byte fields are views into the parsed message. */
export interface ClientHello {
  /** legacy_version; always 0x0303 in a valid message. */
  readonly legacyVersion: number;
  /** 32 random bytes. */
  readonly random: Uint8Array;
  /** legacy_session_id (0..32 bytes; echoed by the server for middlebox compatibility). */
  readonly legacySessionId: Uint8Array;
  /** Offered cipher suites in preference order. */
  readonly cipherSuites: readonly number[];
  /** Extensions in wire order (pre_shared_key, if any, last). */
  readonly extensions: readonly Extension[];
}

/**
 * Parses a ClientHello body. Truncation, bad vector lengths and trailing bytes → `decode_error`; legacy_version
 * other than 0x0303 → `protocol_version`; compression methods other than exactly [0] → `illegal_parameter`
 * (RFC 8446 §4.1.2); duplicate extensions, or pre_shared_key not last → `illegal_parameter` (§4.2, §4.2.11).
 * A ClientHello without an extensions block (pre-TLS 1.3 form) parses with an empty list.
 */
export function parseClientHello(body: Uint8Array): ClientHello {
  const r = new TlsReader(body, 'ClientHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const legacySessionId = r.vec8('legacy_session_id', 0, 32);
  const suites = r.block16('cipher_suites', 2, 0xfffe);
  if (suites.remaining % 2 !== 0) throw TlsAlert.of('decode_error', 'ClientHello: odd cipher_suites length');
  const cipherSuites: number[] = [];
  while (!suites.atEnd) cipherSuites.push(suites.u16());
  const compression = r.vec8('legacy_compression_methods', 1);
  const extensions = r.atEnd ? [] : readExtensions(r, 8);
  r.expectEnd();
  if (legacyVersion !== LEGACY_VERSION) {
    throw TlsAlert.of('protocol_version', `ClientHello: legacy_version ${protocolVersionName(legacyVersion)}, expected 0x0303`);
  }
  if (compression.length !== 1 || compression[0] !== 0) {
    throw TlsAlert.of('illegal_parameter', 'ClientHello: legacy_compression_methods must be exactly [null]');
  }
  for (let i = 0; i < extensions.length - 1; i++) {
    if (extensions[i].type === ExtensionType.pre_shared_key) {
      throw TlsAlert.of('illegal_parameter', 'ClientHello: pre_shared_key is not the last extension');
    }
  }
  return { legacyVersion, random, legacySessionId, cipherSuites, extensions };
}

/** Encodes a ClientHello body (legacy_compression_methods is always [0]). */
export function encodeClientHello(ch: ClientHello): Uint8Array {
  if (ch.random.length !== 32) throw TlsAlert.of('internal_error', 'ClientHello: random must be 32 bytes');
  for (let i = 0; i < ch.extensions.length - 1; i++) {
    if (ch.extensions[i].type === ExtensionType.pre_shared_key) {
      throw TlsAlert.of('internal_error', 'ClientHello: pre_shared_key must be the last extension');
    }
  }
  const w = new TlsWriter(512);
  w.u16(ch.legacyVersion, 'legacy_version').bytes(ch.random).vec8(ch.legacySessionId, 'legacy_session_id', 0, 32);
  w.block16((b) => { for (const s of ch.cipherSuites) b.u16(s, 'cipher_suite'); }, 'cipher_suites', 2, 0xfffe);
  w.u8(1).u8(0);
  writeExtensions(w, ch.extensions, 8);
  return w.finish();
}
