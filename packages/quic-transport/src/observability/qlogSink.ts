/**
 * The qlog event sink the Connection calls (qlog main schema / QUIC events, version "0.3"-style JSON-SEQ).
 * Implementations: {@link MemoryQlogSink} (tests) and `QlogFileSink` (a file per connection). Time is the caller's
 * clock in ms; sinks write it relative to their reference time.
 */

/** qlog event names this stack emits (category:event, draft-ietf-quic-qlog-quic-events). */
export type QlogEventName =
  | 'transport:packet_sent'
  | 'transport:packet_received'
  | 'transport:packet_dropped'
  | 'transport:parameters_set'
  | 'recovery:metrics_updated'
  | 'recovery:packet_lost'
  | 'connectivity:connection_started'
  | 'connectivity:connection_state_updated'
  | 'security:key_updated'
  | 'security:key_discarded';

/** A JSON value (what qlog event data is made of). */
export type QlogValue = string | number | boolean | null | QlogValue[] | { [key: string]: QlogValue | undefined };

/** The `data` member of an event. */
export type QlogData = { [key: string]: QlogValue | undefined };

/** Receives qlog events. `event` must not throw; `close` flushes and releases resources (idempotent). */
export interface QlogSink {
  /** Records one event at `time` (ms, caller's clock). */
  event(time: number, name: QlogEventName, data: QlogData): void;
  /** Ends the trace. */
  close(): void;
}

/** Which side of the connection a trace is written from. */
export type QlogVantagePoint = 'client' | 'server';

/** Trace metadata for the JSON-SEQ header record. */
export interface QlogTraceInfo {
  /** Vantage point type. */
  vantagePoint: QlogVantagePoint;
  /** Original destination connection ID (hex), the ODCID group id of the trace. */
  odcid: string;
  /** Time origin in ms (caller's clock); event times are written relative to it. */
  referenceTime: number;
  /** Optional title. */
  title?: string;
  /** Optional vantage point name (e.g. "quichs"). */
  name?: string;
}
