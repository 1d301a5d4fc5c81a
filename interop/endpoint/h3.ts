/**
 * HTTP/3 client and server of the endpoint: GET of static files, on {@link H3Connection}.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { QuicConnection, QuicError } from '@quichs/quic-transport';
import { H3Error, H3ErrorCode, type H3Event } from '../h3/index.js';
import { fileUnder } from './config.js';
import type { FileClient } from './fileClient.js';
import { H3Connection } from './h3Connection.js';

interface PendingResponse {
  out: WriteStream;
  status: number | undefined;
  bytes: number;
  resolve: (bytes: number) => void;
  reject: (e: Error) => void;
}

/** An HTTP/3 client on one connection. */
export class H3Client extends H3Connection implements FileClient {
  private readonly downloads: string;
  private readonly pending = new Map<number, PendingResponse>();

  constructor(conn: QuicConnection, downloads: string) {
    super(conn, 'client');
    this.downloads = downloads;
  }

  /** GET `url` into the downloads directory. */
  async fetch(url: URL): Promise<number> {
    const s = await this.openRequestStream();
    const name = url.pathname.split('/').filter(Boolean).pop() ?? 'index.html';
    const out = createWriteStream(join(this.downloads, name));
    const done = new Promise<number>((resolve, reject) => this.pending.set(s.id, { out, status: undefined, bytes: 0, resolve, reject }));
    const id = this.session.sendRequest(
      [
        { name: ':method', value: 'GET' },
        { name: ':scheme', value: 'https' },
        { name: ':authority', value: url.host },
        { name: ':path', value: url.pathname },
        { name: 'user-agent', value: 'quichs-interop' },
      ],
      true,
    );
    if (id !== s.id) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `request went to stream ${id}, transport opened ${s.id}`);
    this.pump();
    try {
      return await done;
    } finally {
      if (!out.closed) {
        out.end();
        await finished(out).catch(() => undefined);
      }
    }
  }

  /** GOAWAY and close. */
  async finish(): Promise<void> {
    await this.shutdown();
  }

  private fail(id: number, e: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.out.destroy();
    p.reject(e);
  }

  protected onEvent(e: H3Event): void {
    switch (e.type) {
      case 'response': {
        const p = this.pending.get(e.streamId);
        if (!p) return;
        p.status = e.status;
        if (e.status !== 200) this.fail(e.streamId, new Error(`stream ${e.streamId}: status ${e.status}`));
        return;
      }
      case 'data': {
        const p = this.pending.get(e.streamId);
        if (!p) return;
        p.bytes += e.data.length;
        p.out.write(e.data);
        return;
      }
      case 'end': {
        const p = this.pending.get(e.streamId);
        if (!p) return;
        this.pending.delete(e.streamId);
        p.out.end();
        finished(p.out).then(() => p.resolve(p.bytes), (err: Error) => p.reject(err));
        return;
      }
      case 'streamError':
        this.fail(e.streamId, e.error);
        return;
      case 'streamReset':
        this.fail(e.streamId, new Error(`stream ${e.streamId} reset by the server (0x${e.code.toString(16)})`));
        return;
      case 'closed':
        for (const id of [...this.pending.keys()]) this.fail(id, e.error);
        return;
      default:
        return;
    }
  }

  protected onConnectionClosed(err: QuicError | undefined): void {
    for (const id of [...this.pending.keys()]) this.fail(id, err ?? new Error('connection closed'));
  }
}

/** An HTTP/3 server connection serving files from `www`. */
export class H3FileServer extends H3Connection {
  private readonly www: string;
  private readonly log: (m: string) => void;

  constructor(conn: QuicConnection, www: string, log: (m: string) => void) {
    super(conn, 'server');
    this.www = www;
    this.log = log;
  }

  protected onEvent(e: H3Event): void {
    if (e.type === 'request') void this.serve(e.streamId, e.head.method, e.head.path ?? '');
  }

  protected onConnectionClosed(): void {
    // nothing pending on the server side: responses in flight end with their streams
  }

  private async serve(id: number, method: string, path: string): Promise<void> {
    try {
      if (method !== 'GET' && method !== 'HEAD') {
        this.session.sendResponse(id, [{ name: ':status', value: '405' }], true);
        this.pump();
        return;
      }
      const file = fileUnder(this.www, path.split('?')[0]);
      const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
      if (file === undefined || !info?.isFile()) {
        this.log(`GET ${path}: not found`);
        this.session.sendResponse(id, [{ name: ':status', value: '404' }], true);
        this.pump();
        return;
      }
      const head = [
        { name: ':status', value: '200' },
        { name: 'content-length', value: String(info.size) },
        { name: 'content-type', value: 'application/octet-stream' },
      ];
      if (method === 'HEAD' || info.size === 0) {
        this.session.sendResponse(id, head, true);
        this.pump();
        return;
      }
      this.session.sendResponse(id, head, false);
      this.pump();
      for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
        if (this.conn.closed || this.session.closeError) return;
        this.session.sendData(id, chunk);
        this.pump();
        const s = this.stream(id);
        if (!s || s.destroyed) return;
        if (s.writableNeedDrain) await new Promise<void>((resolve) => {
          const go = () => {
            s.off('drain', go);
            s.off('close', go);
            resolve();
          };
          s.on('drain', go);
          s.on('close', go);
        });
      }
      this.session.end(id);
      this.pump();
      this.log(`GET ${path}: ${info.size} bytes sent`);
    } catch (e) {
      this.log(`stream ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
