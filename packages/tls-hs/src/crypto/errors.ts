/** Why a cryptographic operation refused its input. */
export type CryptoErrorCode =
  | 'BAD_KEY' // key of the wrong length, type or encoding
  | 'BAD_NONCE' // nonce of the wrong length
  | 'BAD_INPUT' // any other malformed argument (sample length, output length, …)
  | 'AUTH_FAILED' // AEAD tag did not verify
  | 'BAD_POINT' // key-exchange share not a valid point / encapsulation of the wrong size, or an all-zero shared secret
  | 'BAD_SIGNATURE' // signature malformed or did not verify
  | 'UNSUPPORTED'; // algorithm not offered by this provider

/**
 * The one error type the crypto providers throw. It never carries key material.
 * tls-hs maps it to a TLS alert (e.g. AUTH_FAILED → bad_record_mac, BAD_SIGNATURE → decrypt_error,
 * BAD_POINT → illegal_parameter); quic-crypto maps AUTH_FAILED to "drop the packet".
 */
export class CryptoError extends Error {
  /** Machine-readable reason. */
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}
