/** EncryptedExtensions (RFC 8446 §4.3.1): `Extension extensions<0..2^16-1>`. */
import { readExtensions, writeExtensions, type Extension } from './extensions/extensionList.js';
import { TlsReader } from './reader.js';
import { TlsWriter } from './writer.js';

/** A decoded EncryptedExtensions body. */
export interface EncryptedExtensions {
  /** Extensions in wire order. */
  readonly extensions: readonly Extension[];
}

/** Parses an EncryptedExtensions body (decode_error / illegal_parameter for duplicates). */
export function parseEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const r = new TlsReader(body, 'EncryptedExtensions');
  const extensions = readExtensions(r);
  r.expectEnd();
  return { extensions };
}

/** Encodes an EncryptedExtensions body. */
export function encodeEncryptedExtensions(ee: EncryptedExtensions): Uint8Array {
  const w = new TlsWriter(128);
  writeExtensions(w, ee.extensions);
  return w.finish();
}
