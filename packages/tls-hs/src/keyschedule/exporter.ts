/**
 * The TLS exporter of RFC 8446 §7.5 and the resumption PSK derivation of §4.6.1.
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { deriveSecret, emptyHash } from './deriveSecret.js';
import { hkdfExpandLabel } from './hkdfExpandLabel.js';

/**
 * TLS-Exporter(label, context_value, key_length) =
 * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length),
 * where Secret is the (early_)exporter_master_secret. A missing context is hashed as the empty string (RFC 8446 §7.5).
 */
export function tlsExporter(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array | null | undefined,
  length: number,
): Uint8Array {
  const inner = deriveSecret(provider, hash, exporterMasterSecret, label, emptyHash(provider, hash));
  return hkdfExpandLabel(provider, hash, inner, 'exporter', provider.hash(hash, context ?? new Uint8Array(0)), length);
}

/** The PSK for a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
export function resumptionPsk(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  resumptionMasterSecret: Uint8Array,
  ticketNonce: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, hash, resumptionMasterSecret, 'resumption', ticketNonce, provider.hashLength(hash));
}
