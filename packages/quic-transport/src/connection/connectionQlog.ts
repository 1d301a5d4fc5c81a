/**
 * The Connection's qlog events on top of the generic emitters: key installation / discarding per encryption level
 * (both directions), transport:parameters_set, and recovery metrics from loss detection. No sink: nothing happens.
 */
import type { TransportParameters } from '../frame/transportParameters.js';
import { QlogEvents, type QlogKeyType } from '../observability/qlogEvents.js';
import { qlogHex } from '../observability/qlogFrames.js';
import type { LossDetection } from '../recovery/lossDetection.js';

/** An encryption level as the connection names it. */
export type QlogLevel = 'initial' | 'handshake' | 'zeroRtt' | 'oneRtt';

const NAMES: Record<QlogLevel, string> = { initial: 'initial', handshake: 'handshake', zeroRtt: '0rtt', oneRtt: '1rtt' };

/** qlog for one connection. */
export class ConnectionQlog extends QlogEvents {
  /** security:key_updated for the keys of a level (0-RTT has only client keys). */
  keysInstalled(now: number, level: QlogLevel, trigger: 'tls' | 'remote_update' | 'local_update', generation?: number): void {
    if (!this.enabled) return;
    const name = NAMES[level];
    this.keyUpdated(now, `client_${name}_secret` as QlogKeyType, trigger, generation);
    if (level !== 'zeroRtt') this.keyUpdated(now, `server_${name}_secret` as QlogKeyType, trigger, generation);
  }

  /** security:key_discarded for the keys of a level. */
  keysDiscarded(now: number, level: 'initial' | 'handshake' | 'zeroRtt'): void {
    if (!this.enabled) return;
    const name = NAMES[level];
    this.keyDiscarded(now, `client_${name}_secret` as QlogKeyType, 'tls');
    if (level !== 'zeroRtt') this.keyDiscarded(now, `server_${name}_secret` as QlogKeyType, 'tls');
  }

  /** transport:parameters_set. */
  parameters(now: number, owner: 'local' | 'remote', p: TransportParameters): void {
    const sink = this.sink;
    if (sink === undefined) return;
    const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : qlogHex(b));
    sink.event(now, 'transport:parameters_set', {
      owner,
      initial_source_connection_id: hex(p.initialSourceConnectionId),
      original_destination_connection_id: hex(p.originalDestinationConnectionId),
      retry_source_connection_id: hex(p.retrySourceConnectionId),
      max_idle_timeout: p.maxIdleTimeout,
      max_udp_payload_size: p.maxUdpPayloadSize,
      ack_delay_exponent: p.ackDelayExponent,
      max_ack_delay: p.maxAckDelay,
      active_connection_id_limit: p.activeConnectionIdLimit,
      initial_max_data: p.initialMaxData,
      initial_max_stream_data_bidi_local: p.initialMaxStreamDataBidiLocal,
      initial_max_stream_data_bidi_remote: p.initialMaxStreamDataBidiRemote,
      initial_max_stream_data_uni: p.initialMaxStreamDataUni,
      initial_max_streams_bidi: p.initialMaxStreamsBidi,
      initial_max_streams_uni: p.initialMaxStreamsUni,
      disable_active_migration: p.disableActiveMigration,
    });
  }

  /** recovery:metrics_updated from the loss-detection state. */
  metrics<F>(now: number, loss: LossDetection<F>): void {
    if (!this.enabled) return;
    const rtt = loss.rtt;
    const cc = loss.congestion;
    this.metricsUpdated(now, {
      minRtt: rtt.hasSample ? rtt.minRtt : undefined,
      smoothedRtt: rtt.smoothedRtt,
      latestRtt: rtt.latestRtt,
      rttVariance: rtt.rttvar,
      ptoCount: loss.ptoCount,
      congestionWindow: cc.window,
      bytesInFlight: cc.bytesInFlight,
      ssthresh: Number.isFinite(cc.ssthresh) ? cc.ssthresh : undefined,
    });
  }
}
