/**
 * X.501 distinguished names as used in certificates (RFC 5280 §4.1.2.4): the exact DER (for byte comparison and
 * for the TLS certificate_authorities extension), the attributes in order, and a readable RFC 4514 string.
 */
import type { Name } from '@peculiar/asn1-x509';

/** One attribute of a name. */
export interface NameAttribute {
  /** Attribute type OID. */
  readonly oid: string;
  /** Short name when known (CN, O, OU, C, L, ST, …), else the OID. */
  readonly type: string;
  /** The value as text. */
  readonly value: string;
}

/** A distinguished name. */
export interface DistinguishedName {
  /** The DER Name exactly as it appears in the certificate. */
  readonly der: Uint8Array;
  /** Attributes in certificate order (RDN by RDN). */
  readonly attributes: readonly NameAttribute[];
  /** RFC 4514 string (last RDN first), e.g. "CN=example.com,O=Example". */
  readonly text: string;
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** OID of the commonName attribute. */
export const OID_COMMON_NAME = '2.5.4.3';

function escapeValue(v: string): string {
  let s = v.replace(/[\\",+;<>=]/g, (c) => `\\${c}`);
  if (s.startsWith(' ') || s.startsWith('#')) s = `\\${s}`;
  if (s.endsWith(' ') && s.length > 1) s = `${s.slice(0, -1)}\\ `;
  return s;
}

/** Builds a {@link DistinguishedName} from a parsed Name and its DER bytes. */
export function distinguishedName(name: Name, der: Uint8Array): DistinguishedName {
  const attributes: NameAttribute[] = [];
  const rdnTexts: string[] = [];
  for (const rdn of name) {
    const parts: string[] = [];
    for (const atv of rdn) {
      const value = atv.value.toString();
      const type = SHORT_NAMES[atv.type] ?? atv.type;
      attributes.push({ oid: atv.type, type, value });
      parts.push(`${type}=${escapeValue(value)}`);
    }
    rdnTexts.push(parts.join('+'));
  }
  return { der, attributes, text: rdnTexts.reverse().join(',') };
}

function canonical(n: DistinguishedName): string {
  return n.attributes.map((a) => `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`).join('\u0000');
}

/**
 * Name equality for chain building: identical DER, or the same attributes in the same order compared after the
 * RFC 5280 §7.1 simplifications we apply (trim, collapse inner whitespace, case-insensitive).
 */
export function namesEqual(a: DistinguishedName, b: DistinguishedName): boolean {
  if (a.der.length === b.der.length) {
    let same = true;
    for (let i = 0; i < a.der.length; i++) {
      if (a.der[i] !== b.der[i]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return a.attributes.length === b.attributes.length && canonical(a) === canonical(b);
}
