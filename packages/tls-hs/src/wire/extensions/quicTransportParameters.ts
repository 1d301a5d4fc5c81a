/**
 * quic_transport_parameters (RFC 9001 §8.2, codepoint 0x39): carried as opaque bytes here; the QUIC transport
 * decodes them. Allowed in ClientHello and EncryptedExtensions only.
 */
import { TlsAlert } from '../../alerts.js';
import { ExtensionType } from '../constants.js';
import { findExtension, type Extension } from './extensionList.js';

/** The extension's codepoint (0x39). */
export const QUIC_TRANSPORT_PARAMETERS = ExtensionType.quic_transport_parameters;

/**
 * The opaque transport parameters of an extension block, or `missing_extension` when absent (RFC 9001 §8.2: a QUIC
 * endpoint MUST abort if its peer sends none).
 */
export function quicTransportParametersOf(extensions: readonly Extension[]): Uint8Array {
  const e = findExtension(extensions, QUIC_TRANSPORT_PARAMETERS);
  if (e === undefined) throw TlsAlert.of('missing_extension', 'no quic_transport_parameters extension');
  return e.data;
}

/** Builds the extension entry for the given encoded transport parameters. */
export function quicTransportParametersExtension(encoded: Uint8Array): Extension {
  return { type: QUIC_TRANSPORT_PARAMETERS, data: encoded };
}
