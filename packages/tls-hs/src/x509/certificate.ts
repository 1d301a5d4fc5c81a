/**
 * X.509 v3 certificates (RFC 5280 §4.1): parsing with @peculiar/asn1-x509 into a flat, read-only view that the
 * path validator and the handshake need — raw DER, TBS bytes, names, serial, validity, SPKI, signature algorithm
 * (as provider {@link SignatureParams}), signature, and the extensions of RFC 5280 §4.2 that TLS cares about.
 *
 * Any structural problem (not DER, trailing bytes, bad extension contents, duplicate extensions, v1/v2 certificates
 * with extensions, an iPAddress SAN that is not 4 or 16 bytes …) → TlsAlert bad_certificate. An unsupported signature
 * algorithm or an unknown critical extension is not a parse error: it is recorded here and refused by path validation.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { TlsAlert } from '../alerts.js';
import { derBytes, derChildren, readDerTlv, type DerTlv } from './derTlv.js';
import { distinguishedName, namesEqual, type DistinguishedName } from './distinguishedName.js';
import { parseIpAddress } from './ipAddress.js';
import { certificateSignatureAlgorithm, type CertificateSignatureAlgorithm } from './signatureAlgorithm.js';
import { copyBytes } from '../wire/bytes.js';

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

/** Name of a KeyUsage bit. */
export type KeyUsageName = keyof typeof KeyUsageBit;

/** Extended key usage OIDs (RFC 5280 §4.2.1.12). */
export const ExtKeyUsageOid = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** One extension as it appears in the certificate. */
export interface RawExtension {
  /** extnID. */
  readonly oid: string;
  /** The critical flag. */
  readonly critical: boolean;
  /** The DER inside extnValue. */
  readonly value: Uint8Array;
}

/** basicConstraints (RFC 5280 §4.2.1.9). */
export interface BasicConstraintsExtension {
  /** Whether the subject is a CA. */
  readonly cA: boolean;
  /** pathLenConstraint, when present. */
  readonly pathLen?: number;
  /** Critical flag. */
  readonly critical: boolean;
}

/** keyUsage (RFC 5280 §4.2.1.3). */
export interface KeyUsageExtension {
  /** Bitmask: bit n of the ASN.1 BIT STRING is `1 << n` here (n from {@link KeyUsageBit}). */
  readonly mask: number;
  /** Names of the set bits. */
  readonly names: readonly KeyUsageName[];
  /** Critical flag. */
  readonly critical: boolean;
}

/** subjectAltName entries TLS uses (RFC 5280 §4.2.1.6); other GeneralName kinds are counted, not kept. */
export interface SubjectAltNameExtension {
  /** dNSName entries, as written (IA5). */
  readonly dnsNames: readonly string[];
  /** iPAddress entries, 4 or 16 bytes each. */
  readonly ipAddresses: readonly Uint8Array[];
  /** Number of entries of other kinds (rfc822Name, URI, otherName, …). */
  readonly otherNames: number;
  /** Critical flag. */
  readonly critical: boolean;
}

/** The extensions of a certificate, decoded where we understand them. */
export interface CertificateExtensions {
  /** All extensions in order, raw. */
  readonly all: readonly RawExtension[];
  /** basicConstraints. */
  readonly basicConstraints?: BasicConstraintsExtension;
  /** keyUsage. */
  readonly keyUsage?: KeyUsageExtension;
  /** extendedKeyUsage purpose OIDs. */
  readonly extKeyUsage?: readonly string[];
  /** subjectAltName. */
  readonly subjectAltName?: SubjectAltNameExtension;
  /** authorityKeyIdentifier keyIdentifier. */
  readonly authorityKeyIdentifier?: Uint8Array;
  /** subjectKeyIdentifier. */
  readonly subjectKeyIdentifier?: Uint8Array;
  /** OIDs of critical extensions this module does not process (path validation refuses them). */
  readonly unknownCritical: readonly string[];
}

/** A parsed X.509 certificate. All byte fields are views into `der` or fresh copies; treat them as read-only. */
export interface X509Certificate {
  /** The whole certificate, DER. */
  readonly der: Uint8Array;
  /** The TBSCertificate DER (what the issuer signed). */
  readonly tbs: Uint8Array;
  /** Version: 1, 2 or 3. */
  readonly version: number;
  /** serialNumber content octets (two's complement, as encoded). */
  readonly serialNumber: Uint8Array;
  /** serialNumber as lowercase hex (of the encoded octets). */
  readonly serialHex: string;
  /** Issuer name. */
  readonly issuer: DistinguishedName;
  /** Subject name. */
  readonly subject: DistinguishedName;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity (inclusive). */
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo (for `provider.importPublicKey`). */
  readonly spki: Uint8Array;
  /** OID of the subject public key algorithm. */
  readonly publicKeyAlgorithm: string;
  /** The signature algorithm (outer signatureAlgorithm; equal to the TBS one, checked). */
  readonly signatureAlgorithm: CertificateSignatureAlgorithm;
  /** The signature value (BIT STRING contents without the unused-bits octet). */
  readonly signature: Uint8Array;
  /** Extensions. */
  readonly extensions: CertificateExtensions;
  /** True when subject and issuer are the same name (the certificate may be self-signed). */
  readonly selfIssued: boolean;
}

