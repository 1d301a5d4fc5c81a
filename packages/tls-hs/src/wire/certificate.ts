/**
 * Certificate (RFC 8446 §4.4.2): `opaque certificate_request_context<0..2^8-1>; CertificateEntry
 * certificate_list<0..2^24-1>` with `CertificateEntry { opaque cert_data<1..2^24-1>; Extension
 * extensions<0..2^16-1> }` (X.509 DER or a raw public key; this codec does not care which).
 */
import { readExtensions, writeExtensions, type Extension } from './extensions/extensionList.js';
import { TlsReader } from './reader.js';
import { TlsWriter } from './writer.js';

/** One CertificateEntry. */
export interface CertificateEntry {
  /** cert_data: a DER certificate (or a raw SubjectPublicKeyInfo). */
  readonly data: Uint8Array;
  /** Per-entry extensions (e.g. status_request, signed_certificate_timestamp). */
  readonly extensions: readonly Extension[];
}

/** A decoded Certificate body. */
export interface Certificate {
  /** certificate_request_context: empty in the handshake; echoes a post-handshake CertificateRequest's context. */
  readonly requestContext: Uint8Array;
  /** The chain, end-entity first. */
  readonly entries: readonly CertificateEntry[];
}

/** Parses a Certificate body (decode_error for bad lengths, illegal_parameter for duplicate entry extensions). */
export function parseCertificate(body: Uint8Array): Certificate {
  const r = new TlsReader(body, 'Certificate');
  const requestContext = r.vec8('certificate_request_context');
  const list = r.block24('certificate_list');
  r.expectEnd();
  const entries: CertificateEntry[] = [];
  while (!list.atEnd) {
    const data = list.vec24('cert_data', 1);
    entries.push({ data, extensions: readExtensions(list) });
  }
  return { requestContext, entries };
}

/** Encodes a Certificate body. */
export function encodeCertificate(c: Certificate): Uint8Array {
  let size = 8 + c.requestContext.length;
  for (const e of c.entries) size += 5 + e.data.length + 64;
  const w = new TlsWriter(size);
  w.vec8(c.requestContext, 'certificate_request_context');
  w.block24((l) => {
    for (const e of c.entries) {
      l.vec24(e.data, 'cert_data', 1);
      writeExtensions(l, e.extensions);
    }
  }, 'certificate_list');
  return w.finish();
}
