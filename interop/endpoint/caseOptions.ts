/**
 * What each TESTCASE asks of our endpoint, as connection / server options of @quichs/quic-transport, and which
 * cases we run at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUIC_VERSION_1, QUIC_VERSION_2, type ConnectionOptions, type ServerOptions } from '@quichs/quic-transport';
import { UnsupportedCase, type EndpointConfig } from './config.js';

/** A version of the reserved 0x?a?a?a?a space (RFC 9000 §15): the server must answer with Version Negotiation. */
export const RESERVED_VERSION = 0x1a2a3a4a;

/** How the client uses its connections in a case. */
export type ClientPlan =
  /** All requests on one connection. */
  | 'one'
  /** One connection per request, one after the other. */
  | 'each'
  /** The first request, then (after a session ticket) the rest on a resumed connection. */
  | 'resume'
  /** Like 'resume', with the second connection's requests in 0-RTT. */
  | 'zeroRtt'
  /** The first request, then (after a NEW_TOKEN) the rest on a second connection that presents the token. */
  | 'token';

/** The per-case behaviour of both roles. */
export interface CaseBehaviour {
  /** Client connection plan. */
  plan: ClientPlan;
  /** This side starts a 1-RTT key update once the handshake is confirmed. */
  initiateKeyUpdate: boolean;
}

const CLIENT_CASES: Record<string, ClientPlan> = {
  handshake: 'one',
  transfer: 'one',
  multiplexing: 'one',
  chacha20: 'one',
  keyupdate: 'one',
  'keyupdate-server': 'one',
  retry: 'one',
  transferloss: 'one',
  http3: 'one',
  versionnegotiation: 'one',
  v2: 'one',
  certificates: 'one',
  multiconnect: 'each',
  resumption: 'resume',
  zerortt: 'zeroRtt',
  retrytoken: 'token',
};

/** The behaviour for `cfg.testcase`; UnsupportedCase for a case we do not know. */
export function behaviourOf(cfg: EndpointConfig): CaseBehaviour {
  const plan = CLIENT_CASES[cfg.testcase];
  if (plan === undefined) throw new UnsupportedCase(`test case ${cfg.testcase} is not implemented by quichs`);
  const initiateKeyUpdate = (cfg.testcase === 'keyupdate' && cfg.role === 'client') || (cfg.testcase === 'keyupdate-server' && cfg.role === 'server');
  return { plan, initiateKeyUpdate };
}

function readCert(cfg: EndpointConfig, name: string): string {
  return readFileSync(join(cfg.certs, name), 'utf8');
}

/**
 * Idle timeout for the "multiconnect" testcase, which the runner's handshakeloss case runs under 30% loss: several
 * consecutive losses of one flight under exponential backoff can outlast the usual 30 s.
 */
const LOSSY_IDLE_TIMEOUT_MS = 120_000;

function idleTimeout(cfg: EndpointConfig): Partial<ConnectionOptions> {
  return cfg.testcase === 'multiconnect' ? { transportParameters: { maxIdleTimeout: LOSSY_IDLE_TIMEOUT_MS } } : {};
}

/** Client connection options for the case. */
export function clientOptions(cfg: EndpointConfig): ConnectionOptions {
  const o: ConnectionOptions = {
    ...idleTimeout(cfg),
    keylogFile: cfg.keylogFile,
    qlogDir: cfg.qlogDir,
    tls: { ALPNProtocols: [cfg.alpn], rejectUnauthorized: false },
  };
  switch (cfg.testcase) {
    case 'chacha20':
      o.tls = { ...o.tls, ciphers: ['TLS_CHACHA20_POLY1305_SHA256'] };
      break;
    case 'certificates':
      o.tls = {
        ...o.tls,
        rejectUnauthorized: true,
        ca: readCert(cfg, 'ca.pem'),
        cert: readCert(cfg, 'client.pem'),
        key: readCert(cfg, 'client.key'),
      };
      break;
    case 'versionnegotiation':
      o.version = RESERVED_VERSION;
      o.connection = { versions: [QUIC_VERSION_1] };
      break;
    case 'v2':
      // start in v1 and offer v2 in version_information: the server may switch (RFC 9368 compatible negotiation)
      o.version = QUIC_VERSION_1;
      o.connection = { versions: [QUIC_VERSION_1, QUIC_VERSION_2] };
      break;
    default:
      break;
  }
  return o;
}

/** Server options for the case. */
export function serverOptions(cfg: EndpointConfig): ServerOptions {
  const o: ServerOptions = {
    ...idleTimeout(cfg),
    keylogFile: cfg.keylogFile,
    qlogDir: cfg.qlogDir,
    tls: {
      ALPNProtocols: [cfg.alpn],
      cert: readCert(cfg, 'cert.pem'),
      key: readCert(cfg, 'priv.key'),
      earlyData: true,
    },
    retry: cfg.testcase === 'retry' || cfg.testcase === 'retrytoken',
  };
  switch (cfg.testcase) {
    case 'certificates':
      o.tls = { ...o.tls, requestCert: true, rejectUnauthorized: true, ca: readCert(cfg, 'ca.pem') };
      break;
    case 'v2':
      o.connection = { versions: [QUIC_VERSION_2, QUIC_VERSION_1] };
      break;
    default:
      break;
  }
  return o;
}
