/**
 * A {@link QlogSink} writing one JSON-SEQ trace file per connection (`<dir>/<odcid>_<vantage>.sqlog`), as qvis and
 * the interop runner expect. Writes are buffered by a Node write stream; an I/O error disables the sink (it never
 * throws into the connection) and is kept in {@link QlogFileSink.error}.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { qlogEventRecord, qlogHeaderRecord } from './qlogJsonSeq.js';
import type { QlogData, QlogEventName, QlogSink, QlogTraceInfo } from './qlogSink.js';

/** File name of a trace: `<odcid>_<vantage>.sqlog` (the ODCID in hex; ".sqlog" marks JSON-SEQ). */
export function qlogFileName(info: Pick<QlogTraceInfo, 'odcid' | 'vantagePoint'>): string {
  const id = info.odcid.replace(/[^0-9a-fA-F]/g, '') || 'unknown';
  return `${id}_${info.vantagePoint}.sqlog`;
}

/** Writes a trace to a file. */
export class QlogFileSink implements QlogSink {
  /** Path of the file. */
  readonly path: string;
  /** The first I/O error, if any (the sink stops writing after it). */
  error: Error | undefined;
  private readonly stream: WriteStream;
  private readonly referenceTime: number;
  private closed = false;

  /** Opens (creates, truncates) `path` and writes the header record. */
  constructor(path: string, info: QlogTraceInfo) {
    this.path = path;
    this.referenceTime = info.referenceTime;
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (err: Error) => {
      this.error ??= err;
      this.closed = true;
    });
    this.stream.write(qlogHeaderRecord(info));
  }

  /** Creates `dir` if needed and opens `<dir>/<odcid>_<vantage>.sqlog`. */
  static inDirectory(dir: string, info: QlogTraceInfo): QlogFileSink {
    mkdirSync(dir, { recursive: true });
    return new QlogFileSink(join(dir, qlogFileName(info)), info);
  }

  /** Appends an event record. */
  event(time: number, name: QlogEventName, data: QlogData): void {
    if (this.closed) return;
    this.stream.write(qlogEventRecord(time, this.referenceTime, name, data));
  }

  /** Ends the file (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.end();
  }

  /** Resolves when everything written so far is flushed and the file is closed (after {@link close}). */
  finished(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.closed || this.stream.destroyed) resolve();
      else this.stream.once('close', () => resolve());
    });
  }
}
