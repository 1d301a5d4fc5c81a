/**
 * Certificate signature algorithms (RFC 5280 §4.1.1.2): the AlgorithmIdentifier of a certificate's signature mapped
 * onto the provider's {@link SignatureParams} — RSA PKCS#1 v1.5 with SHA-256/384/512 (RFC 4055), RSASSA-PSS with its
 * parameters (RFC 4055 §3.1), ECDSA with SHA-256/384/512 (RFC 5758 §3.2) and Ed25519 (RFC 8410) — and back, for the
 * certificate builder. SHA-1, MD5 and anything else are reported as unsupported rather than rejected at parse time,
 * so a chain with such a certificate fails validation with a clear reason.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { RsaSaPssParams, id_RSASSA_PSS, id_mgf1, id_sha1, id_sha256, id_sha384, id_sha512 } from '@peculiar/asn1-rsa';
import type { HashAlgorithm, SignatureParams } from '../crypto/provider.js';

/** A certificate's signature algorithm: usable params, or the reason it is not supported. */
export type CertificateSignatureAlgorithm =
  | { readonly supported: true; readonly oid: string; readonly name: string; readonly params: SignatureParams }
  | { readonly supported: false; readonly oid: string; readonly name: string; readonly reason: string };

/** OID of Ed25519 (RFC 8410 §3). */
export const OID_ED25519 = '1.3.101.112';

const HASH_OIDS: Readonly<Record<string, HashAlgorithm>> = { [id_sha256]: 'sha256', [id_sha384]: 'sha384', [id_sha512]: 'sha512' };
const OID_OF_HASH: Readonly<Record<HashAlgorithm, string>> = { sha256: id_sha256, sha384: id_sha384, sha512: id_sha512 };
const HASH_LEN: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

interface Fixed {
  readonly name: string;
  readonly params?: SignatureParams;
  /** 'null': parameters must be NULL or absent; 'absent': must be absent. */
  readonly parameters: 'null' | 'absent';
  readonly reason?: string;
}

const FIXED: Readonly<Record<string, Fixed>> = {
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', params: { kind: 'rsa-pkcs1', hash: 'sha256' }, parameters: 'null' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', params: { kind: 'rsa-pkcs1', hash: 'sha384' }, parameters: 'null' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', params: { kind: 'rsa-pkcs1', hash: 'sha512' }, parameters: 'null' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', params: { kind: 'ecdsa', hash: 'sha256' }, parameters: 'absent' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', params: { kind: 'ecdsa', hash: 'sha384' }, parameters: 'absent' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', params: { kind: 'ecdsa', hash: 'sha512' }, parameters: 'absent' },
  [OID_ED25519]: { name: 'Ed25519', params: { kind: 'ed25519' }, parameters: 'absent' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', parameters: 'null', reason: 'SHA-1 signatures are not accepted' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', parameters: 'absent', reason: 'SHA-1 signatures are not accepted' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', parameters: 'null', reason: 'MD5 signatures are not accepted' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', parameters: 'null', reason: 'SHA-224 is not supported' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', parameters: 'absent', reason: 'SHA-224 is not supported' },
  '1.3.101.113': { name: 'Ed448', parameters: 'absent', reason: 'Ed448 is not supported' },
};

const DER_NULL = new Uint8Array([0x05, 0x00]);

function isDerNull(p: ArrayBuffer): boolean {
  const b = new Uint8Array(p);
  return b.length === 2 && b[0] === 0x05 && b[1] === 0x00;
}

/** Hash of a (hash) AlgorithmIdentifier whose parameters are NULL or absent; undefined otherwise. */
function hashOf(alg: AlgorithmIdentifier): HashAlgorithm | 'sha1' | undefined {
  if (alg.parameters != null && !isDerNull(alg.parameters)) return undefined;
  if (alg.algorithm === id_sha1) return 'sha1';
  return HASH_OIDS[alg.algorithm];
}

function unsupported(oid: string, name: string, reason: string): CertificateSignatureAlgorithm {
  return { supported: false, oid, name, reason };
}

