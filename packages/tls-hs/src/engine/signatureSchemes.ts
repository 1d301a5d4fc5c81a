/**
 * SignatureScheme codepoints usable in a TLS 1.3 CertificateVerify (RFC 8446 §4.2.3), mapped to the provider's
 * SignatureParams and key types, and the choice of a scheme for our key given the peer's list.
 */
import type { KeyType, PrivateKey, PublicKey, SignatureParams } from '../crypto/provider.js';

/** One CertificateVerify-capable signature scheme. */
export interface SignatureSchemeInfo {
  /** Codepoint. */
  readonly code: number;
  /** IANA name. */
  readonly name: string;
  /** How the provider signs / verifies. */
  readonly params: SignatureParams;
  /** Key types that can use it. */
  readonly keyTypes: readonly KeyType[];
  /** For ECDSA: the bits of the only curve allowed with this scheme in TLS 1.3. */
  readonly curveBits?: number;
}

const SCHEMES: readonly SignatureSchemeInfo[] = Object.freeze([
  { code: 0x0403, name: 'ecdsa_secp256r1_sha256', params: { kind: 'ecdsa', hash: 'sha256' }, keyTypes: ['ec-p256'], curveBits: 256 },
  { code: 0x0503, name: 'ecdsa_secp384r1_sha384', params: { kind: 'ecdsa', hash: 'sha384' }, keyTypes: ['ec-p384'], curveBits: 384 },
  { code: 0x0807, name: 'ed25519', params: { kind: 'ed25519' }, keyTypes: ['ed25519'] },
  { code: 0x0804, name: 'rsa_pss_rsae_sha256', params: { kind: 'rsa-pss', hash: 'sha256' }, keyTypes: ['rsa'] },
  { code: 0x0805, name: 'rsa_pss_rsae_sha384', params: { kind: 'rsa-pss', hash: 'sha384' }, keyTypes: ['rsa'] },
  { code: 0x0806, name: 'rsa_pss_rsae_sha512', params: { kind: 'rsa-pss', hash: 'sha512' }, keyTypes: ['rsa'] },
  { code: 0x0809, name: 'rsa_pss_pss_sha256', params: { kind: 'rsa-pss', hash: 'sha256' }, keyTypes: ['rsa-pss'] },
  { code: 0x080a, name: 'rsa_pss_pss_sha384', params: { kind: 'rsa-pss', hash: 'sha384' }, keyTypes: ['rsa-pss'] },
  { code: 0x080b, name: 'rsa_pss_pss_sha512', params: { kind: 'rsa-pss', hash: 'sha512' }, keyTypes: ['rsa-pss'] },
] satisfies SignatureSchemeInfo[]);

/** Our default signature_algorithms list (preference order). */
export const DEFAULT_SIGNATURE_SCHEMES: readonly number[] = Object.freeze(SCHEMES.map((s) => s.code));

/**
 * Schemes we additionally accept in signature_algorithms_cert-style checks of certificates
 * (RSA PKCS#1 v1.5 with SHA-256/384/512; never valid in CertificateVerify).
 */
export const DEFAULT_CERT_SIGNATURE_SCHEMES: readonly number[] = Object.freeze([
  ...SCHEMES.map((s) => s.code),
  0x0401,
  0x0501,
  0x0601,
]);

const CERTIFICATE_ONLY_SCHEMES: Readonly<Record<string, number>> = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
};

/**
 * The codepoint of a scheme usable in certificate signatures (signature_algorithms_cert): a CertificateVerify scheme
 * or RSA PKCS#1 v1.5 ("rsa_pkcs1_sha256" …); by IANA name or codepoint. Undefined when we cannot verify it.
 */
export function certificateSignatureSchemeCode(scheme: string | number): number | undefined {
  if (typeof scheme === 'number') return DEFAULT_CERT_SIGNATURE_SCHEMES.includes(scheme) ? scheme : undefined;
  return signatureSchemeByName(scheme)?.code ?? CERTIFICATE_ONLY_SCHEMES[scheme.toLowerCase()];
}

/** The CertificateVerify scheme with this codepoint, or undefined (also for schemes TLS 1.3 forbids there). */
export function signatureSchemeByCode(code: number): SignatureSchemeInfo | undefined {
  for (const s of SCHEMES) if (s.code === code) return s;
  return undefined;
}

/** Accepts a scheme by IANA name (e.g. "ed25519", "rsa_pss_rsae_sha256"). */
export function signatureSchemeByName(name: string): SignatureSchemeInfo | undefined {
  const n = name.toLowerCase();
  for (const s of SCHEMES) if (s.name === n) return s;
  return undefined;
}

/** True when `key` can be used with `scheme` (key type, and the curve for ECDSA). */
export function schemeFitsKey(scheme: SignatureSchemeInfo, key: PublicKey): boolean {
  if (!scheme.keyTypes.includes(key.type)) return false;
  if (scheme.curveBits !== undefined && key.bits !== scheme.curveBits) return false;
  return true;
}

/**
 * The first scheme in `ours` (our preference) that the peer offered and that fits our key; undefined if none.
 */
export function chooseSignatureScheme(
  key: PrivateKey,
  peerSchemes: readonly number[],
  ours: readonly number[] = DEFAULT_SIGNATURE_SCHEMES,
): SignatureSchemeInfo | undefined {
  for (const code of ours) {
    if (!peerSchemes.includes(code)) continue;
    const s = signatureSchemeByCode(code);
    if (s !== undefined && schemeFitsKey(s, key.publicKey)) return s;
  }
  return undefined;
}
