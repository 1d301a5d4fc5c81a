/**
 * qlog JSON-SEQ serialization (RFC 7464 JSON text sequences: each record is 0x1E, a JSON text, then LF), with the
 * "0.3" header record `{"qlog_version":"0.3","qlog_format":"JSON-SEQ",...,"trace":{...}}` and one record per
 * event `{"time":…,"name":"category:event","data":{…}}`. Also a reader for tests and tools.
 */
import type { QlogData, QlogTraceInfo, QlogValue } from './qlogSink.js';

/** The RFC 7464 record separator. */
export const JSON_SEQ_RECORD_SEPARATOR = '\u001e';
/** The qlog version written in the header. */
export const QLOG_VERSION = '0.3';

/** The header record (separator, JSON, newline) of a trace. */
export function qlogHeaderRecord(info: QlogTraceInfo): string {
  const header = {
    qlog_version: QLOG_VERSION,
    qlog_format: 'JSON-SEQ',
    title: info.title ?? `quichs ${info.vantagePoint} ${info.odcid}`,
    trace: {
      vantage_point: { name: info.name ?? 'quichs', type: info.vantagePoint },
      common_fields: {
        ODCID: info.odcid,
        group_id: info.odcid,
        protocol_type: ['QUIC'],
        reference_time: info.referenceTime,
        time_format: 'relative',
      },
    },
  };
  return `${JSON_SEQ_RECORD_SEPARATOR}${JSON.stringify(header)}\n`;
}

/** One event record; `time` is written relative to `referenceTime`, rounded to microseconds. */
export function qlogEventRecord(time: number, referenceTime: number, name: string, data: QlogData): string {
  const t = Math.round((time - referenceTime) * 1000) / 1000;
  return `${JSON_SEQ_RECORD_SEPARATOR}${JSON.stringify({ time: t, name, data })}\n`;
}

/** A parsed JSON-SEQ qlog: its header and its events. */
export interface ParsedQlog {
  /** The first record. */
  header: { [key: string]: QlogValue };
  /** Every further record. */
  events: { time: number; name: string; data: QlogData }[];
}

/**
 * Parses JSON-SEQ text. Throws a SyntaxError for a record that is not JSON, a missing header, or an event
 * record without numeric `time` and string `name`. A truncated last record (no newline, e.g. a crash) is skipped,
 * as RFC 7464 §2.1 allows.
 */
export function parseQlogJsonSeq(text: string): ParsedQlog {
  const parts = text.split(JSON_SEQ_RECORD_SEPARATOR);
  if (parts[0].trim() !== '') throw new SyntaxError('JSON-SEQ text must start with a record separator');
  const records: unknown[] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (!part.endsWith('\n') && i === parts.length - 1) break;
    records.push(JSON.parse(part));
  }
  const header = records.shift();
  if (typeof header !== 'object' || header === null || (header as { qlog_format?: unknown }).qlog_format !== 'JSON-SEQ') {
    throw new SyntaxError('missing qlog JSON-SEQ header record');
  }
  const events = records.map((r) => {
    const e = r as { time?: unknown; name?: unknown; data?: unknown };
    if (typeof e.time !== 'number' || typeof e.name !== 'string') throw new SyntaxError('qlog event without time/name');
    return { time: e.time, name: e.name, data: (e.data ?? {}) as QlogData };
  });
  return { header: header as { [key: string]: QlogValue }, events };
}
