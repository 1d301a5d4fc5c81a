/**
 * Hand-made QUIC packets for tests: frames → payload, long / short headers sealed with a quic-crypto
 * PacketProtector, and secrets recovered from key log lines (so a test can speak with a connection's own keys).
 */
import { INITIAL_CIPHER_SUITE, initialKeys, PacketProtector, quicCipherSuite } from '@quichs/quic-crypto';
import { buildLongHeader, buildShortHeader, encodeFrame, QuicWriter, type Frame } from '../../src/index.js';
import { provider } from './quicFixtures.js';

/** Encodes frames into a payload; `raw` bytes are appended as they are (for malformed frames). */
export function payloadOf(frames: readonly Frame[], raw?: Uint8Array): Uint8Array {
  const w = new QuicWriter(256);
  for (const f of frames) encodeFrame(w, f);
  if (raw !== undefined) w.bytes(raw);
  return Uint8Array.from(w.finish());
}

/** A protected long-header packet; `padTo` pads the payload with PADDING so the packet reaches that size. */
export function sealLong(o: {
  version: number;
  type: 'initial' | 'handshake' | 'zeroRtt';
  dcid: Uint8Array;
  scid: Uint8Array;
  token?: Uint8Array;
  pn: number;
  protector: PacketProtector;
  payload: Uint8Array;
  padTo?: number;
}): Uint8Array {
  let payload = o.payload;
  const base = buildLongHeader({ version: o.version, type: o.type, dcid: o.dcid, scid: o.scid, token: o.token, pn: o.pn, pnLength: 4, payloadLength: payload.length + 16, lengthFieldSize: 2 });
  const size = base.header.length + payload.length + 16;
  if (o.padTo !== undefined && size < o.padTo) {
    const p = new Uint8Array(payload.length + o.padTo - size);
    p.set(payload);
    payload = p;
  }
  const { header, pnOffset } = buildLongHeader({ version: o.version, type: o.type, dcid: o.dcid, scid: o.scid, token: o.token, pn: o.pn, pnLength: 4, payloadLength: payload.length + 16, lengthFieldSize: 2 });
  return o.protector.protect(header, payload, pnOffset, o.pn);
}

/** A protected 1-RTT packet (key phase 0 unless given). */
export function sealShort(o: { dcid: Uint8Array; pn: number; protector: PacketProtector; payload: Uint8Array; keyPhase?: 0 | 1; firstByteOr?: number }): Uint8Array {
  const { header, pnOffset } = buildShortHeader({ dcid: o.dcid, pn: o.pn, pnLength: 4, keyPhase: o.keyPhase ?? 0 });
  if (o.firstByteOr !== undefined) header[0] |= o.firstByteOr;
  return o.protector.protect(header, o.payload, pnOffset, o.pn);
}

/** The client's Initial protector for a first DCID. */
export function clientInitialProtector(version: number, dcid: Uint8Array): PacketProtector {
  return new PacketProtector(INITIAL_CIPHER_SUITE, initialKeys(version, dcid, provider).client, { provider });
}

/** Secrets by key log label from NSS key log lines. */
export function secretsFromKeylog(lines: readonly string[]): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const l of lines) {
    const [label, , hex] = l.split(' ');
    m.set(label, Uint8Array.from(Buffer.from(hex, 'hex')));
  }
  return m;
}

/** A protector from a TLS traffic secret (suite code, default TLS_AES_128_GCM_SHA256). */
export function protectorFromSecret(secret: Uint8Array, version: number, suite = 0x1301): PacketProtector {
  return PacketProtector.fromSecret(quicCipherSuite(suite), secret, version, { provider });
}
