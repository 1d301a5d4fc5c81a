/**
 * The DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3, RFC 8446 §4.2.3), parsed strictly:
 * definite minimal lengths, minimal positive INTEGERs, no trailing bytes, 1 ≤ r, s < n. High-S values are accepted
 * (as OpenSSL does). No `node:` import.
 */
import { CryptoError } from './errors.js';
import { i2osp, os2ip } from './rsa.js';

/** The order n of the NIST curves we sign with. */
export const CURVE_ORDERS = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
} as const;

/** A NIST curve name. */
export type NistCurve = keyof typeof CURVE_ORDERS;

/** Byte length of a scalar / coordinate on each curve. */
export const CURVE_BYTES: Readonly<Record<NistCurve, number>> = { 'P-256': 32, 'P-384': 48 };

function bad(reason: string): never {
  throw new CryptoError('BAD_SIGNATURE', `malformed ECDSA signature: ${reason}`);
}

function readLength(b: Uint8Array, pos: number): [number, number] {
  if (pos >= b.length) bad('truncated length');
  const first = b[pos];
  if (first < 0x80) return [first, pos + 1];
  if (first !== 0x81) bad('length form'); // lengths here never exceed 255
  if (pos + 1 >= b.length) bad('truncated length');
  const len = b[pos + 1];
  if (len < 0x80) bad('non-minimal length');
  return [len, pos + 2];
}

/** The content bytes [start, end) of a DER INTEGER at `pos`, checked minimal and non-negative. */
function readIntegerSpan(b: Uint8Array, pos: number): [number, number] {
  if (pos >= b.length || b[pos] !== 0x02) bad('expected INTEGER');
  const [len, start] = readLength(b, pos + 1);
  const end = start + len;
  if (len === 0 || end > b.length) bad('bad INTEGER length');
  if (b[start] & 0x80) bad('negative INTEGER');
  if (len > 1 && b[start] === 0 && !(b[start + 1] & 0x80)) bad('non-minimal INTEGER');
  return [start, end];
}

/** The order of each curve as big-endian bytes, for range checks without BigInt. */
const ORDER_BYTES: Readonly<Record<NistCurve, Uint8Array>> = {
  'P-256': i2osp(CURVE_ORDERS['P-256'], 32),
  'P-384': i2osp(CURVE_ORDERS['P-384'], 48),
};

/** Whether the minimal non-negative INTEGER content b[start, end) is in [1, n). */
function inScalarRange(b: Uint8Array, start: number, end: number, order: Uint8Array): boolean {
  if (b[start] === 0) start++; // the sign pad (minimality allows no other leading zero)
  const len = end - start;
  if (len === 0) return false; // zero
  if (len !== order.length) return len < order.length;
  for (let i = 0; i < len; i++) {
    if (b[start + i] !== order[i]) return b[start + i] < order[i];
  }
  return false; // equal to n
}

/** Spans of r and s in a DER ECDSA signature after the structural checks. */
function scanEcdsaSignature(sig: Uint8Array, curve: NistCurve): [number, number, number, number] {
  if (!(sig instanceof Uint8Array) || sig.length < 8) bad('too short');
  if (sig[0] !== 0x30) bad('expected SEQUENCE');
  const [len, start] = readLength(sig, 1);
  if (start + len !== sig.length) bad('length mismatch / trailing data');
  const [rStart, rEnd] = readIntegerSpan(sig, start);
  const [sStart, sEnd] = readIntegerSpan(sig, rEnd);
  if (sEnd !== sig.length) bad('trailing data in SEQUENCE');
  const n = ORDER_BYTES[curve];
  if (!inScalarRange(sig, rStart, rEnd, n) || !inScalarRange(sig, sStart, sEnd, n)) bad('r or s out of range');
  return [rStart, rEnd, sStart, sEnd];
}

/** Checks a DER ECDSA signature as {@link parseEcdsaSignature} does, without decoding r and s; throws BAD_SIGNATURE. */
export function checkEcdsaSignature(sig: Uint8Array, curve: NistCurve): void {
  scanEcdsaSignature(sig, curve);
}

/** Parses a DER ECDSA signature and range-checks r and s against the curve order; throws BAD_SIGNATURE. */
export function parseEcdsaSignature(sig: Uint8Array, curve: NistCurve): { r: bigint; s: bigint } {
  const [rStart, rEnd, sStart, sEnd] = scanEcdsaSignature(sig, curve);
  return { r: os2ip(sig.subarray(rStart, rEnd)), s: os2ip(sig.subarray(sStart, sEnd)) };
}

function integerBytes(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Encodes (r, s) as a DER ECDSA signature. */
export function encodeEcdsaSignature(r: bigint, s: bigint): Uint8Array {
  const rb = integerBytes(r);
  const sb = integerBytes(s);
  const body = 4 + rb.length + sb.length;
  const long = body >= 0x80;
  const out = new Uint8Array((long ? 3 : 2) + body);
  let p = 0;
  out[p++] = 0x30;
  if (long) out[p++] = 0x81;
  out[p++] = body;
  out[p++] = 0x02;
  out[p++] = rb.length;
  out.set(rb, p);
  p += rb.length;
  out[p++] = 0x02;
  out[p++] = sb.length;
  out.set(sb, p);
  return out;
}

/** Fixed-width big-endian r‖s (the "compact"/IEEE P1363 form). */
export function ecdsaCompact(r: bigint, s: bigint, curve: NistCurve): Uint8Array {
  const n = CURVE_BYTES[curve];
  const out = new Uint8Array(2 * n);
  out.set(i2osp(r, n));
  out.set(i2osp(s, n), n);
  return out;
}
