/**
 * Initial secrets and keys (RFC 9001 §5.2, RFC 9369 §3.3.1): derived from the Destination Connection ID of the
 * client's first Initial packet and the version's salt; always AEAD_AES_128_GCM with SHA-256.
 */
import { defaultProvider, hkdfExpandLabel, type CryptoProvider } from '@quichs/tls-hs';
import { INITIAL_CIPHER_SUITE } from './cipherSuite.js';
import { PacketProtectionError } from './errors.js';
import { derivePacketKeys, type PacketKeys } from './packetKeys.js';
import { quicVersionParams } from './version.js';

/** The Initial keys of both endpoints. */
export interface InitialKeys {
  /** Keys the client seals with (and the server opens with). */
  readonly client: PacketKeys;
  /** Keys the server seals with (and the client opens with). */
  readonly server: PacketKeys;
}

const EMPTY = new Uint8Array(0);

/** Longest connection ID in QUIC v1/v2 (RFC 9000 §17.2). */
const MAX_CID_LENGTH = 20;

/**
 * initial_secret = HKDF-Extract(initial_salt, client_dst_connection_id).
 * PacketProtectionError('UNSUPPORTED_VERSION') for an unknown version, ('BAD_ARGUMENT') for a DCID over 20 bytes.
 */
export function initialSecret(version: number, dcid: Uint8Array, provider: CryptoProvider = defaultProvider()): Uint8Array {
  const p = quicVersionParams(version);
  if (!(dcid instanceof Uint8Array) || dcid.length > MAX_CID_LENGTH) {
    throw new PacketProtectionError('BAD_ARGUMENT', `connection ID must be a Uint8Array of at most ${MAX_CID_LENGTH} bytes`);
  }
  return provider.hkdfExtract('sha256', p.initialSalt, dcid);
}

/**
 * The client and server Initial keys for `version` and the client's first DCID:
 * client_initial_secret = HKDF-Expand-Label(initial_secret, "client in", "", 32), likewise "server in",
 * then key / iv / hp with the version's labels.
 */
export function initialKeys(version: number, dcid: Uint8Array, provider: CryptoProvider = defaultProvider()): InitialKeys {
  const secret = initialSecret(version, dcid, provider);
  const clientSecret = hkdfExpandLabel(provider, 'sha256', secret, 'client in', EMPTY, 32);
  const serverSecret = hkdfExpandLabel(provider, 'sha256', secret, 'server in', EMPTY, 32);
  return {
    client: derivePacketKeys(INITIAL_CIPHER_SUITE, clientSecret, version, provider),
    server: derivePacketKeys(INITIAL_CIPHER_SUITE, serverSecret, version, provider),
  };
}
