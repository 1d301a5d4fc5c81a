/**
 * CertificateRequest (RFC 8446 §4.3.2): `opaque certificate_request_context<0..2^8-1>; Extension
 * extensions<2..2^16-1>`; signature_algorithms is mandatory.
 */
import { ExtensionType } from './constants.js';
import { readExtensions, requireExtension, writeExtensions, type Extension } from './extensions/extensionList.js';
import { TlsReader } from './reader.js';
import { TlsWriter } from './writer.js';

/** A decoded CertificateRequest body. */
export interface CertificateRequest {
  /** certificate_request_context (empty during the handshake). */
  readonly requestContext: Uint8Array;
  /** Extensions in wire order. */
  readonly extensions: readonly Extension[];
}

/**
 * Parses a CertificateRequest body: bad lengths → `decode_error`; duplicates → `illegal_parameter`; no
 * signature_algorithms → `missing_extension`.
 */
export function parseCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new TlsReader(body, 'CertificateRequest');
  const requestContext = r.vec8('certificate_request_context');
  const extensions = readExtensions(r, 2);
  r.expectEnd();
  requireExtension(extensions, ExtensionType.signature_algorithms, 'CertificateRequest');
  return { requestContext, extensions };
}

/** Encodes a CertificateRequest body. */
export function encodeCertificateRequest(cr: CertificateRequest): Uint8Array {
  const w = new TlsWriter(128);
  w.vec8(cr.requestContext, 'certificate_request_context');
  writeExtensions(w, cr.extensions, 2);
  return w.finish();
}
