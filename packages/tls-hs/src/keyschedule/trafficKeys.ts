/**
 * Traffic keys from a traffic secret (RFC 8446 §7.3) and the key update step (§7.2).
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { CipherSuiteParams } from './cipherSuite.js';
import { hkdfExpandLabel } from './hkdfExpandLabel.js';

const EMPTY = new Uint8Array(0);

/** A record-protection key and IV. */
export interface TrafficKeys {
  /** write_key = HKDF-Expand-Label(Secret, "key", "", key_length). */
  readonly key: Uint8Array;
  /** write_iv = HKDF-Expand-Label(Secret, "iv", "", iv_length). */
  readonly iv: Uint8Array;
}

/** Derives the [sender]_write_key and [sender]_write_iv from a traffic secret. */
export function trafficKeys(provider: CryptoProvider, suite: CipherSuiteParams, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(provider, suite.hash, secret, 'key', EMPTY, suite.keyLength),
    iv: hkdfExpandLabel(provider, suite.hash, secret, 'iv', EMPTY, suite.ivLength),
  };
}

/** application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length). */
export function nextTrafficSecret(provider: CryptoProvider, suite: CipherSuiteParams, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, suite.hash, secret, 'traffic upd', EMPTY, suite.hashLength);
}
