/**
 * The two roles of our endpoint on @quichs/quic-transport's UDP Endpoint: the server serves WWW over hq-interop or
 * HTTP/3 until it is stopped; the client downloads REQUESTS into DOWNLOADS following the case's connection plan.
 */
import { Endpoint, type QuicConnection } from '@quichs/quic-transport';
import type { TlsEngineOptions, TlsSession } from '@quichs/tls-hs';
import { behaviourOf, clientOptions, serverOptions } from './caseOptions.js';
import type { EndpointConfig } from './config.js';
import type { FileClient } from './fileClient.js';
import { H3Client, H3FileServer } from './h3.js';
import { HqClient, serveHq } from './hq.js';

/** A line on stderr with a timestamp. */
export function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${message}\n`);
}

const KEY_UPDATE_RETRY_MS = 10;
const KEY_UPDATE_GIVE_UP_MS = 10_000;

/**
 * Starts one 1-RTT key update as soon as the transport allows it (the handshake must be confirmed first,
 * RFC 9001 §6.1: updateKeys throws until then).
 */
export function initiateKeyUpdate(conn: QuicConnection): void {
  const start = performance.now();
  const attempt = (): void => {
    if (conn.closed) return;
    try {
      conn.updateKeys();
      log('key update initiated');
    } catch (e) {
      if (performance.now() - start > KEY_UPDATE_GIVE_UP_MS) {
        log(`key update never allowed: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      setTimeout(attempt, KEY_UPDATE_RETRY_MS).unref();
    }
  };
  void conn.ready.then(() => setTimeout(attempt, KEY_UPDATE_RETRY_MS).unref(), () => undefined);
}

function describeHandshake(conn: QuicConnection): void {
  void conn.ready.then(
    (h) => log(`handshake with ${conn.remoteAddress.address}:${conn.remoteAddress.port}: alpn=${h.alpn} suite=${h.suite} group=${h.group} resumed=${h.resumed} 0-RTT=${h.earlyDataAccepted}`),
    (e: Error) => log(`handshake failed: ${e.message}`),
  );
}

// ---------------------------------------------------------------- server

/** Runs the server until SIGTERM / SIGINT; resolves with the exit status. */
export async function runServer(cfg: EndpointConfig): Promise<number> {
  const behaviour = behaviourOf(cfg);
  const options = serverOptions(cfg);
  const ep = await Endpoint.open({ host: cfg.host, port: cfg.port });
  const apps = new Set<H3FileServer>();
  ep.on('connection', (conn: QuicConnection) => {
    describeHandshake(conn);
    if (behaviour.initiateKeyUpdate) initiateKeyUpdate(conn);
    if (cfg.alpn === 'h3') {
      const app = new H3FileServer(conn, cfg.www, log);
      apps.add(app);
      conn.once('close', () => apps.delete(app));
    } else {
      serveHq(conn, cfg.www, log);
    }
    conn.on('close', (err?: Error) => log(`connection closed${err ? `: ${err.message}` : ''}`));
  });
  ep.on('error', (e: Error) => log(`socket error: ${e.message}`));
  ep.listen(options);
  log(`${cfg.alpn} server listening on ${cfg.host}:${ep.address().port} (${cfg.testcase})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await Promise.all([...apps].map((a) => a.shutdown().catch(() => undefined)));
  await ep.close();
  return 0;
}

// ---------------------------------------------------------------- client

function fileClient(cfg: EndpointConfig, conn: QuicConnection): FileClient {
  return cfg.alpn === 'h3' ? new H3Client(conn, cfg.downloads) : new HqClient(conn, cfg.downloads);
}

async function fetchAll(client: FileClient, urls: readonly URL[]): Promise<void> {
  await Promise.all(urls.map(async (u) => {
    const n = await client.fetch(u);
    log(`GET ${u.pathname}: ${n} bytes`);
  }));
}

/** Resolves when `ready()` holds (checked every 10 ms), or rejects when `conn` closes first or after `ms`. */
async function until(conn: QuicConnection, ready: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (conn.closed) throw new Error(`connection closed before ${what}`);
    if (performance.now() > deadline) throw new Error(`no ${what} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs the client's plan; resolves with the exit status. */
export async function runClient(cfg: EndpointConfig): Promise<number> {
  const behaviour = behaviourOf(cfg);
  const base = clientOptions(cfg);
  const ep = await Endpoint.open({ host: '0.0.0.0' });
  ep.on('error', (e: Error) => log(`socket error: ${e.message}`));
  const sessions: TlsSession[] = [];
  const open = (url: URL, extra: Partial<TlsEngineOptions> = {}): FileClient => {
    const conn = ep.connect(url.hostname, Number(url.port || 443), {
      ...base,
      tls: { ...base.tls, ...extra, onSession: (s: TlsSession) => sessions.push(s) },
    });
    describeHandshake(conn);
    if (behaviour.initiateKeyUpdate) initiateKeyUpdate(conn);
    conn.on('close', (err?: Error) => log(`connection closed${err ? `: ${err.message}` : ''}`));
    return fileClient(cfg, conn);
  };
  const [first, ...rest] = cfg.requests;
  try {
    switch (behaviour.plan) {
      case 'one': {
        const c = open(first);
        await c.conn.ready;
        await fetchAll(c, cfg.requests);
        await c.finish();
        break;
      }
      case 'each':
        for (const u of cfg.requests) {
          const c = open(u);
          await c.conn.ready;
          await fetchAll(c, [u]);
          await c.finish();
        }
        break;
      case 'resume':
      case 'zeroRtt': {
        if (rest.length === 0) throw new Error('this case needs at least 2 URLs');
        const zeroRtt = behaviour.plan === 'zeroRtt';
        const c1 = open(first, zeroRtt ? { earlyData: true } : {});
        await c1.conn.ready;
        await fetchAll(c1, [first]);
        await until(c1.conn, () => sessions.length > 0, 'session ticket');
        await c1.finish();
        const c2 = open(rest[0], { session: sessions[sessions.length - 1], earlyData: zeroRtt });
        if (!zeroRtt) await c2.conn.ready;
        await fetchAll(c2, rest);
        const h = await c2.conn.ready;
        if (!h.resumed) log('the second connection was not resumed');
        if (zeroRtt && !h.earlyDataAccepted) log('the server did not accept 0-RTT');
        await c2.finish();
        break;
      }
      case 'token': {
        if (rest.length === 0) throw new Error('this case needs at least 2 URLs');
        let token = false;
        const c1 = open(first);
        c1.conn.on('newToken', () => (token = true));
        await c1.conn.ready;
        await fetchAll(c1, [first]);
        await until(c1.conn, () => token, 'NEW_TOKEN token');
        await c1.finish();
        // the Endpoint hands the token to the next connection to the same server
        const c2 = open(rest[0]);
        await c2.conn.ready;
        await fetchAll(c2, rest);
        await c2.finish();
        break;
      }
    }
  } finally {
    await ep.close();
  }
  return 0;
}
