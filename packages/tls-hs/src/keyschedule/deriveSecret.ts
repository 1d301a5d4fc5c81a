/**
 * Derive-Secret of RFC 8446 §7.1: HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length).
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { hkdfExpandLabel } from './hkdfExpandLabel.js';

/**
 * Derive-Secret(secret, label, messages) where the caller passes the transcript hash of the messages
 * (use {@link emptyHash} for the "" message list).
 */
export function deriveSecret(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, hash, secret, label, transcriptHash, provider.hashLength(hash));
}

/** Transcript-Hash("") — the hash of the empty string, used by the "derived" steps and the exporter. */
export function emptyHash(provider: CryptoProvider, hash: HashAlgorithm): Uint8Array {
  return provider.hash(hash, new Uint8Array(0));
}
