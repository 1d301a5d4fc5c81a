/**
 * Certificate creation for tests, examples and the echo demo: self-signed certificates and CA-issued ones, built with
 * @peculiar/asn1-x509 and signed through the {@link CryptoProvider}. Sans-IO: validity dates are required inputs and
 * serial numbers come from the provider's RNG (or are given).
 *
 * Extensions written (RFC 5280 §4.2): basicConstraints (critical), keyUsage (critical), extendedKeyUsage,
 * subjectAltName (dNSName + iPAddress), subjectKeyIdentifier (SHA-256 of the public key bits truncated to 160 bits,
 * RFC 7093 §2 method 1) and authorityKeyIdentifier (the issuer's SKI).
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { TlsAlert } from '../alerts.js';
import type { CryptoProvider, PrivateKey, SignatureParams } from '../crypto/provider.js';
import { ExtKeyUsageOid, KeyUsageBit, parseX509Certificate, type KeyUsageName, type X509Certificate } from './certificate.js';
import { formatIpAddress, parseIpAddress } from './ipAddress.js';
import { encodePem } from './pem.js';
import { signatureAlgorithmIdentifier } from './signatureAlgorithm.js';

/** Key types the builder can generate. */
export type CertificateKeyType = 'ec-p256' | 'ec-p384' | 'ed25519' | 'rsa';

/** Subject name fields (written in this order: C, O, OU, CN). */
export interface SubjectFields {
  /** commonName. */
  readonly commonName: string;
  /** organizationName. */
  readonly organization?: string;
  /** organizationalUnitName. */
  readonly organizationalUnit?: string;
  /** countryName (2 letters). */
  readonly country?: string;
}

/** What to put in a certificate. */
export interface CertificateTemplate {
  /** Subject: a common name, or fields. */
  readonly subject: string | SubjectFields;
  /** subjectAltName dNSName entries. */
  readonly dnsNames?: readonly string[];
  /** subjectAltName iPAddress entries, as IPv4/IPv6 literals. */
  readonly ipAddresses?: readonly string[];
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** Serial number bytes (positive, 1..20 bytes); default 16 random bytes from the provider. */
  readonly serialNumber?: Uint8Array;
  /** Makes a CA certificate (basicConstraints cA). Default false. */
  readonly isCA?: boolean;
  /** pathLenConstraint of a CA. */
  readonly pathLen?: number;
  /** keyUsage bits; default keyCertSign + cRLSign for a CA, digitalSignature for a leaf; [] omits the extension. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** extendedKeyUsage: purpose names or OIDs; default serverAuth + clientAuth for a leaf, none for a CA; [] omits. */
  readonly extKeyUsage?: readonly (keyof typeof ExtKeyUsageOid | string)[];
  /** Key of the new certificate; default: a fresh key of `keyType`. */
  readonly key?: PrivateKey;
  /** Type of the generated key (default ec-p256). */
  readonly keyType?: CertificateKeyType;
  /** RSA modulus size for a generated RSA key (default 2048). */
  readonly rsaBits?: number;
  /** Signature params for the signer's key; default from the signer's key type ({@link defaultCertificateSignature}). */
  readonly signature?: SignatureParams;
}

/** The issuer side of {@link issueCertificate}. */
export interface CertificateIssuer {
  /** The issuer's certificate (parsed or DER). */
  readonly certificate: X509Certificate | Uint8Array;
  /** The issuer's private key. */
  readonly key: PrivateKey;
}

/** A created certificate with its key. */
export interface CreatedCertificate {
  /** The certificate, DER. */
  readonly der: Uint8Array;
  /** The certificate, PEM. */
  readonly pem: string;
  /** The certificate, parsed. */
  readonly certificate: X509Certificate;
  /** The certificate's private key. */
  readonly key: PrivateKey;
  /** The private key, PEM (PKCS#8 "PRIVATE KEY"). */
  readonly keyPem: string;
}

