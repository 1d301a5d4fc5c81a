/**
 * PEM (RFC 7468): textual encoding of DER blocks between `-----BEGIN <label>-----` and `-----END <label>-----`.
 * Decoding accepts several blocks in one text, ignores text between blocks (explanatory text, as RFC 7468 §2 allows),
 * and is strict inside a block: base64 characters only, matching END label, canonical padding. Encoding writes
 * 64-character lines.
 */
import { TlsAlert } from '../alerts.js';
import { base64Decode, base64Encode } from './base64.js';

/** Labels this module knows for keys and certificates (others still decode, under their own label). */
export type PemLabel = 'CERTIFICATE' | 'PRIVATE KEY' | 'EC PRIVATE KEY' | 'RSA PRIVATE KEY' | 'PUBLIC KEY';

/** One decoded PEM block. */
export interface PemBlock {
  /** The label, e.g. "CERTIFICATE". */
  readonly label: string;
  /** The DER bytes. */
  readonly der: Uint8Array;
}

/** Certificates or keys as accepted by the loaders: PEM text, one DER blob, or a list of either. */
export type PemOrDerInput = string | Uint8Array | readonly (string | Uint8Array)[];

/** Format hint of a private key loaded by {@link loadPrivateKeyDer}. */
export type PrivateKeyFormat = 'pkcs8' | 'sec1' | 'pkcs1';

/** A private key as DER plus its format hint; pass `der` to `provider.importPrivateKey`. */
export interface LoadedPrivateKeyDer {
  /** DER bytes (PKCS#8, SEC1 ECPrivateKey or PKCS#1 RSAPrivateKey). */
  readonly der: Uint8Array;
  /** Which of the three the bytes are. */
  readonly format: PrivateKeyFormat;
}

const BEGIN = /-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----/g;

function bad(reason: string): never {
  throw TlsAlert.of('bad_certificate', `PEM: ${reason}`);
}

/**
 * Decodes every PEM block in `text`, in order. Throws TlsAlert(bad_certificate) on a block without its END line,
 * a mismatched END label, or invalid base64 inside a block. Text outside blocks is ignored. Returns [] if there is
 * no block at all.
 */
export function decodePem(text: string): PemBlock[] {
  if (typeof text !== 'string') bad('input is not a string');
  const out: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BEGIN.exec(text)) !== null) {
    const label = m[1] ?? '';
    const endLine = `-----END ${label}-----`;
    const bodyStart = m.index + m[0].length;
    const end = text.indexOf('-----', bodyStart);
    if (end < 0 || !text.startsWith(endLine, end)) bad(`block "${label}" has no matching END line`);
    const body = text.slice(bodyStart, end).replace(/[ \t\r\n]+/g, '');
    const der = base64Decode(body);
    if (der === undefined) bad(`block "${label}" is not valid base64`);
    out.push({ label, der });
    BEGIN.lastIndex = end + endLine.length;
  }
  return out;
}

/** Encodes DER bytes as one PEM block with 64-character lines (RFC 7468 §2), ending in a newline. */
export function encodePem(label: string, der: Uint8Array): string {
  if (!/^[A-Z0-9][A-Z0-9 ]*$/.test(label)) throw TlsAlert.of('internal_error', `PEM: bad label "${label}"`);
  const b64 = base64Encode(der);
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += b64.slice(i, i + 64) + '\n';
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/** Encodes a list of DER certificates as concatenated CERTIFICATE blocks (a PEM chain file). */
export function encodeCertificatesPem(ders: readonly Uint8Array[]): string {
  return ders.map((d) => encodePem('CERTIFICATE', d)).join('');
}

/**
 * Loads certificates: PEM text with any number of CERTIFICATE blocks (other blocks are skipped), one DER certificate,
 * or a list of either (flattened in order). Throws TlsAlert(bad_certificate) when PEM text holds no certificate or a
 * DER item is empty.
 */
export function loadCertificates(input: PemOrDerInput): Uint8Array[] {
  const items = typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
  const out: Uint8Array[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      const certs = decodePem(item).filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE');
      if (certs.length === 0) bad('no CERTIFICATE block');
      for (const c of certs) out.push(c.der);
    } else if (item instanceof Uint8Array) {
      if (item.length === 0) bad('empty DER certificate');
      out.push(item);
    } else {
      bad('certificate input must be PEM text or DER bytes');
    }
  }
  return out;
}

const KEY_LABELS: Readonly<Record<string, PrivateKeyFormat>> = {
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
  'RSA PRIVATE KEY': 'pkcs1',
};

/**
 * Guesses the format of a DER private key from its outer structure: PKCS#8 starts SEQUENCE { INTEGER 0,
 * SEQUENCE (AlgorithmIdentifier) …}; SEC1 starts SEQUENCE { INTEGER 1, OCTET STRING …}; PKCS#1 starts SEQUENCE
 * { INTEGER 0, INTEGER (modulus) …}. Returns undefined when none fits.
 */
export function guessPrivateKeyFormat(der: Uint8Array): PrivateKeyFormat | undefined {
  if (der.length < 8 || der[0] !== 0x30) return undefined;
  let i = 1;
  const l = der[i++];
  if (l & 0x80) i += l & 0x7f;
  if (der[i] !== 0x02 || der[i + 1] !== 0x01) return undefined;
  const version = der[i + 2];
  const next = der[i + 3];
  if (version === 1 && next === 0x04) return 'sec1';
  if (version === 0 && next === 0x30) return 'pkcs8';
  if (version === 1 && next === 0x30) return 'pkcs8'; // OneAsymmetricKey v2 (RFC 5958)
  if (version === 0 && next === 0x02) return 'pkcs1';
  return undefined;
}

/**
 * Loads one private key from PEM text (exactly one PRIVATE KEY / EC PRIVATE KEY / RSA PRIVATE KEY block; an
 * "EC PARAMETERS" block beside it is ignored) or DER bytes, and says which format it is. Encrypted keys are not
 * supported. Throws TlsAlert(bad_certificate) when there is no key, more than one, or an unrecognisable DER key.
 */
export function loadPrivateKeyDer(input: string | Uint8Array): LoadedPrivateKeyDer {
  if (typeof input === 'string') {
    const blocks = decodePem(input).filter((b) => b.label.endsWith('PRIVATE KEY'));
    if (blocks.length === 0) bad('no private key block');
    if (blocks.length > 1) bad('more than one private key block');
    const { label, der } = blocks[0];
    const format = KEY_LABELS[label];
    if (format === undefined) bad(`unsupported private key block "${label}"`);
    return { der, format };
  }
  if (!(input instanceof Uint8Array)) bad('private key input must be PEM text or DER bytes');
  const format = guessPrivateKeyFormat(input);
  if (format === undefined) bad('unrecognised DER private key');
  return { der: input, format };
}
