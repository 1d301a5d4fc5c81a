/**
 * NamedGroup codepoints (RFC 8446 §4.2.7, draft-ietf-tls-ecdhe-mlkem) mapped to the provider's key-exchange groups.
 */
import type { KeyExchangeGroup } from '../crypto/provider.js';

const CODES: Readonly<Record<KeyExchangeGroup, number>> = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  x25519: 0x001d,
  X25519MLKEM768: 0x11ec,
};

/** Every group the engine supports, in the default preference order. */
export const SUPPORTED_GROUPS: readonly KeyExchangeGroup[] = Object.freeze([
  'X25519MLKEM768',
  'x25519',
  'secp256r1',
  'secp384r1',
]);

/** The groups a client sends key shares for by default. */
export const DEFAULT_KEY_SHARES: readonly KeyExchangeGroup[] = Object.freeze(['X25519MLKEM768', 'x25519']);

/** Codepoint of a group. */
export function groupCode(group: KeyExchangeGroup): number {
  return CODES[group];
}

/** The group with this codepoint, or undefined when we do not implement it. */
export function groupByCode(code: number): KeyExchangeGroup | undefined {
  for (const g of SUPPORTED_GROUPS) if (CODES[g] === code) return g;
  return undefined;
}

/** Accepts a group name in any common spelling ("X25519", "P-256", "prime256v1", "x25519mlkem768"). */
export function groupByName(name: string): KeyExchangeGroup | undefined {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  switch (n) {
    case 'x25519':
      return 'x25519';
    case 'secp256r1':
    case 'p256':
    case 'prime256v1':
      return 'secp256r1';
    case 'secp384r1':
    case 'p384':
      return 'secp384r1';
    case 'x25519mlkem768':
      return 'X25519MLKEM768';
    default:
      return undefined;
  }
}
