/**
 * Fixtures for the Connection tests: an in-memory certificate authority (tls-hs certificate builder, no openssl),
 * TLS options for both roles with a fixed clock, and a client/server pair of EndpointCores on a MemoryNetwork.
 */
import { createNodeProvider, createSelfSignedCertificate, issueCertificate, type CreatedCertificate, type TlsEngineOptions } from '@quichs/tls-hs';
import {
  Connection,
  EndpointCore,
  type ClientConnectionCoreOptions,
  type EndpointCoreOptions,
  type RemoteAddress,
  type ServerConnectionCoreOptions,
} from '../../src/index.js';
import { MemoryNetwork, type LinkOptions } from './memoryNetwork.js';

/** The provider all these tests use. */
export const provider = createNodeProvider();

/** A fixed "now" inside the certificates' validity, for certificate checks. */
export const TLS_CLOCK = (): number => Date.parse('2026-03-01T00:00:00Z');

/** The test PKI. */
export interface Pki {
  ca: CreatedCertificate;
  server: CreatedCertificate;
  client: CreatedCertificate;
}

let pki: Pki | undefined;

/** A CA, a server leaf for localhost / 127.0.0.1 and a client leaf (created once per process). */
export function testPki(): Pki {
  if (pki !== undefined) return pki;
  const notBefore = new Date('2025-01-01T00:00:00Z');
  const notAfter = new Date('2030-01-01T00:00:00Z');
  const ca = createSelfSignedCertificate(provider, { subject: 'quichs transport test CA', isCA: true, notBefore, notAfter });
  const issuer = { certificate: ca.certificate, key: ca.key };
  const server = issueCertificate(provider, issuer, {
    subject: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    notBefore,
    notAfter,
    extKeyUsage: ['serverAuth'],
  });
  const client = issueCertificate(provider, issuer, { subject: 'quichs client', notBefore, notAfter, extKeyUsage: ['clientAuth'] });
  pki = { ca, server, client };
  return pki;
}

/** Server TLS options (certificate for localhost, ALPN "hq-test"). */
export function serverTls(extra: TlsEngineOptions = {}): TlsEngineOptions {
  const p = testPki();
  return { provider, clock: TLS_CLOCK, cert: p.server.pem, key: p.server.keyPem, ca: p.ca.pem, ALPNProtocols: ['hq-test'], ...extra };
}

/** Client TLS options (trusts the test CA, asks for localhost, ALPN "hq-test"). */
export function clientTls(extra: TlsEngineOptions = {}): TlsEngineOptions {
  const p = testPki();
  return { provider, clock: TLS_CLOCK, ca: p.ca.pem, servername: 'localhost', ALPNProtocols: ['hq-test'], ...extra };
}

/** Addresses of the pair. */
export const CLIENT_ADDRESS: RemoteAddress = { address: '10.0.0.1', port: 50_000 };
export const SERVER_ADDRESS: RemoteAddress = { address: '10.0.0.2', port: 443 };

/** Options of {@link createPair}. */
export interface PairOptions {
  seed?: number;
  link?: LinkOptions;
  client?: ClientConnectionCoreOptions;
  server?: ServerConnectionCoreOptions;
  serverEndpoint?: Omit<EndpointCoreOptions, 'server'> & { retry?: boolean };
  clientEndpoint?: EndpointCoreOptions;
  /** Do not connect yet (call `pair.connect()`). */
  deferConnect?: boolean;
}

/** A client and a server on a memory network. */
export interface Pair {
  net: MemoryNetwork;
  clientCore: EndpointCore;
  serverCore: EndpointCore;
  /** The client connection (after connect). */
  client: Connection;
  /** Server connections in order of acceptance. */
  servers: Connection[];
  /** The first server connection (throws when none was accepted yet). */
  server(): Connection;
  /** Starts (another) client connection. */
  connect(options?: ClientConnectionCoreOptions): Connection;
  /** Runs until both sides completed the handshake (or `maxTime`). */
  handshake(maxTime?: number): boolean;
}

/** Builds a pair; by default the client connection is started right away. */
export function createPair(o: PairOptions = {}): Pair {
  const net = new MemoryNetwork({ seed: o.seed ?? 1, link: o.link ?? { delay: 10 } });
  const servers: Connection[] = [];
  const serverOptions: ServerConnectionCoreOptions = { provider, ...o.server, tls: serverTls(o.server?.tls) };
  const { retry, ...serverEndpoint } = o.serverEndpoint ?? {};
  const serverCore = new EndpointCore({
    provider,
    ...serverEndpoint,
    server: {
      retry,
      accept: (incoming) => {
        const c = Connection.server(incoming, serverOptions);
        servers.push(c);
        return c;
      },
    },
  });
  const clientCore = new EndpointCore({ provider, ...o.clientEndpoint });
  net.attach(CLIENT_ADDRESS, clientCore);
  net.attach(SERVER_ADDRESS, serverCore);
  const pair: Pair = {
    net,
    clientCore,
    serverCore,
    client: undefined as unknown as Connection,
    servers,
    server: () => {
      const s = servers[0];
      if (s === undefined) throw new Error('no server connection accepted');
      return s;
    },
    connect: (options?: ClientConnectionCoreOptions) => {
      const opts: ClientConnectionCoreOptions = { provider, ...o.client, ...options, tls: clientTls({ ...o.client?.tls, ...options?.tls }) };
      const c = clientCore.connect(SERVER_ADDRESS, net.now, (out) => Connection.client(out, opts));
      pair.client = c;
      return c;
    },
    handshake: (maxTime = 30_000) =>
      net.run(() => pair.client.handshakeComplete && servers.length > 0 && servers[0].handshakeComplete, { maxTime }),
  };
  if (!o.deferConnect) pair.connect();
  return pair;
}

/** Drains and returns a connection's events. */
export function drainEvents(c: Connection): ReturnType<Connection['pollEvent']>[] {
  const out: ReturnType<Connection['pollEvent']>[] = [];
  for (let e = c.pollEvent(); e !== undefined; e = c.pollEvent()) out.push(e);
  return out;
}