function bad(reason: string, cause?: unknown): never {
  throw TlsAlert.of('bad_certificate', `X.509: ${reason}`, cause);
}

function u8(b: ArrayBuffer | ArrayBufferView): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function parseExt<T>(value: Uint8Array, target: new () => T, what: string): T {
  const top = readDerTlv(value, 0);
  if (top === undefined || top.end !== value.length) bad(`${what}: malformed extension value`);
  try {
    return AsnConvert.parse(value, target);
  } catch (e) {
    bad(`${what}: malformed extension value`, e);
  }
}

function bitMask(bits: KeyUsage): number {
  const bytes = new Uint8Array(bits.value);
  let mask = 0;
  for (let n = 0; n < 9 && n < bytes.length * 8; n++) {
    if ((bytes[n >> 3] >> (7 - (n & 7))) & 1) mask |= 1 << n;
  }
  return mask;
}

function decodeExtensions(raw: readonly RawExtension[]): CertificateExtensions {
  let basicConstraints: BasicConstraintsExtension | undefined;
  let keyUsage: KeyUsageExtension | undefined;
  let extKeyUsage: string[] | undefined;
  let subjectAltName: SubjectAltNameExtension | undefined;
  let authorityKeyIdentifier: Uint8Array | undefined;
  let subjectKeyIdentifier: Uint8Array | undefined;
  const unknownCritical: string[] = [];
  const seen = new Set<string>();
  for (const ext of raw) {
    if (seen.has(ext.oid)) bad(`duplicate extension ${ext.oid}`);
    seen.add(ext.oid);
    switch (ext.oid) {
      case id_ce_basicConstraints: {
        const bc = parseExt(ext.value, BasicConstraints, 'basicConstraints');
        const pathLen = bc.pathLenConstraint;
        if (pathLen !== undefined && (!Number.isSafeInteger(pathLen) || pathLen < 0)) bad('basicConstraints: bad pathLenConstraint');
        basicConstraints = pathLen === undefined ? { cA: bc.cA, critical: ext.critical } : { cA: bc.cA, pathLen, critical: ext.critical };
        break;
      }
      case id_ce_keyUsage: {
        const ku = parseExt(ext.value, KeyUsage, 'keyUsage');
        const mask = bitMask(ku);
        const names = (Object.keys(KeyUsageBit) as KeyUsageName[]).filter((n) => mask & (1 << KeyUsageBit[n]));
        keyUsage = { mask, names, critical: ext.critical };
        break;
      }
      case id_ce_extKeyUsage: {
        const eku = parseExt(ext.value, ExtendedKeyUsage, 'extKeyUsage');
        if (eku.length === 0) bad('extKeyUsage: empty');
        extKeyUsage = [...eku];
        break;
      }
      case id_ce_subjectAltName: {
        const san = parseExt(ext.value, SubjectAlternativeName, 'subjectAltName');
        const dnsNames: string[] = [];
        const ipAddresses: Uint8Array[] = [];
        let otherNames = 0;
        for (const gn of san) {
          if (gn.dNSName !== undefined) dnsNames.push(gn.dNSName);
          else if (gn.iPAddress !== undefined) {
            // asn1-x509 hands the octets over as text; 4 and 16 bytes round-trip exactly, other lengths do not parse.
            const ip = parseIpAddress(gn.iPAddress);
            if (ip === undefined) bad('subjectAltName: iPAddress must be 4 or 16 bytes');
            ipAddresses.push(ip);
          } else otherNames++;
        }
        subjectAltName = { dnsNames, ipAddresses, otherNames, critical: ext.critical };
        break;
      }
      case id_ce_authorityKeyIdentifier: {
        const aki = parseExt(ext.value, AuthorityKeyIdentifier, 'authorityKeyIdentifier');
        if (aki.keyIdentifier !== undefined) authorityKeyIdentifier = u8(aki.keyIdentifier.buffer).slice();
        break;
      }
      case id_ce_subjectKeyIdentifier: {
        const ski = parseExt(ext.value, SubjectKeyIdentifier, 'subjectKeyIdentifier');
        subjectKeyIdentifier = u8(ski.buffer).slice();
        break;
      }
      default:
        if (ext.critical && !HANDLED_ELSEWHERE.has(ext.oid)) unknownCritical.push(ext.oid);
    }
  }
  return { all: raw, basicConstraints, keyUsage, extKeyUsage, subjectAltName, authorityKeyIdentifier, subjectKeyIdentifier, unknownCritical };
}

