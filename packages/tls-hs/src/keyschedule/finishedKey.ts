/**
 * The Finished computation of RFC 8446 §4.4.4 (also used for PSK binders, §4.2.11.2).
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { hkdfExpandLabel } from './hkdfExpandLabel.js';

const EMPTY = new Uint8Array(0);

/** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length). */
export function finishedKey(provider: CryptoProvider, hash: HashAlgorithm, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, baseKey, 'finished', EMPTY, provider.hashLength(hash));
}

/** verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*)). */
export function finishedVerifyData(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
): Uint8Array {
  return provider.hmac(hash, finishedKey(provider, hash, baseKey), transcriptHash);
}

/** Checks a received verify_data in constant time; true when it matches. */
export function verifyFinished(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
  received: Uint8Array,
): boolean {
  return provider.timingSafeEqual(finishedVerifyData(provider, hash, baseKey, transcriptHash), received);
}
