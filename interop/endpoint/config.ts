/**
 * The quic-interop-runner endpoint contract, read from the environment (no Docker: the runner's mounts become
 * paths). ROLE=client|server, TESTCASE, REQUESTS (client: space-separated https://host:port/path URLs), WWW,
 * DOWNLOADS, CERTS (cert.pem + priv.key; for "certificates" also ca.pem, client.pem, client.key), SSLKEYLOGFILE,
 * QLOGDIR, HOST/PORT (server: where to bind, default 127.0.0.1:443), and the quichs extension ALPN
 * ("hq-interop" or "h3"; default h3 for the http3 case, else hq-interop).
 */
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';

/** Exit status of the contract: 0 success, 1 failure, 127 unsupported case. */
export const EXIT = { ok: 0, failed: 1, unsupported: 127 } as const;

/** Application protocols. */
export type Alpn = 'hq-interop' | 'h3';

/** The endpoint's configuration. */
export interface EndpointConfig {
  /** Client or server. */
  role: 'client' | 'server';
  /** The TESTCASE value. */
  testcase: string;
  /** Client: the URLs to fetch, in order. */
  requests: URL[];
  /** Server: document root. */
  www: string;
  /** Client: where downloads go. */
  downloads: string;
  /** Certificates directory. */
  certs: string;
  /** Key log file, if any. */
  keylogFile: string | undefined;
  /** qlog directory, if any. */
  qlogDir: string | undefined;
  /** Server bind address. */
  host: string;
  /** Server bind port. */
  port: number;
  /** The ALPN to speak. */
  alpn: Alpn;
}

/** A configuration problem (exit 1 with this message). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A case this endpoint does not implement (exit 127, after "unsupported: <reason>"). */
export class UnsupportedCase extends Error {
  override name = 'UnsupportedCase';
}

/** Reads the configuration from `env`. */
export function readConfig(env: NodeJS.ProcessEnv): EndpointConfig {
  const role = env.ROLE;
  if (role !== 'client' && role !== 'server') throw new ConfigError(`ROLE must be client or server, got ${role ?? '(unset)'}`);
  const testcase = env.TESTCASE ?? '';
  if (testcase === '') throw new ConfigError('TESTCASE is not set');
  const alpnEnv = env.ALPN;
  const alpn: Alpn = alpnEnv === undefined || alpnEnv === '' ? (testcase === 'http3' ? 'h3' : 'hq-interop') : (alpnEnv as Alpn);
  if (alpn !== 'hq-interop' && alpn !== 'h3') throw new ConfigError(`ALPN must be hq-interop or h3, got ${alpnEnv}`);
  if (testcase === 'http3' && alpn !== 'h3') throw new ConfigError('the http3 case needs ALPN h3');
  const requests: URL[] = [];
  if (role === 'client') {
    for (const raw of (env.REQUESTS ?? '').split(/\s+/).filter(Boolean)) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new ConfigError(`REQUESTS holds an invalid URL: ${raw}`);
      }
      if (u.protocol !== 'https:') throw new ConfigError(`REQUESTS URLs must be https://, got ${raw}`);
      requests.push(u);
    }
    if (requests.length === 0) throw new ConfigError('REQUESTS is empty');
  }
  const port = Number(env.PORT ?? 443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT is not a port: ${env.PORT}`);
  return {
    role,
    testcase,
    requests,
    www: env.WWW ?? '/www',
    downloads: env.DOWNLOADS ?? '/downloads',
    certs: env.CERTS ?? '/certs',
    keylogFile: env.SSLKEYLOGFILE || undefined,
    qlogDir: env.QLOGDIR || undefined,
    host: env.HOST || '127.0.0.1',
    port,
    alpn,
  };
}

/**
 * The file under `root` a request path names, or undefined when the path escapes the root or is not a plain
 * absolute path ("/name", "/dir/name").
 */
export function fileUnder(root: string, urlPath: string): string | undefined {
  if (!urlPath.startsWith('/') || urlPath.includes('\0')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const rel = normalize(decoded).replace(/^[/\\]+/, '');
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  const base = resolve(root);
  const full = resolve(join(base, rel));
  return full.startsWith(base + sep) ? full : undefined;
}