function fromPss(parameters: ArrayBuffer | null | undefined): CertificateSignatureAlgorithm {
  const name = 'RSASSA-PSS';
  if (parameters == null) return unsupported(id_RSASSA_PSS, name, 'RSASSA-PSS without parameters (SHA-1 defaults)');
  let p: RsaSaPssParams;
  try {
    p = AsnConvert.parse(parameters, RsaSaPssParams);
  } catch {
    return unsupported(id_RSASSA_PSS, name, 'malformed RSASSA-PSS parameters');
  }
  const hash = hashOf(p.hashAlgorithm);
  if (hash === undefined || hash === 'sha1') return unsupported(id_RSASSA_PSS, name, 'RSASSA-PSS hash must be SHA-256/384/512');
  if (p.maskGenAlgorithm.algorithm !== id_mgf1 || p.maskGenAlgorithm.parameters == null) {
    return unsupported(id_RSASSA_PSS, name, 'RSASSA-PSS mask generation must be MGF1');
  }
  let mgfHash: AlgorithmIdentifier;
  try {
    mgfHash = AsnConvert.parse(p.maskGenAlgorithm.parameters, AlgorithmIdentifier);
  } catch {
    return unsupported(id_RSASSA_PSS, name, 'malformed MGF1 parameters');
  }
  if (hashOf(mgfHash) !== hash) return unsupported(id_RSASSA_PSS, name, 'RSASSA-PSS MGF1 hash differs from the message hash');
  if (p.saltLength !== HASH_LEN[hash]) return unsupported(id_RSASSA_PSS, name, `RSASSA-PSS salt length ${p.saltLength} ≠ hash length`);
  if (p.trailerField !== 1) return unsupported(id_RSASSA_PSS, name, 'RSASSA-PSS trailer field must be 1');
  return { supported: true, oid: id_RSASSA_PSS, name: `${name}-${hash.toUpperCase()}`, params: { kind: 'rsa-pss', hash } };
}

/**
 * Maps a signature AlgorithmIdentifier (OID + raw DER parameters) to provider params. Never throws: unknown or
 * unsupported algorithms (SHA-1, MD5, SHA-224, Ed448, odd PSS parameters, parameters where none are allowed) come
 * back with `supported: false` and a reason.
 */
export function certificateSignatureAlgorithm(oid: string, parameters: ArrayBuffer | null | undefined): CertificateSignatureAlgorithm {
  if (oid === id_RSASSA_PSS) return fromPss(parameters);
  const f = FIXED[oid];
  if (f === undefined) return unsupported(oid, oid, `unknown signature algorithm ${oid}`);
  if (parameters != null && (f.parameters === 'absent' || !isDerNull(parameters))) {
    return unsupported(oid, f.name, `${f.name} with unexpected parameters`);
  }
  if (f.params === undefined) return unsupported(oid, f.name, f.reason ?? 'unsupported');
  return { supported: true, oid, name: f.name, params: f.params };
}

/**
 * The DER AlgorithmIdentifier for signing a certificate with `params` (RSA PKCS#1: NULL parameters; ECDSA and
 * Ed25519: absent; RSA-PSS: full RSASSA-PSS-params with MGF1 and salt = hash length).
 */
export function encodeSignatureAlgorithmIdentifier(params: SignatureParams): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(signatureAlgorithmIdentifier(params)));
}

/** The AlgorithmIdentifier object for `params` (see {@link encodeSignatureAlgorithmIdentifier}). */
export function signatureAlgorithmIdentifier(params: SignatureParams): AlgorithmIdentifier {
  switch (params.kind) {
    case 'ed25519':
      return new AlgorithmIdentifier({ algorithm: OID_ED25519 });
    case 'ecdsa': {
      const oid = { sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3', sha512: '1.2.840.10045.4.3.4' }[params.hash];
      return new AlgorithmIdentifier({ algorithm: oid });
    }
    case 'rsa-pkcs1': {
      const oid = { sha256: '1.2.840.113549.1.1.11', sha384: '1.2.840.113549.1.1.12', sha512: '1.2.840.113549.1.1.13' }[params.hash];
      return new AlgorithmIdentifier({ algorithm: oid, parameters: DER_NULL.slice().buffer });
    }
    case 'rsa-pss': {
      const hashId = new AlgorithmIdentifier({ algorithm: OID_OF_HASH[params.hash], parameters: DER_NULL.slice().buffer });
      const pss = new RsaSaPssParams({
        hashAlgorithm: hashId,
        maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(hashId) }),
        saltLength: HASH_LEN[params.hash],
      });
      return new AlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnConvert.serialize(pss) });
    }
  }
}
