/**
 * CertificateVerify (RFC 8446 §4.4.3): `SignatureScheme algorithm; opaque signature<0..2^16-1>`, and the content
 * that is signed: 64 × 0x20, the context string, a zero byte, then the transcript hash.
 */
import { TlsAlert } from '../alerts.js';
import { TlsReader } from './reader.js';
import { TlsWriter } from './writer.js';

/** A decoded CertificateVerify body. */
export interface CertificateVerify {
  /** SignatureScheme codepoint. */
  readonly scheme: number;
  /** The signature (a view into the message). */
  readonly signature: Uint8Array;
}

/** Parses a CertificateVerify body (decode_error for bad lengths or trailing bytes). */
export function parseCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new TlsReader(body, 'CertificateVerify');
  const scheme = r.u16('algorithm');
  const signature = r.vec16('signature');
  r.expectEnd();
  return { scheme, signature };
}

/** Encodes a CertificateVerify body. */
export function encodeCertificateVerify(cv: CertificateVerify): Uint8Array {
  return new TlsWriter(4 + cv.signature.length).u16(cv.scheme, 'algorithm').vec16(cv.signature, 'signature').finish();
}

const SERVER_CONTEXT = 'TLS 1.3, server CertificateVerify';
const CLIENT_CONTEXT = 'TLS 1.3, client CertificateVerify';

/**
 * The bytes a CertificateVerify signs (RFC 8446 §4.4.3): 64 octets of 0x20, the context string of `signer`
 * ("TLS 1.3, server CertificateVerify" or "... client ..."), one 0x00, and `transcriptHash`.
 */
export function certificateVerifySignedContent(transcriptHash: Uint8Array, signer: 'server' | 'client'): Uint8Array {
  if (transcriptHash.length === 0 || transcriptHash.length > 64) {
    throw TlsAlert.of('internal_error', `CertificateVerify: transcript hash of ${transcriptHash.length} bytes`);
  }
  const context = signer === 'server' ? SERVER_CONTEXT : CLIENT_CONTEXT;
  const out = new Uint8Array(64 + context.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  for (let i = 0; i < context.length; i++) out[64 + i] = context.charCodeAt(i);
  out[64 + context.length] = 0;
  out.set(transcriptHash, 65 + context.length);
  return out;
}
