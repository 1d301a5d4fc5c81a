/**
 * Key update secrets (RFC 9001 §6.1, RFC 9369 §3.3.2):
 * secret_<n+1> = HKDF-Expand-Label(secret_<n>, "quic ku" | "quicv2 ku", "", Hash.length).
 * The header-protection key is not updated; only the AEAD key and IV change.
 */
import { defaultProvider, hkdfExpandLabel, type CryptoProvider } from '@quichs/tls-hs';
import type { QuicCipherSuite } from './cipherSuite.js';
import { PacketProtectionError } from './errors.js';
import { QuicVersion, quicVersionParams } from './version.js';

const EMPTY = new Uint8Array(0);

/** The next 1-RTT traffic secret after a key update. PacketProtectionError('BAD_ARGUMENT') for a wrong-size secret. */
export function nextTrafficSecret(
  suite: QuicCipherSuite,
  secret: Uint8Array,
  version: number = QuicVersion.V1,
  provider: CryptoProvider = defaultProvider(),
): Uint8Array {
  const p = quicVersionParams(version);
  if (!(secret instanceof Uint8Array) || secret.length !== suite.secretLength) {
    throw new PacketProtectionError('BAD_ARGUMENT', `${suite.name} traffic secret must be ${suite.secretLength} bytes`);
  }
  return hkdfExpandLabel(provider, suite.hash, secret, p.kuLabel, EMPTY, suite.secretLength);
}
