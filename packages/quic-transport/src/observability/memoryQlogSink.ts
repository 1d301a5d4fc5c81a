/** An in-memory {@link QlogSink}: keeps the events, renders JSON-SEQ on demand (tests, debugging). */
import { qlogEventRecord, qlogHeaderRecord } from './qlogJsonSeq.js';
import type { QlogData, QlogEventName, QlogSink, QlogTraceInfo } from './qlogSink.js';

/** One recorded event. */
export interface RecordedQlogEvent {
  /** Time (ms, caller's clock). */
  time: number;
  /** Event name. */
  name: QlogEventName;
  /** Event data. */
  data: QlogData;
}

/** Records events in an array. */
export class MemoryQlogSink implements QlogSink {
  /** The events, in order. */
  readonly events: RecordedQlogEvent[] = [];
  /** True after {@link MemoryQlogSink.close}. */
  closed = false;
  /** Trace metadata (defaults: client, empty ODCID, reference time 0). */
  readonly info: QlogTraceInfo;

  constructor(info: Partial<QlogTraceInfo> = {}) {
    this.info = { vantagePoint: info.vantagePoint ?? 'client', odcid: info.odcid ?? '', referenceTime: info.referenceTime ?? 0, title: info.title, name: info.name };
  }

  /** Records an event (ignored after close). */
  event(time: number, name: QlogEventName, data: QlogData): void {
    if (!this.closed) this.events.push({ time, name, data });
  }

  /** Marks the sink closed. */
  close(): void {
    this.closed = true;
  }

  /** The trace as JSON-SEQ text. */
  toJsonSeq(): string {
    let out = qlogHeaderRecord(this.info);
    for (const e of this.events) out += qlogEventRecord(e.time, this.info.referenceTime, e.name, e.data);
    return out;
  }
}
