/**
 * Send-side header builders. Each writes an unprotected header whose packet number sits at the returned
 * `pnOffset`, ready for quic-crypto's PacketProtector (AEAD with the header as AAD, then header protection).
 * The packet number is written truncated to `pnLength` bytes (choose it with quic-crypto's packetNumberLength).
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { MAX_CONNECTION_ID_LENGTH } from '../frame/frameType.js';
import { QuicWriter } from '../frame/quicWriter.js';
import { varintSize } from '../frame/varint.js';
import { FIXED_BIT, HEADER_FORM_BIT, KEY_PHASE_BIT, SPIN_BIT } from './packetHeader.js';
import { longPacketTypeBits } from './version.js';

/** Fields of an Initial, 0-RTT or Handshake header. */
export interface LongHeaderFields {
  /** QUIC version (v1 or v2). */
  version: number;
  /** Packet type. */
  type: 'initial' | 'zeroRtt' | 'handshake';
  /** Destination connection ID (0..20 bytes). */
  dcid: Uint8Array;
  /** Source connection ID (0..20 bytes). */
  scid: Uint8Array;
  /** Initial token (Initial only; default empty). */
  token?: Uint8Array;
  /** Full packet number. */
  pn: number;
  /** Bytes (1..4) to encode the packet number with. */
  pnLength: number;
  /** Bytes after the packet number: protected payload including the AEAD tag. */
  payloadLength: number;
  /** Size of the Length varint (default minimal; use 2 or 4 to keep headers a fixed size). */
  lengthFieldSize?: number;
  /** Set the fixed bit (default true; false only to grease it when the peer sent grease_quic_bit). */
  fixedBit?: boolean;
}

/** Fields of a 1-RTT (short) header. */
export interface ShortHeaderFields {
  /** Destination connection ID (length known to the peer). */
  dcid: Uint8Array;
  /** Full packet number. */
  pn: number;
  /** Bytes (1..4) to encode the packet number with. */
  pnLength: number;
  /** Latency spin bit (default false). */
  spin?: boolean;
  /** Key phase (default 0). */
  keyPhase?: 0 | 1;
  /** Set the fixed bit (default true). */
  fixedBit?: boolean;
}

/** A built header. */
export interface BuiltHeader {
  /** The unprotected header bytes (a view into the writer's buffer). */
  header: Uint8Array;
  /** Offset of the packet number within `header`. */
  pnOffset: number;
}

function checkPnLength(pnLength: number): void {
  if (!(pnLength >= 1 && pnLength <= 4) || !Number.isInteger(pnLength)) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `packet number length ${pnLength} outside 1..4`);
  }
}

function writePacketNumber(w: QuicWriter, pn: number, pnLength: number): void {
  const t = pn >>> 0; // pn mod 2^32; the low pnLength bytes are the truncated packet number
  for (let i = pnLength - 1; i >= 0; i--) w.u8((t >>> (8 * i)) & 0xff);
}

function checkCid(cid: Uint8Array, what: string): void {
  if (cid.length > MAX_CONNECTION_ID_LENGTH) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `${what} longer than 20 bytes`);
  }
}

/**
 * Writes a long header into `w` and returns the absolute offset of its packet number in the writer's buffer.
 * Invalid fields (CID > 20 bytes, pnLength outside 1..4, token on a non-Initial) are QuicError(INTERNAL_ERROR).
 */
export function writeLongHeader(w: QuicWriter, h: LongHeaderFields): number {
  checkPnLength(h.pnLength);
  checkCid(h.dcid, 'DCID');
  checkCid(h.scid, 'SCID');
  const token = h.token;
  if (token && token.length > 0 && h.type !== 'initial') {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'only Initial packets carry a token');
  }
  const bits = longPacketTypeBits(h.version, h.type);
  const fixed = h.fixedBit === false ? 0 : FIXED_BIT;
  w.u8(HEADER_FORM_BIT | fixed | (bits << 4) | (h.pnLength - 1));
  w.u32(h.version);
  w.u8(h.dcid.length).bytes(h.dcid);
  w.u8(h.scid.length).bytes(h.scid);
  if (h.type === 'initial') w.varintBytes(token ?? new Uint8Array(0));
  const length = h.pnLength + h.payloadLength;
  w.varint(length, Math.max(h.lengthFieldSize ?? 0, varintSize(length)));
  const pnOffset = w.pos;
  writePacketNumber(w, h.pn, h.pnLength);
  return pnOffset;
}

/** Builds a long header into a fresh buffer. */
export function buildLongHeader(h: LongHeaderFields): BuiltHeader {
  const w = new QuicWriter(64 + h.dcid.length + h.scid.length + (h.token?.length ?? 0));
  const pnOffset = writeLongHeader(w, h);
  return { header: w.finish(), pnOffset };
}

/** Writes a short header into `w` and returns the absolute offset of its packet number. */
export function writeShortHeader(w: QuicWriter, h: ShortHeaderFields): number {
  checkPnLength(h.pnLength);
  checkCid(h.dcid, 'DCID');
  const fixed = h.fixedBit === false ? 0 : FIXED_BIT;
  w.u8(fixed | (h.spin ? SPIN_BIT : 0) | (h.keyPhase ? KEY_PHASE_BIT : 0) | (h.pnLength - 1));
  w.bytes(h.dcid);
  const pnOffset = w.pos;
  writePacketNumber(w, h.pn, h.pnLength);
  return pnOffset;
}

/** Builds a short header into a fresh buffer. */
export function buildShortHeader(h: ShortHeaderFields): BuiltHeader {
  const w = new QuicWriter(32);
  const pnOffset = writeShortHeader(w, h);
  return { header: w.finish(), pnOffset };
}
