/**
 * TLS record ContentType values (RFC 8446 §5.1) and the record-layer size limits.
 */

/** ContentType of TLSPlaintext / TLSInnerPlaintext. */
export const RecordType = {
  invalid: 0,
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;

/** A RecordType value. */
export type RecordTypeValue = (typeof RecordType)[keyof typeof RecordType];

/** Maximum TLSPlaintext.fragment length: 2^14. */
export const MAX_PLAINTEXT = 1 << 14;
/** Maximum TLSCiphertext.encrypted_record length: 2^14 + 256. */
export const MAX_CIPHERTEXT = (1 << 14) + 256;
/** Size of the record header: type(1) legacy_record_version(2) length(2). */
export const RECORD_HEADER_LENGTH = 5;

/** True for a content type a TLS 1.3 record may carry. */
export function isKnownRecordType(type: number): boolean {
  return type >= 20 && type <= 23;
}