/**
 * Critical extensions we accept without processing because they do not restrict TLS use in our setting:
 * none yet — name constraints and policy constraints are deliberately NOT listed, so a CA using them is refused
 * rather than silently trusted beyond its constraints.
 */
const HANDLED_ELSEWHERE: ReadonlySet<string> = new Set<string>();

/**
 * Parses a DER certificate. Throws TlsAlert(bad_certificate) for anything that is not a well-formed X.509
 * certificate (see the module comment). The input is copied, so later changes to it do not affect the result.
 */
export function parseX509Certificate(input: Uint8Array): X509Certificate {
  if (!(input instanceof Uint8Array) || input.length === 0) bad('empty or not bytes');
  const der = copyBytes(input);
  const outer = readDerTlv(der, 0);
  if (outer === undefined || outer.tag !== 0x30 || outer.end !== der.length) bad('not a single DER SEQUENCE');
  const top = derChildren(der, outer);
  if (top === undefined || top.length !== 3 || top[0].tag !== 0x30) bad('Certificate must be SEQUENCE { tbs, algorithm, signature }');
  const tbsTlv = top[0];
  const fields = derChildren(der, tbsTlv);
  if (fields === undefined) bad('malformed TBSCertificate');
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch (e) {
    bad('malformed certificate DER', e);
  }
  const tbs = cert.tbsCertificate;

  // TBS fields by position: [0] version?, serial, signature, issuer, validity, subject, spki, ...
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const field = (): DerTlv => {
    const f = fields[i++];
    if (f === undefined) bad('TBSCertificate is missing fields');
    return f;
  };
  const serialTlv = field();
  field(); // signature AlgorithmIdentifier
  const issuerTlv = field();
  field(); // validity
  const subjectTlv = field();
  const spkiTlv = field();
  if (serialTlv.tag !== 0x02 || issuerTlv.tag !== 0x30 || subjectTlv.tag !== 0x30 || spkiTlv.tag !== 0x30) {
    bad('TBSCertificate fields out of order');
  }

  const version = tbs.version + 1;
  if (version < 1 || version > 3) bad(`unknown version ${version}`);
  if (tbs.extensions !== undefined && version !== 3) bad('extensions in a non-v3 certificate');

  const serialNumber = der.slice(serialTlv.contentStart, serialTlv.end);
  if (serialNumber.length === 0 || serialNumber.length > 20 + 1) bad('serialNumber must be 1..20 octets');

  const outerAlg = cert.signatureAlgorithm;
  if (!outerAlg.isEqual(tbs.signature)) bad('signatureAlgorithm differs from the TBS signature field');
  const signatureAlgorithm = certificateSignatureAlgorithm(outerAlg.algorithm, outerAlg.parameters);

  const sigTlv = top[2];
  if (sigTlv.tag !== 0x03 || der[sigTlv.contentStart] !== 0) bad('signatureValue must be a BIT STRING with no unused bits');
  const signature = der.slice(sigTlv.contentStart + 1, sigTlv.end);

  const notBefore = tbs.validity.notBefore.getTime();
  const notAfter = tbs.validity.notAfter.getTime();
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) bad('invalid validity time');

  const rawExt: RawExtension[] = (tbs.extensions ?? []).map((e) => ({
    oid: e.extnID,
    critical: e.critical,
    value: u8(e.extnValue.buffer).slice(),
  }));
  const extensions = decodeExtensions(rawExt);

  const issuer = distinguishedName(tbs.issuer, derBytes(der, issuerTlv));
  const subject = distinguishedName(tbs.subject, derBytes(der, subjectTlv));
  return {
    der,
    tbs: derBytes(der, tbsTlv),
    version,
    serialNumber,
    serialHex: toHex(serialNumber),
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: derBytes(der, spkiTlv),
    publicKeyAlgorithm: tbs.subjectPublicKeyInfo.algorithm.algorithm,
    signatureAlgorithm,
    signature,
    extensions,
    selfIssued: namesEqual(issuer, subject),
  };
}

/** True when the certificate's keyUsage is absent or has bit `name` set (RFC 5280: absent means unrestricted). */
export function keyUsageAllows(cert: X509Certificate, name: KeyUsageName): boolean {
  const ku = cert.extensions.keyUsage;
  return ku === undefined || (ku.mask & (1 << KeyUsageBit[name])) !== 0;
}
