/** QUIC packet types, independent of their version-specific wire encoding. */

/** Every kind of QUIC packet (RFC 9000 §17). */
export type PacketType = 'initial' | 'zeroRtt' | 'handshake' | 'retry' | 'oneRtt' | 'versionNegotiation';

/** Packet types that carry frames (protected packets). */
export type FramePacketType = 'initial' | 'zeroRtt' | 'handshake' | 'oneRtt';

/** Long-header packet types of QUIC v1/v2 (RFC 9000 §17.2, RFC 9369 §3.2). */
export type LongPacketType = 'initial' | 'zeroRtt' | 'handshake' | 'retry';

/** Packet number space of a frame-carrying packet type (0-RTT and 1-RTT share the application space). */
export function packetNumberSpaceOf(type: FramePacketType): 'initial' | 'handshake' | 'application' {
  return type === 'initial' ? 'initial' : type === 'handshake' ? 'handshake' : 'application';
}
