/**
 * The SETTINGS frame (RFC 9114 §7.2.4, RFC 9204 §5): a list of (identifier, value) varint pairs, sent once as the
 * first frame of each control stream.
 */
import {
  VARINT_TOO_LARGE,
  VARINT_TRUNCATED,
  decodeVarintAt,
  varintLengthFromFirstByte,
  varintSize,
} from '@quichs/quic-transport';
import { ByteWriter } from './byteWriter.js';
import { H3Error, H3ErrorCode } from './errors.js';
import { H3FrameType, writeFrameHeader } from './frame.js';

/** Setting identifiers we know of. */
export const H3SettingId = {
  /** RFC 9204 §5: maximum QPACK dynamic table capacity the sender's decoder allows (default 0). */
  QPACK_MAX_TABLE_CAPACITY: 0x01,
  /** RFC 9114 §7.2.4.1: largest field section the sender accepts (default unlimited). */
  MAX_FIELD_SECTION_SIZE: 0x06,
  /** RFC 9204 §5: number of streams that may be blocked on the dynamic table (default 0). */
  QPACK_BLOCKED_STREAMS: 0x07,
  /** RFC 9220: extended CONNECT (we do not offer it; listed so it is recognised in logs). */
  ENABLE_CONNECT_PROTOCOL: 0x08,
  /** RFC 9297: HTTP datagrams (not offered). */
  H3_DATAGRAM: 0x33,
} as const;

/** True for the identifiers reserved from HTTP/2 (0x00, 0x02-0x05); sending or receiving one is H3_SETTINGS_ERROR. */
export function isReservedH2Setting(id: number): boolean {
  return id === 0x00 || (id >= 0x02 && id <= 0x05);
}

/** An ordered list of (identifier, value) pairs, as sent on the wire. */
export type SettingsList = ReadonlyArray<readonly [id: number, value: number]>;

/** The settings this layer interprets, with RFC defaults applied. */
export interface H3Settings {
  /** SETTINGS_QPACK_MAX_TABLE_CAPACITY (default 0). */
  qpackMaxTableCapacity: number;
  /** SETTINGS_MAX_FIELD_SECTION_SIZE (default Infinity = unlimited). */
  maxFieldSectionSize: number;
  /** SETTINGS_QPACK_BLOCKED_STREAMS (default 0). */
  qpackBlockedStreams: number;
  /** Every received pair, including unknown and grease identifiers (values clamped to 2^53-1). */
  all: Map<number, number>;
}

/** Serializes a whole SETTINGS frame. Reserved or duplicate identifiers are a local bug: H3_INTERNAL_ERROR. */
export function encodeSettingsFrame(settings: SettingsList): Uint8Array {
  const seen = new Set<number>();
  let length = 0;
  for (const [id, value] of settings) {
    if (isReservedH2Setting(id)) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `setting 0x${id.toString(16)} is reserved`);
    if (seen.has(id)) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `setting 0x${id.toString(16)} listed twice`);
    seen.add(id);
    length += varintSize(id) + varintSize(value);
  }
  const w = new ByteWriter(16 + length);
  writeFrameHeader(w, H3FrameType.SETTINGS, length);
  for (const [id, value] of settings) {
    w.varint(id);
    w.varint(value);
  }
  return w.finish();
}

/**
 * Parses a SETTINGS payload into a map. Throws H3Error: H3_SETTINGS_ERROR for a reserved HTTP/2 identifier or a
 * repeated identifier (RFC 9114 §7.2.4), H3_FRAME_ERROR when the payload ends inside a pair. Identifiers above 2^53-1
 * are unknown by definition and skipped; values above 2^53-1 are clamped to 2^53-1 (all known settings treat that as
 * "unlimited").
 */
export function parseSettingsPayload(payload: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  let p = 0;
  while (p < payload.length) {
    const id = decodeVarintAt(payload, p);
    if (id === VARINT_TRUNCATED) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'SETTINGS ends inside an identifier');
    p += varintLengthFromFirstByte(payload[p]);
    if (p >= payload.length) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'SETTINGS identifier without a value');
    let value = decodeVarintAt(payload, p);
    if (value === VARINT_TRUNCATED) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'SETTINGS ends inside a value');
    if (value === VARINT_TOO_LARGE) value = Number.MAX_SAFE_INTEGER;
    p += varintLengthFromFirstByte(payload[p]);
    if (id === VARINT_TOO_LARGE) continue;
    if (isReservedH2Setting(id)) {
      throw new H3Error(H3ErrorCode.H3_SETTINGS_ERROR, `reserved HTTP/2 setting 0x${id.toString(16)}`);
    }
    if (out.has(id)) throw new H3Error(H3ErrorCode.H3_SETTINGS_ERROR, `setting 0x${id.toString(16)} repeated`);
    out.set(id, value);
  }
  return out;
}

/** Applies RFC defaults to a received settings map. */
export function interpretSettings(all: Map<number, number>): H3Settings {
  return {
    qpackMaxTableCapacity: all.get(H3SettingId.QPACK_MAX_TABLE_CAPACITY) ?? 0,
    maxFieldSectionSize: all.get(H3SettingId.MAX_FIELD_SECTION_SIZE) ?? Infinity,
    qpackBlockedStreams: all.get(H3SettingId.QPACK_BLOCKED_STREAMS) ?? 0,
    all,
  };
}
