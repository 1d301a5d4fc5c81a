/** Version Negotiation packets (RFC 8999 §6, RFC 9000 §17.2.1). Parsing is done by `parsePacketHeader`. */
import { QuicError, TransportErrorCode } from '../errors.js';
import { QuicWriter } from '../frame/quicWriter.js';
import { HEADER_FORM_BIT } from './packetHeader.js';
import { VERSION_NEGOTIATION } from './version.js';

/** What a server needs to answer a packet of an unsupported version. */
export interface VersionNegotiationFields {
  /** DCID of the VN packet: the SCID of the client's packet. */
  dcid: Uint8Array;
  /** SCID of the VN packet: the DCID of the client's packet. */
  scid: Uint8Array;
  /** Versions we support (non-empty; add a reserved 0x?a?a?a?a version to grease). */
  versions: readonly number[];
  /** Value for the 7 unused bits of the first byte (should be random; the caller's RNG supplies it). */
  unusedBits: number;
}

/**
 * Builds a Version Negotiation packet. CIDs may be up to 255 bytes (they echo a packet of any version).
 * An empty version list or an over-long CID is QuicError(INTERNAL_ERROR).
 */
export function buildVersionNegotiation(f: VersionNegotiationFields): Uint8Array {
  if (f.versions.length === 0 || f.dcid.length > 255 || f.scid.length > 255) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'bad Version Negotiation fields');
  }
  const w = new QuicWriter(7 + f.dcid.length + f.scid.length + 4 * f.versions.length);
  w.u8(HEADER_FORM_BIT | (f.unusedBits & 0x7f)).u32(VERSION_NEGOTIATION);
  w.u8(f.dcid.length).bytes(f.dcid).u8(f.scid.length).bytes(f.scid);
  for (const v of f.versions) w.u32(v >>> 0);
  return w.finish();
}
