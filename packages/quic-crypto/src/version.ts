/**
 * QUIC versions and their per-version cryptographic constants: Initial salt (RFC 9001 §5.2, RFC 9369 §3.3.1),
 * Retry integrity key and nonce (RFC 9001 §5.8, RFC 9369 §3.3.3) and the HKDF labels (RFC 9001 §5.1, §6.1;
 * RFC 9369 §3.3.2).
 */
import { PacketProtectionError } from './errors.js';

/** The QUIC versions this package has keys for. */
export const QuicVersion = {
  /** QUIC version 1 (RFC 9000). */
  V1: 0x00000001,
  /** QUIC version 2 (RFC 9369). */
  V2: 0x6b3343cf,
} as const;

/** A QUIC version number this package supports (v1 or v2). */
export type QuicVersion = (typeof QuicVersion)[keyof typeof QuicVersion];

/** The version-specific constants of QUIC packet protection. Byte arrays are shared: do not modify them. */
export interface QuicVersionParams {
  /** The version number. */
  readonly version: QuicVersion;
  /** Salt for the Initial secret (HKDF-Extract with the client's first DCID). */
  readonly initialSalt: Uint8Array;
  /** AES-128-GCM key of the Retry integrity tag. */
  readonly retryKey: Uint8Array;
  /** AES-128-GCM nonce of the Retry integrity tag. */
  readonly retryNonce: Uint8Array;
  /** Label of the packet-protection key ("quic key" / "quicv2 key"). */
  readonly keyLabel: string;
  /** Label of the packet-protection IV ("quic iv" / "quicv2 iv"). */
  readonly ivLabel: string;
  /** Label of the header-protection key ("quic hp" / "quicv2 hp"). */
  readonly hpLabel: string;
  /** Label of the key-update secret ("quic ku" / "quicv2 ku"). */
  readonly kuLabel: string;
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

const V1_PARAMS: QuicVersionParams = Object.freeze({
  version: QuicVersion.V1,
  initialSalt: hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'),
  retryKey: hex('be0c690b9f66575a1d766b54e368c84e'),
  retryNonce: hex('461599d35d632bf2239825bb'),
  keyLabel: 'quic key',
  ivLabel: 'quic iv',
  hpLabel: 'quic hp',
  kuLabel: 'quic ku',
});

const V2_PARAMS: QuicVersionParams = Object.freeze({
  version: QuicVersion.V2,
  initialSalt: hex('0dede3def700a6db819381be6e269dcbf9bd2ed9'),
  retryKey: hex('8fb4b01b56ac48e260fbcbcead7ccc92'),
  retryNonce: hex('d86969bc2d7c6d9990efb04a'),
  keyLabel: 'quicv2 key',
  ivLabel: 'quicv2 iv',
  hpLabel: 'quicv2 hp',
  kuLabel: 'quicv2 ku',
});

/** True if `version` is one this package has keys for (v1 or v2). */
export function isSupportedQuicVersion(version: number): version is QuicVersion {
  return version === QuicVersion.V1 || version === QuicVersion.V2;
}

/** The constants of a QUIC version; PacketProtectionError('UNSUPPORTED_VERSION') for any other version. */
export function quicVersionParams(version: number): QuicVersionParams {
  if (version === QuicVersion.V1) return V1_PARAMS;
  if (version === QuicVersion.V2) return V2_PARAMS;
  throw new PacketProtectionError('UNSUPPORTED_VERSION', `no packet protection constants for version 0x${(version >>> 0).toString(16).padStart(8, '0')}`);
}
