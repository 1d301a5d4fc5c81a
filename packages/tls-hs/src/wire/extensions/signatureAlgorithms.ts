/**
 * signature_algorithms and signature_algorithms_cert (RFC 8446 §4.2.3): both are
 * `SignatureScheme supported_signature_algorithms<2..2^16-2>`.
 */
import { readU16List, writeU16List } from './supportedGroups.js';

/** Parses signature_algorithms extension_data. */
export function parseSignatureAlgorithms(data: Uint8Array): number[] {
  return readU16List(data, 'signature_algorithms', 'supported_signature_algorithms');
}

/** Encodes signature_algorithms extension_data. */
export function encodeSignatureAlgorithms(schemes: readonly number[]): Uint8Array {
  return writeU16List(schemes, 'supported_signature_algorithms');
}

/** Parses signature_algorithms_cert extension_data. */
export function parseSignatureAlgorithmsCert(data: Uint8Array): number[] {
  return readU16List(data, 'signature_algorithms_cert', 'supported_signature_algorithms');
}

/** Encodes signature_algorithms_cert extension_data. */
export function encodeSignatureAlgorithmsCert(schemes: readonly number[]): Uint8Array {
  return writeU16List(schemes, 'supported_signature_algorithms');
}
