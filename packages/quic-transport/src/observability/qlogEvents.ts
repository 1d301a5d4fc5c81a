/**
 * Typed emitters for the qlog events the Connection reports, over any {@link QlogSink}. Field names follow
 * draft-ietf-quic-qlog-quic-events ("0.3"-era): transport:packet_sent / packet_received {header {packet_type,
 * packet_number, dcid, scid, token?}, frames, raw {length}}, recovery:metrics_updated, recovery:packet_lost,
 * connectivity:connection_state_updated {old?, new}, security:key_updated {key_type, trigger, generation?}.
 * A QlogEvents over no sink (undefined) does nothing and costs one branch per call.
 */
import type { Frame } from '../frame/frame.js';
import { qlogFrame, qlogHex } from './qlogFrames.js';
import type { QlogData, QlogSink } from './qlogSink.js';

/** qlog packet types. */
export type QlogPacketType =
  | 'initial'
  | 'handshake'
  | '0RTT'
  | '1RTT'
  | 'retry'
  | 'version_negotiation'
  | 'stateless_reset'
  | 'unknown';

/** What a packet event says about the packet. */
export interface QlogPacketInfo {
  /** Packet type. Our packet types ('zeroRtt', 'oneRtt', 'versionNegotiation') are accepted and mapped. */
  packetType: QlogPacketType | 'zeroRtt' | 'oneRtt' | 'versionNegotiation';
  /** Full packet number (absent for Retry / VN / stateless reset). */
  packetNumber?: number;
  /** Destination connection ID. */
  dcid?: Uint8Array;
  /** Source connection ID (long headers). */
  scid?: Uint8Array;
  /** Initial / Retry token. */
  token?: Uint8Array;
  /** Size of the packet on the wire (bytes). */
  length: number;
  /** Size of the protected payload (bytes). */
  payloadLength?: number;
}

/** Connection states of connectivity:connection_state_updated. */
export type QlogConnectionState =
  | 'attempted'
  | 'peer_validated'
  | 'handshake_started'
  | 'early_write'
  | 'handshake_complete'
  | 'handshake_confirmed'
  | 'closing'
  | 'draining'
  | 'closed';

/** Key types of security:key_updated. */
export type QlogKeyType =
  | 'server_initial_secret'
  | 'client_initial_secret'
  | 'server_handshake_secret'
  | 'client_handshake_secret'
  | 'server_0rtt_secret'
  | 'client_0rtt_secret'
  | 'server_1rtt_secret'
  | 'client_1rtt_secret';

/** Recovery metrics (all optional: log what changed). Times in ms. */
export interface QlogRecoveryMetrics {
  /** min_rtt. */
  minRtt?: number;
  /** smoothed_rtt. */
  smoothedRtt?: number;
  /** latest_rtt. */
  latestRtt?: number;
  /** rtt_variance. */
  rttVariance?: number;
  /** pto_count. */
  ptoCount?: number;
  /** congestion_window (bytes). */
  congestionWindow?: number;
  /** bytes_in_flight. */
  bytesInFlight?: number;
  /** ssthresh (bytes). */
  ssthresh?: number;
  /** packets_in_flight. */
  packetsInFlight?: number;
  /** pacing_rate (bits per second). */
  pacingRate?: number;
}

const PACKET_TYPES: Record<QlogPacketInfo['packetType'], QlogPacketType> = {
  initial: 'initial',
  handshake: 'handshake',
  '0RTT': '0RTT',
  zeroRtt: '0RTT',
  '1RTT': '1RTT',
  oneRtt: '1RTT',
  retry: 'retry',
  version_negotiation: 'version_negotiation',
  versionNegotiation: 'version_negotiation',
  stateless_reset: 'stateless_reset',
  unknown: 'unknown',
};

function header(p: QlogPacketInfo): QlogData {
  const h: QlogData = { packet_type: PACKET_TYPES[p.packetType] };
  if (p.packetNumber !== undefined) h.packet_number = p.packetNumber;
  if (p.dcid) h.dcid = qlogHex(p.dcid);
  if (p.scid) h.scid = qlogHex(p.scid);
  if (p.token && p.token.length > 0) h.token = { raw: { length: p.token.length, data: qlogHex(p.token) } };
  return h;
}

