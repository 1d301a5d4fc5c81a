/**
 * The typed error of @quichs/quic-crypto: every refusal to protect or unprotect a packet is one of these.
 */

/**
 * Why packet protection failed.
 * - `TOO_SHORT`: the packet cannot hold a header-protection sample (pnOffset + 4 + 16 bytes) or a tag.
 * - `BAD_ARGUMENT`: an argument is out of range (pnOffset, packet number, header length, key length …).
 * - `AUTH_FAILED`: the AEAD tag did not verify (tampered packet, wrong keys, wrong key phase). Drop the packet.
 * - `NO_KEYS`: no keys are installed for that encryption level and direction (or they were discarded).
 * - `RESERVED_BITS`: the packet decrypted but its reserved header bits are not zero; the transport closes the
 *   connection with PROTOCOL_VIOLATION (RFC 9000 §17.2, §17.3.1).
 * - `KEY_UPDATE_ERROR`: a key update broke RFC 9001 §6 (the transport closes with KEY_UPDATE_ERROR, 0x0e).
 * - `KEY_UPDATE_NOT_ALLOWED`: a local key update was requested before the previous one was acknowledged.
 * - `CONFIDENTIALITY_LIMIT`: these keys sealed as many packets as their AEAD allows (RFC 9001 §6.6); update keys.
 * - `UNSUPPORTED_VERSION`: a QUIC version without known Initial salt / labels.
 * - `UNSUPPORTED_SUITE`: a TLS cipher suite QUIC cannot use here.
 */
export type PacketProtectionErrorCode =
  | 'TOO_SHORT'
  | 'BAD_ARGUMENT'
  | 'AUTH_FAILED'
  | 'NO_KEYS'
  | 'RESERVED_BITS'
  | 'KEY_UPDATE_ERROR'
  | 'KEY_UPDATE_NOT_ALLOWED'
  | 'CONFIDENTIALITY_LIMIT'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_SUITE';

/**
 * Error thrown by quic-crypto. It never carries key material. Callers switch on {@link PacketProtectionError.code}.
 */
export class PacketProtectionError extends Error {
  /** Machine-readable reason. */
  readonly code: PacketProtectionErrorCode;
  constructor(code: PacketProtectionErrorCode, message: string) {
    super(message);
    this.name = 'PacketProtectionError';
    this.code = code;
  }
}
