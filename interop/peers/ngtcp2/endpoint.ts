/**
 * ngtcp2 0.12.1 (Debian's gtlsserver / gtlsclient, GnuTLS back end) behind the quic-interop-runner endpoint
 * contract: ROLE, TESTCASE, REQUESTS, WWW, DOWNLOADS, CERTS, SSLKEYLOGFILE (GnuTLS honours it itself), QLOGDIR,
 * HOST, PORT, ALPN. Exit 0 on success, 1 on failure, 127 for an unsupported case (after "unsupported: <reason>").
 *
 * The two programs speak HTTP/3 only, so every case runs over h3. gtlsclient exits 0 even when a transfer failed;
 * this wrapper turns that into an honest exit code by checking that every requested file arrived (the runner
 * compares the bytes), and that resumption state was written where a second connection needs it.
 *
 * Run as: node --conditions=source --import tsx interop/peers/ngtcp2/endpoint.ts
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const SERVER = '/usr/sbin/gtlsserver';
const CLIENT = '/usr/bin/gtlsclient';
const CHACHA20_ONLY = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305';
/** A version of the reserved 0x?a?a?a?a space (RFC 9000 §15): the server must answer with Version Negotiation. */
const RESERVED_VERSION = '0x1a2a3a4a';

class Unsupported extends Error {}

function env(name: string, fallback?: string): string {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`${name} is not set`);
}

const verbose = process.env.NGTCP2_VERBOSE === '1';

function common(testcase: string): string[] {
  const args = verbose ? ['--no-quic-dump', '--no-http-dump'] : ['-q'];
  // handshakeloss runs "multiconnect" under 30% loss: a flight lost several times in a row under exponential
  // backoff outlasts the default 10 s handshake timeout and 30 s idle timeout
  if (testcase === 'multiconnect') args.push('--handshake-timeout=60s', '--timeout=120s');
  const qlog = process.env.QLOGDIR;
  if (qlog) {
    mkdirSync(qlog, { recursive: true });
    args.push(`--qlog-dir=${qlog}`);
  }
  return args;
}

function checkShared(testcase: string): void {
  const alpn = process.env.ALPN ?? 'h3';
  if (alpn !== 'h3') throw new Unsupported(`ngtcp2's gtlsserver/gtlsclient speak only HTTP/3 (ALPN h3), not ${alpn}`);
  if (testcase === 'v2') {
    throw new Unsupported('peer lacks RFC 9369: ngtcp2 0.12.1 implements only the draft QUIC v2 ("v2draft", 0x709a50c4)');
  }
}

let current: ReturnType<typeof spawn> | undefined;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    current?.kill(sig);
    process.exit(1);
  });
}

/** Runs a program with its output on ours (or into `logFile`); resolves with its exit code. */
function run(cmd: string, args: string[], timeoutMs: number, logFile?: string): Promise<number> {
  process.stderr.write(`+ ${basename(cmd)} ${args.join(' ')}\n`);
  const fd = logFile === undefined ? undefined : openSync(logFile, 'w');
  return new Promise<number>((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', fd ?? 'inherit', fd ?? 'inherit'] });
    current = child;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on('error', () => resolve(1));
  }).finally(() => {
    if (fd !== undefined) closeSync(fd);
  });
}

async function server(testcase: string): Promise<number> {
  const args = common(testcase);
  switch (testcase) {
    case 'handshake':
    case 'transfer':
    case 'multiplexing':
    case 'keyupdate':
    case 'resumption':
    case 'zerortt':
    case 'multiconnect':
    case 'transferloss':
    case 'http3':
    case 'versionnegotiation':
      break;
    case 'retry':
    case 'retrytoken':
      args.push('-V');
      break;
    case 'chacha20':
      args.push(`--ciphers=${CHACHA20_ONLY}`);
      break;
    case 'certificates':
      // gtlsserver requests a client certificate but does not verify it ("no verification is done")
      args.push('--verify-client');
      break;
    case 'keyupdate-server':
      throw new Unsupported('gtlsserver 0.12.1 cannot initiate a key update (only gtlsclient has --key-update)');
    default:
      throw new Unsupported(`test case ${testcase} is unknown to the ngtcp2 wrapper`);
  }
  const certs = env('CERTS');
  args.push('-d', env('WWW'), env('HOST', '127.0.0.1'), env('PORT', '443'), join(certs, 'priv.key'), join(certs, 'cert.pem'));
  // the server runs until the runner stops it
  return await run(SERVER, args, 24 * 3600 * 1000);
}