function raw(p: QlogPacketInfo): QlogData {
  const r: QlogData = { length: p.length };
  if (p.payloadLength !== undefined) r.payload_length = p.payloadLength;
  return r;
}

/** Typed qlog emitters over an optional sink. */
export class QlogEvents {
  /** The sink, or undefined when qlog is off. */
  readonly sink: QlogSink | undefined;
  /** ACK delay exponent used to convert ACK frames' ack_delay into ms (the sender's exponent). */
  ackDelayExponent = 3;
  private lastState: QlogConnectionState | undefined;

  constructor(sink: QlogSink | undefined) {
    this.sink = sink;
  }

  /** True when events are recorded (skip building event data otherwise). */
  get enabled(): boolean {
    return this.sink !== undefined;
  }

  /** transport:packet_sent. */
  packetSent(now: number, packet: QlogPacketInfo, frames: readonly Frame[]): void {
    if (!this.sink) return;
    this.sink.event(now, 'transport:packet_sent', {
      header: header(packet),
      frames: frames.map((f) => qlogFrame(f, this.ackDelayExponent)),
      raw: raw(packet),
    });
  }

  /** transport:packet_received. */
  packetReceived(now: number, packet: QlogPacketInfo, frames: readonly Frame[]): void {
    if (!this.sink) return;
    this.sink.event(now, 'transport:packet_received', {
      header: header(packet),
      frames: frames.map((f) => qlogFrame(f, this.ackDelayExponent)),
      raw: raw(packet),
    });
  }

  /** transport:packet_dropped with a trigger (e.g. "decryption_failure", "unknown_connection_id"). */
  packetDropped(now: number, packet: QlogPacketInfo, trigger: string): void {
    if (!this.sink) return;
    this.sink.event(now, 'transport:packet_dropped', { header: header(packet), raw: raw(packet), trigger });
  }

  /** recovery:metrics_updated. */
  metricsUpdated(now: number, m: QlogRecoveryMetrics): void {
    if (!this.sink) return;
    this.sink.event(now, 'recovery:metrics_updated', {
      min_rtt: m.minRtt,
      smoothed_rtt: m.smoothedRtt,
      latest_rtt: m.latestRtt,
      rtt_variance: m.rttVariance,
      pto_count: m.ptoCount,
      congestion_window: m.congestionWindow,
      bytes_in_flight: m.bytesInFlight,
      ssthresh: m.ssthresh,
      packets_in_flight: m.packetsInFlight,
      pacing_rate: m.pacingRate,
    });
  }

  /** recovery:packet_lost. */
  packetLost(
    now: number,
    packetType: QlogPacketInfo['packetType'],
    packetNumber: number,
    trigger: 'reordering_threshold' | 'time_threshold' | 'pto_expired',
  ): void {
    if (!this.sink) return;
    this.sink.event(now, 'recovery:packet_lost', {
      header: { packet_type: PACKET_TYPES[packetType], packet_number: packetNumber },
      trigger,
    });
  }

  /** connectivity:connection_state_updated (the previous state is remembered and logged as `old`). */
  connectionStateUpdated(now: number, state: QlogConnectionState): void {
    if (!this.sink) return;
    this.sink.event(now, 'connectivity:connection_state_updated', { old: this.lastState, new: state });
    this.lastState = state;
  }

  /** security:key_updated (`generation` is the key phase generation for 1-RTT key updates). */
  keyUpdated(now: number, keyType: QlogKeyType, trigger: 'tls' | 'remote_update' | 'local_update', generation?: number): void {
    if (!this.sink) return;
    this.sink.event(now, 'security:key_updated', { key_type: keyType, trigger, generation });
  }

  /** security:key_discarded. */
  keyDiscarded(now: number, keyType: QlogKeyType, trigger: 'tls' | 'remote_update' | 'local_update'): void {
    if (!this.sink) return;
    this.sink.event(now, 'security:key_discarded', { key_type: keyType, trigger });
  }

  /** Closes the sink. */
  close(): void {
    this.sink?.close();
  }
}
