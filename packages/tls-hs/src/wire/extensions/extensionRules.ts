/**
 * Which extensions may appear in which handshake message (the table of RFC 8446 §4.2, plus RFC 8449
 * record_size_limit, RFC 8879 compress_certificate, RFC 9001 quic_transport_parameters and ECH), and the checks a
 * receiver applies.
 */
import { TlsAlert } from '../../alerts.js';
import { ExtensionType as X, extensionTypeName } from '../constants.js';
import type { Extension } from './extensionList.js';

/**
 * Message in which an extension block appears: CH ClientHello, SH ServerHello, HRR HelloRetryRequest,
 * EE EncryptedExtensions, CT Certificate (per entry), CR CertificateRequest, NST NewSessionTicket.
 */
export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

/** RFC 8446 §4.2 table: extension type → messages it may appear in. */
export const EXTENSION_CONTEXTS: ReadonlyMap<number, readonly ExtensionContext[]> = new Map<number, ExtensionContext[]>([
  [X.server_name, ['CH', 'EE']],
  [X.max_fragment_length, ['CH', 'EE']],
  [X.status_request, ['CH', 'CR', 'CT']],
  [X.supported_groups, ['CH', 'EE']],
  [X.signature_algorithms, ['CH', 'CR']],
  [X.use_srtp, ['CH', 'EE']],
  [X.heartbeat, ['CH', 'EE']],
  [X.application_layer_protocol_negotiation, ['CH', 'EE']],
  [X.signed_certificate_timestamp, ['CH', 'CR', 'CT']],
  [X.client_certificate_type, ['CH', 'EE']],
  [X.server_certificate_type, ['CH', 'EE']],
  [X.padding, ['CH']],
  [X.compress_certificate, ['CH', 'CR']],
  [X.record_size_limit, ['CH', 'EE']],
  [X.pre_shared_key, ['CH', 'SH']],
  [X.early_data, ['CH', 'EE', 'NST']],
  [X.supported_versions, ['CH', 'SH', 'HRR']],
  [X.cookie, ['CH', 'HRR']],
  [X.psk_key_exchange_modes, ['CH']],
  [X.certificate_authorities, ['CH', 'CR']],
  [X.oid_filters, ['CR']],
  [X.post_handshake_auth, ['CH']],
  [X.signature_algorithms_cert, ['CH', 'CR']],
  [X.key_share, ['CH', 'SH', 'HRR']],
  [X.quic_transport_parameters, ['CH', 'EE']],
  [X.encrypted_client_hello, ['CH', 'HRR', 'EE']],
]);

/** True when `type` is in the table (a TLS 1.3 extension this stack knows). */
export function isKnownTls13Extension(type: number): boolean {
  return EXTENSION_CONTEXTS.has(type);
}

/** True when the table allows `type` in `context`; unknown types are never allowed. */
export function extensionAllowedIn(type: number, context: ExtensionContext): boolean {
  return EXTENSION_CONTEXTS.get(type)?.includes(context) ?? false;
}

/**
 * Checks a received extension block against the table (RFC 8446 §4.2):
 * - a known extension in a message the table does not list → `illegal_parameter`;
 * - in CH, CR and NST, unknown extensions are ignored (the receiver "MUST ignore unrecognized extensions");
 * - in SH, HRR, EE and CT (responses to the ClientHello), an extension the client did not offer — including any
 *   unknown one — → `unsupported_extension`. Pass the ClientHello's extension types as `offered`; without
 *   `offered` only unknown types are refused. (A HRR's cookie is allowed without having been offered.)
 */
export function checkExtensions(
  extensions: readonly Extension[],
  context: ExtensionContext,
  offered?: ReadonlySet<number>,
): void {
  const response = context === 'SH' || context === 'HRR' || context === 'EE' || context === 'CT';
  for (const { type } of extensions) {
    const allowed = EXTENSION_CONTEXTS.get(type);
    if (allowed === undefined) {
      if (response) {
        throw TlsAlert.of('unsupported_extension', `${context}: unrecognized ${extensionTypeName(type)} extension`);
      }
      continue;
    }
    if (!allowed.includes(context)) {
      throw TlsAlert.of('illegal_parameter', `${context}: ${extensionTypeName(type)} extension not allowed here`);
    }
    if (response && offered !== undefined && !offered.has(type) && !(context === 'HRR' && type === X.cookie)) {
      throw TlsAlert.of('unsupported_extension', `${context}: ${extensionTypeName(type)} extension was not offered`);
    }
  }
}