interface Request {
  host: string;
  port: string;
  url: string;
  file: string;
}

function requests(): Request[] {
  const list = env('REQUESTS').split(/\s+/).filter(Boolean);
  if (list.length === 0) throw new Error('REQUESTS is empty');
  return list.map((raw) => {
    const u = new URL(raw);
    return { host: u.hostname, port: u.port || '443', url: raw, file: basename(u.pathname) || 'index.html' };
  });
}

async function client(testcase: string): Promise<number> {
  const reqs = requests();
  const downloads = env('DOWNLOADS');
  const certs = process.env.CERTS;
  const state = mkdtempSync(join(tmpdir(), 'ngtcp2-client-'));
  const base = [...common(testcase), '--exit-on-all-streams-close', `--download=${downloads}`];
  const extra: string[] = [];
  const connect = async (rs: Request[], more: string[] = []): Promise<void> => {
    const code = await run(CLIENT, [...base, ...extra, ...more, rs[0].host, rs[0].port, ...rs.map((r) => r.url)], 120_000);
    if (code !== 0) throw new Error(`gtlsclient exited with ${code}`);
  };
  const session = [`--session-file=${join(state, 'session')}`, `--tp-file=${join(state, 'tp')}`];
  switch (testcase) {
    case 'handshake':
    case 'transfer':
    case 'multiplexing':
    case 'retry':
    case 'transferloss':
    case 'http3':
    case 'keyupdate-server':
      await connect(reqs);
      break;
    case 'keyupdate':
      extra.push('--key-update=1ms');
      await connect(reqs);
      break;
    case 'chacha20':
      extra.push(`--ciphers=${CHACHA20_ONLY}`);
      await connect(reqs);
      break;
    case 'certificates':
      if (!certs) throw new Error('CERTS is not set');
      extra.push(`--key=${join(certs, 'client.key')}`, `--cert=${join(certs, 'client.pem')}`);
      await connect(reqs);
      break;
    case 'versionnegotiation':
      extra.push(`--version=${RESERVED_VERSION}`, '--preferred-versions=v1');
      await connect(reqs);
      break;
    case 'multiconnect':
      for (const r of reqs) await connect([r]);
      break;
    case 'resumption':
    case 'zerortt': {
      if (reqs.length < 2) throw new Error('this case needs at least 2 URLs');
      await connect(reqs.slice(0, 1), session);
      if (!existsSync(join(state, 'session'))) throw new Error('no session ticket was stored by the first connection');
      await connect(reqs.slice(1), testcase === 'resumption' ? [...session, '--disable-early-data'] : session);
      break;
    }
    case 'retrytoken': {
      if (reqs.length < 2) throw new Error('this case needs at least 2 URLs');
      const tokenFile = join(state, 'token');
      const log = join(state, 'second.log');
      await connect(reqs.slice(0, 1), [`--token-file=${tokenFile}`]);
      if (!existsSync(tokenFile)) throw new Error('no NEW_TOKEN token was stored by the first connection');
      // the second connection's output is captured to see whether gtlsclient could read its own token file
      const code = await run(CLIENT, [...base, `--token-file=${tokenFile}`, reqs[1].host, reqs[1].port, ...reqs.slice(1).map((r) => r.url)], 120_000, log);
      const text = readFileSync(log, 'utf8');
      process.stderr.write(text);
      if (/Could not read token in/.test(text)) {
        throw new Unsupported('gtlsclient 0.12.1 writes its --token-file but cannot read it back ("Could not read token in …"), so it never presents a NEW_TOKEN token');
      }
      if (code !== 0) throw new Error(`gtlsclient exited with ${code}`);
      break;
    }
    default:
      throw new Unsupported(`test case ${testcase} is unknown to the ngtcp2 wrapper`);
  }
  const missing = reqs.filter((r) => !existsSync(join(downloads, r.file)));
  if (missing.length > 0) {
    process.stderr.write(`missing downloads: ${missing.map((r) => r.file).join(' ')}\n`);
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  const testcase = env('TESTCASE');
  try {
    checkShared(testcase);
    const role = env('ROLE');
    if (role === 'server') return await server(testcase);
    if (role === 'client') return await client(testcase);
    throw new Error('ROLE must be client or server');
  } catch (e) {
    if (e instanceof Unsupported) {
      process.stderr.write(`unsupported: ${e.message}\n`);
      return 127;
    }
    process.stderr.write(`failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main();
