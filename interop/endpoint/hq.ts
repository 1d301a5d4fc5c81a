/**
 * hq-interop: HTTP/0.9 over QUIC as the interop runner uses it. The client opens one bidirectional stream per
 * file, writes `GET /path\r\n` and ends its side; the server answers with the file's bytes and FIN, or resets the
 * stream for a bad request / missing file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { QuicConnection, QuicStreamDuplex } from '@quichs/quic-transport';
import { fileUnder } from './config.js';
import type { FileClient } from './fileClient.js';
import { openBidiStream } from './streams.js';

/** Application error codes we reset hq-interop streams with. */
export const HqError = { BAD_REQUEST: 0x1, NOT_FOUND: 0x2 } as const;

const MAX_REQUEST_LINE = 4096;

/**
 * Reads the request ("GET /path", ended by CRLF and/or the end of the stream: the client finishes its side after
 * the request). Not with `for await`: leaving that loop early would destroy the stream we answer on.
 */
function readRequestLine(s: QuicStreamDuplex): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.length > MAX_REQUEST_LINE) finish(undefined);
    };
    const onEnd = () => finish(text.split('\n')[0].replace(/\r$/, ''));
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', onError);
    };
    const finish = (line: string | undefined) => {
      cleanup();
      resolve(line);
    };
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', onError);
  });
}

/** Serves one request stream from `www`. */
export async function serveHqStream(s: QuicStreamDuplex, www: string, log: (m: string) => void): Promise<void> {
  try {
    const line = await readRequestLine(s);
    const m = line === undefined ? null : /^GET (\/\S*)$/.exec(line);
    if (!m) {
      s.resetErrorCode = HqError.BAD_REQUEST;
      s.destroy();
      return;
    }
    const file = fileUnder(www, m[1]);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || !info?.isFile()) {
      log(`GET ${m[1]}: not found`);
      s.resetErrorCode = HqError.NOT_FOUND;
      s.destroy();
      return;
    }
    await pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), s);
    log(`GET ${m[1]}: ${info.size} bytes sent`);
  } catch (e) {
    log(`stream ${s.id}: ${e instanceof Error ? e.message : String(e)}`);
    if (!s.destroyed) s.destroy();
  }
}

/** Serves every stream the peer opens on `conn`. */
export function serveHq(conn: QuicConnection, www: string, log: (m: string) => void): void {
  conn.on('stream', (s: QuicStreamDuplex) => void serveHqStream(s, www, log));
}

/** An hq-interop client on one connection. */
export class HqClient implements FileClient {
  readonly conn: QuicConnection;
  private readonly downloads: string;

  constructor(conn: QuicConnection, downloads: string) {
    this.conn = conn;
    this.downloads = downloads;
  }

  /** Fetches `url` into the downloads directory (file name = last path segment). */
  async fetch(url: URL): Promise<number> {
    const s = await openBidiStream(this.conn);
    s.end(`GET ${url.pathname}\r\n`);
    const name = url.pathname.split('/').filter(Boolean).pop() ?? 'index.html';
    const out = createWriteStream(join(this.downloads, name));
    await pipeline(s, out);
    return out.bytesWritten;
  }

  /** Closes the connection (application error 0). */
  async finish(): Promise<void> {
    await this.conn.close(0, '');
  }
}