/**
 * The signature a key makes on certificates by default: ECDSA with SHA-256 (P-256) or SHA-384 (P-384), Ed25519,
 * RSA PKCS#1 v1.5 with SHA-256 (RSASSA-PSS keys: PSS with SHA-256).
 */
export function defaultCertificateSignature(key: PrivateKey): SignatureParams {
  switch (key.type) {
    case 'ec-p256':
      return { kind: 'ecdsa', hash: 'sha256' };
    case 'ec-p384':
      return { kind: 'ecdsa', hash: 'sha384' };
    case 'ed25519':
      return { kind: 'ed25519' };
    case 'rsa':
      return { kind: 'rsa-pkcs1', hash: 'sha256' };
    case 'rsa-pss':
      return { kind: 'rsa-pss', hash: 'sha256' };
  }
}

function utf8(value: string): AttributeValue {
  return new AttributeValue({ utf8String: value });
}

function buildName(subject: string | SubjectFields): Name {
  const f: SubjectFields = typeof subject === 'string' ? { commonName: subject } : subject;
  const rdns: RelativeDistinguishedName[] = [];
  const add = (oid: string, value: AttributeValue): void => {
    rdns.push(new RelativeDistinguishedName([new AttributeTypeAndValue({ type: oid, value })]));
  };
  if (f.country !== undefined) {
    if (!/^[A-Z]{2}$/.test(f.country)) throw TlsAlert.of('internal_error', 'country must be two capital letters');
    add('2.5.4.6', new AttributeValue({ printableString: f.country }));
  }
  if (f.organization !== undefined) add('2.5.4.10', utf8(f.organization));
  if (f.organizationalUnit !== undefined) add('2.5.4.11', utf8(f.organizationalUnit));
  add('2.5.4.3', utf8(f.commonName));
  return new Name(rdns);
}

function extension(oid: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function keyIdentifier(provider: CryptoProvider, spki: Uint8Array): Uint8Array {
  const parsed = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  return provider.hash('sha256', new Uint8Array(parsed.subjectPublicKey)).slice(0, 20);
}

function serial(provider: CryptoProvider, given: Uint8Array | undefined): Uint8Array {
  if (given !== undefined) {
    if (given.length === 0 || given.length > 20 || given[0] & 0x80 || (given.length > 1 && given[0] === 0 && !(given[1] & 0x80))) {
      throw TlsAlert.of('internal_error', 'serialNumber must be a minimal positive integer of 1..20 bytes');
    }
    return given;
  }
  const s = provider.randomBytes(16);
  s[0] = (s[0] & 0x7f) | 0x40; // positive, and never a leading zero byte
  return s;
}

interface SignerInfo {
  readonly name: Name;
  readonly key: PrivateKey;
  readonly keyId: Uint8Array | undefined;
}

function build(provider: CryptoProvider, t: CertificateTemplate, key: PrivateKey, signer: SignerInfo | undefined): CreatedCertificate {
  if (!(t.notBefore instanceof Date) || !(t.notAfter instanceof Date) || !(t.notBefore.getTime() <= t.notAfter.getTime())) {
    throw TlsAlert.of('internal_error', 'certificate validity needs notBefore <= notAfter');
  }
  const isCA = t.isCA ?? false;
  if (t.pathLen !== undefined && (!isCA || !Number.isSafeInteger(t.pathLen) || t.pathLen < 0)) {
    throw TlsAlert.of('internal_error', 'pathLen needs isCA and a non-negative integer');
  }
  const subject = buildName(t.subject);
  const ski = keyIdentifier(provider, key.publicKey.spki);
  const selfSigned = signer === undefined;
  const signingKey = signer?.key ?? key;
  const sigParams = t.signature ?? defaultCertificateSignature(signingKey);
  const algorithm = signatureAlgorithmIdentifier(sigParams);

  const exts: Extension[] = [];
  exts.push(extension(id_ce_basicConstraints, true, new BasicConstraints(isCA ? { cA: true, pathLenConstraint: t.pathLen } : { cA: false })));
  const kuNames = t.keyUsage ?? (isCA ? (['keyCertSign', 'cRLSign'] as const) : (['digitalSignature'] as const));
  if (kuNames.length > 0) {
    let mask = 0;
    for (const n of kuNames) {
      const bit = KeyUsageBit[n];
      if (bit === undefined) throw TlsAlert.of('internal_error', `unknown keyUsage ${String(n)}`);
      mask |= 1 << bit;
    }
    exts.push(extension(id_ce_keyUsage, true, new KeyUsage(mask)));
  }
  const eku = t.extKeyUsage ?? (isCA ? [] : ['serverAuth', 'clientAuth']);
  if (eku.length > 0) {
    const oids = eku.map((e) => (e in ExtKeyUsageOid ? ExtKeyUsageOid[e as keyof typeof ExtKeyUsageOid] : e));
    for (const o of oids) if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(o)) throw TlsAlert.of('internal_error', `bad extKeyUsage ${o}`);
    exts.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(oids)));
  }
  const names: GeneralName[] = [];
  for (const d of t.dnsNames ?? []) {
    if (!/^[\x21-\x7e]+$/.test(d)) throw TlsAlert.of('internal_error', `bad dNSName "${d}"`);
    names.push(new GeneralName({ dNSName: d }));
  }
  for (const ip of t.ipAddresses ?? []) {
    const bytes = parseIpAddress(ip);
    if (bytes === undefined) throw TlsAlert.of('internal_error', `bad IP address "${ip}"`);
    names.push(new GeneralName({ iPAddress: formatIpAddress(bytes) }));
  }
  if (names.length > 0) exts.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  exts.push(extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski)));
  const akid = selfSigned ? ski : signer.keyId;
  if (akid !== undefined) {
    exts.push(extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(akid) })));
  }

  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial(provider, t.serialNumber).slice().buffer,
    signature: algorithm,
    issuer: signer?.name ?? subject,
    validity: new Validity({ notBefore: t.notBefore, notAfter: t.notAfter }),
    subject,
    subjectPublicKeyInfo: AsnConvert.parse(key.publicKey.spki, SubjectPublicKeyInfo),
    extensions: new Extensions(exts),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = provider.sign(signingKey, sigParams, tbsDer);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: signature.slice().buffer });
  const der = new Uint8Array(AsnConvert.serialize(cert));
  const certificate = parseX509Certificate(der);
  return { der, pem: encodePem('CERTIFICATE', der), certificate, key, keyPem: encodePem('PRIVATE KEY', key.pkcs8) };
}

function keyFor(provider: CryptoProvider, t: CertificateTemplate): PrivateKey {
  if (t.key !== undefined) return t.key;
  const type = t.keyType ?? 'ec-p256';
  return type === 'rsa' ? provider.generateKeyPair('rsa', { bits: t.rsaBits ?? 2048 }) : provider.generateKeyPair(type);
}

/** Creates a self-signed certificate (a root CA with `isCA: true`, or a self-signed leaf) and its key. */
export function createSelfSignedCertificate(provider: CryptoProvider, template: CertificateTemplate): CreatedCertificate {
  return build(provider, template, keyFor(provider, template), undefined);
}

/**
 * Issues a certificate signed by `issuer` (whose subject becomes the issuer name and whose subjectKeyIdentifier becomes
 * the authorityKeyIdentifier). Does not check that the issuer is a CA: that is the validator's job, and tests need
 * bad certificates too.
 */
export function issueCertificate(provider: CryptoProvider, issuer: CertificateIssuer, template: CertificateTemplate): CreatedCertificate {
  const ic = issuer.certificate instanceof Uint8Array ? parseX509Certificate(issuer.certificate) : issuer.certificate;
  const name = AsnConvert.parse(ic.subject.der, Name);
  return build(provider, template, keyFor(provider, template), { name, key: issuer.key, keyId: ic.extensions.subjectKeyIdentifier });
}
