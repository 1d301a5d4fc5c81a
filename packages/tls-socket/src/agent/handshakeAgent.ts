/**
 * The handshake-agent API of seed 001, after Linux's in-kernel TLS handshake requests (net/handshake):
 * `clientHelloX509`, `clientHelloPsk`, `clientHelloAnon`, `serverHelloX509`, `serverHelloPsk` start a TLS 1.3 handshake
 * on a connected socket; `cancel(socket)` withdraws one. Each request names its material by key serial inside its own
 * {@link Keyring} and ends with exactly one `done(status, peerId, outcome)` call — unless it was cancelled, then never.
 *
 * - A start function returns 0 when the request is under way (done is then guaranteed), or a negative errno when it
 *   could not be started (done is then never called): -EINVAL for malformed arguments or a socket that is not open,
 *   -EBUSY when the socket already has a request.
 * - Status (see {@link HandshakeStatus}): 0, -EACCES (peer rejected us / authentication failed), -ENOMEM (the agent's
 *   memory for handshakes in progress is used up), -EINVAL (wrong kind of key, key and certificate do not match),
 *   -ENOKEY (a serial outside the ring, no trust anchor, no PSK), -EIO (protocol fault, connection lost), -ETIMEDOUT.
 * - peerId: the serial of a key holding the authenticated peer's identity — its certificate chain, added to the
 *   request's ring (x509, and the server in anonymous mode), or the PSK that was used — else TLS_NO_PEERID.
 * - Anonymous mode authenticates only the server: the client presents no certificate even when asked for one.
 * - PSK mode authenticates both sides by the pre-shared key (no certificates); a PSK-only server refuses a client
 *   whose identities it does not hold (unknown_psk_identity → -EACCES).
 * - On success `outcome.socket` is the encrypted {@link TlsSocket}; on failure the socket is destroyed.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CertRequest, createTlsEngine, defaultProvider, parseX509Certificate, type TlsEngine, type TlsEngineOptions } from '@quichs/tls-hs';
import { TlsSocket } from '../socket/tlsSocket.js';
import { HandshakeRequestError, HandshakeStatus, statusOfFailure, type HandshakeStatusValue } from './handshakeStatus.js';
import { TLS_NO_PEERID, type KeySerial, type Keyring } from './keyring.js';
import { resolveCredentials, resolvePsks, resolveTrustAnchors, type ResolvedPsk } from './requestMaterial.js';

/** Engine settings an agent applies to its requests (never keys: those come from each request's ring). */
export type AgentEngineOptions = Pick<TlsEngineOptions,
  'clock' | 'provider' | 'rng' | 'ciphers' | 'groups' | 'keyShares' | 'sigalgs' | 'ALPNProtocols' | 'keylog'>;

/** What a request ended with, besides status and peer id. */
export interface HandshakeOutcome {
  /** On success: the encrypted socket (it wraps the request's socket). */
  readonly socket?: TlsSocket;
  /** On failure: what went wrong (a TlsAlert, a socket error, or a {@link HandshakeRequestError}). */
  readonly error?: Error;
}

/** The completion callback: called once per started request, never for a cancelled one. */
export type HandshakeDone = (status: HandshakeStatusValue, peerId: KeySerial, outcome: HandshakeOutcome) => void;

/** A handshake request (the kernel's struct tls_handshake_args). */
export interface HandshakeArgs {
  /** A connected socket (or any Duplex carrying one). */
  readonly socket: Duplex;
  /** Completion callback. */
  readonly done: HandshakeDone;
  /** Client: the server's name, sent as SNI and checked against its certificate (default: the socket's peer address). */
  readonly peername?: string;
  /** Give up with -ETIMEDOUT after this many ms (default: the agent's, 30 s; 0: never). */
  readonly timeoutMs?: number;
  /** The only keyring this request may take keys from. */
  readonly keyring: Keyring;
  /** x509: serial of our certificate chain (required for servers and x509 clients). */
  readonly myCert?: KeySerial;
  /** x509: serial of our private key. */
  readonly myPrivateKey?: KeySerial;
  /** PSK: serials of the PSKs to offer (client, at most 5 as in the kernel) or to accept (server; default all in the ring). */
  readonly peerIds?: readonly KeySerial[];
  /** Extra engine settings for this request (override the agent's). */
  readonly engine?: AgentEngineOptions;
}

/** Options of a {@link HandshakeAgent}. */
export interface HandshakeAgentOptions {
  /**
   * Bytes of peer data all handshakes in progress may hold together (default 16 MiB): a request whose peer would push
   * the total over it ends with -ENOMEM.
   */
  readonly memoryLimit?: number;
  /** Timeout for requests that give none (default 30 000 ms). */
  readonly defaultTimeoutMs?: number;
  /** Engine settings for every request. */
  readonly engine?: AgentEngineOptions;
}

/** The five request kinds. */
export type HandshakeKind = 'clientX509' | 'clientPsk' | 'clientAnon' | 'serverX509' | 'serverPsk';

const MAX_PEER_IDS = 5;

interface Request {
  readonly kind: HandshakeKind;
  readonly args: HandshakeArgs;
  state: 'queued' | 'running' | 'done' | 'cancelled';
  tls?: TlsSocket;
  held: number;
  psks: ResolvedPsk[];
  onData?: (chunk: Buffer) => void;
}

/** Runs handshake requests; owns the per-socket registry and the memory budget. */
export class HandshakeAgent {
  /** Bytes of peer data all handshakes in progress may hold. */
  readonly memoryLimit: number;
  private readonly defaultTimeoutMs: number;
  private readonly engine: AgentEngineOptions;
  private readonly requests = new Map<Duplex, Request>();
  private inUse = 0;

  constructor(options: HandshakeAgentOptions = {}) {
    this.memoryLimit = options.memoryLimit ?? 16 * 1024 * 1024;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.engine = options.engine ?? {};
  }

  /** Client handshake authenticated by x509 certificates on both sides (myCert + myPrivateKey). */
  clientHelloX509(args: HandshakeArgs): number {
    return this.start('clientX509', args);
  }

  /** Client handshake with the pre-shared keys named by peerIds. */
  clientHelloPsk(args: HandshakeArgs): number {
    return this.start('clientPsk', args);
  }

  /** Client handshake that authenticates the server only (we present no certificate). */
  clientHelloAnon(args: HandshakeArgs): number {
    return this.start('clientAnon', args);
  }

  /** Server handshake with our x509 certificate; a client certificate is asked for when the ring holds trust anchors. */
  serverHelloX509(args: HandshakeArgs): number {
    return this.start('serverX509', args);
  }

  /** Server handshake accepting the PSKs named by peerIds (or every PSK in the ring). */
  serverHelloPsk(args: HandshakeArgs): number {
    return this.start('serverPsk', args);
  }

  /**
   * Withdraws the request on `socket`: true if it was still in progress — its done callback will never run, and a
   * handshake already under way is aborted (the socket destroyed); false if there is none (done already ran).
   */
  cancel(socket: Duplex): boolean {
    const req = this.requests.get(socket);
    if (req === undefined || (req.state !== 'queued' && req.state !== 'running')) return false;
    const wasRunning = req.state === 'running';
    req.state = 'cancelled';
    this.release(req);
    if (wasRunning) {
      req.tls?.destroy();
      socket.destroy();
    }
    return true;
  }

  /** Requests queued or running. */
  get pending(): number {
    return this.requests.size;
  }

  /** Bytes of peer data held by handshakes in progress. */
  get memoryInUse(): number {
    return this.inUse;
  }

  private start(kind: HandshakeKind, args: HandshakeArgs): number {
    if (args === null || typeof args !== 'object' || typeof args.done !== 'function' || args.socket === undefined ||
        typeof (args.socket as Partial<Duplex>).write !== 'function' || args.keyring === undefined ||
        typeof args.keyring.get !== 'function') {
      return HandshakeStatus.EINVAL;
    }
    const socket = args.socket;
    if (socket.destroyed || !socket.readable || !socket.writable || (socket as Partial<Socket>).connecting === true) return HandshakeStatus.EINVAL;
    if (args.timeoutMs !== undefined && !(Number.isInteger(args.timeoutMs) && args.timeoutMs >= 0)) return HandshakeStatus.EINVAL;
    if (args.peerIds !== undefined && (!Array.isArray(args.peerIds) || args.peerIds.length > MAX_PEER_IDS)) return HandshakeStatus.EINVAL;
    if (this.requests.has(socket)) return HandshakeStatus.EBUSY;
    const req: Request = { kind, args, state: 'queued', held: 0, psks: [] };
    this.requests.set(socket, req);
    // As with the kernel's upcall, the handshake runs later, never inside the start call.
    setImmediate(() => this.run(req));
    return HandshakeStatus.OK;
  }

  private run(req: Request): void {
    if (req.state !== 'queued') return;
    req.state = 'running';
    const { args } = req;
    let engine: TlsEngine;
    try {
      engine = createTlsEngine(req.kind.startsWith('client') ? 'client' : 'server', this.engineOptions(req));
    } catch (e) {
      args.socket.destroy();
      const error = e instanceof HandshakeRequestError ? e : new HandshakeRequestError(HandshakeStatus.EINVAL, (e as Error).message, { cause: e });
      this.finish(req, error.status, TLS_NO_PEERID, { error });
      return;
    }
    // Memory: every byte the peer sends while the handshake is in progress is charged until the request ends.
    req.onData = (chunk: Buffer) => {
      if (req.state !== 'running') return;
      req.held += chunk.length;
      this.inUse += chunk.length;
      if (this.inUse > this.memoryLimit) {
        req.tls?.destroy(new HandshakeRequestError(HandshakeStatus.ENOMEM,
          `handshakes in progress hold ${this.inUse} bytes, over the agent's limit of ${this.memoryLimit}`));
      }
    };
    args.socket.prependListener('data', req.onData);
    const tls = new TlsSocket(args.socket, engine, { handshakeTimeoutMs: args.timeoutMs ?? this.defaultTimeoutMs });
    req.tls = tls;
    const swallow = (): void => undefined; // the done callback reports it
    tls.on('error', swallow);
    tls.secure.then(
      () => {
        if (req.state !== 'running') return;
        tls.off('error', swallow);
        this.finish(req, HandshakeStatus.OK, this.peerIdentity(req, engine), { socket: tls });
      },
      (e: Error) => this.finish(req, statusOfFailure(e), TLS_NO_PEERID, { error: e }),
    );
  }

  /** Engine options for a request: its keys from its ring, the agent's and the request's settings. */
  private engineOptions(req: Request): TlsEngineOptions {
    const { kind, args } = req;
    const settings: AgentEngineOptions = { clock: () => Date.now(), ...this.engine, ...args.engine };
    const provider = settings.provider ?? defaultProvider();
    const ring = args.keyring;
    const base: TlsEngineOptions = { ...settings, provider };
    switch (kind) {
      case 'clientX509':
      case 'clientAnon': {
        const ca = resolveTrustAnchors(ring);
        if (ca.length === 0) throw new HandshakeRequestError(HandshakeStatus.ENOKEY, `keyring "${ring.description}" holds no trust anchor to verify the server with`);
        const servername = args.peername ?? (args.socket as Partial<Socket>).remoteAddress;
        if (servername === undefined) throw new HandshakeRequestError(HandshakeStatus.EINVAL, 'no peername, and the socket has no peer address to check the server against');
        if (kind === 'clientAnon') return { ...base, ca, servername };
        const { chain, key } = resolveCredentials(provider, ring, args.myCert, args.myPrivateKey);
        return { ...base, ca, servername, cert: chain, key };
      }
      case 'serverX509': {
        const { chain, key } = resolveCredentials(provider, ring, args.myCert, args.myPrivateKey);
        const ca = resolveTrustAnchors(ring);
        return ca.length > 0
          ? { ...base, cert: chain, key, ca, certRequest: CertRequest.OPTIONAL }
          : { ...base, cert: chain, key, certRequest: CertRequest.NONE };
      }
      case 'clientPsk':
      case 'serverPsk': {
        req.psks = resolvePsks(ring, args.peerIds, kind === 'serverPsk');
        return { ...base, psks: req.psks.map(({ identity, key, hash }) => ({ identity, key, hash })) };
      }
    }
  }

  /** The serial of a key holding the peer's authenticated identity, or TLS_NO_PEERID. */
  private peerIdentity(req: Request, engine: TlsEngine): KeySerial {
    const used = engine.pskIdentity;
    if (used !== undefined) {
      const psk = req.psks.find((p) => p.identity.length === used.length && p.identity.every((b, i) => b === used[i]));
      return psk?.serial ?? TLS_NO_PEERID;
    }
    const chain = engine.peerCertificates;
    if (chain.length === 0) return TLS_NO_PEERID;
    const leaf = parseX509Certificate(chain[0]);
    const fingerprint = Buffer.from(engine.provider.hash('sha256', chain[0])).toString('hex').slice(0, 16);
    return req.args.keyring.add(`peer ${leaf.subject.text} ${fingerprint}`, { type: 'certificate', cert: [...chain] });
  }

  private release(req: Request): void {
    this.requests.delete(req.args.socket);
    this.inUse -= req.held;
    req.held = 0;
    if (req.onData) req.args.socket.off('data', req.onData);
  }

  private finish(req: Request, status: HandshakeStatusValue, peerId: KeySerial, outcome: HandshakeOutcome): void {
    if (req.state !== 'running') return;
    req.state = 'done';
    this.release(req);
    try {
      req.args.done(status, peerId, outcome);
    } catch (e) {
      // A throwing callback is the consumer's bug: surface it like an event listener's, outside our promise chain.
      process.nextTick(() => {
        throw e;
      });
    }
  }
}

/** The process-wide agent behind the free functions. */
export const defaultHandshakeAgent = new HandshakeAgent();

/** {@link HandshakeAgent.clientHelloX509} on the default agent (the kernel's tls_client_hello_x509). */
export function clientHelloX509(args: HandshakeArgs): number {
  return defaultHandshakeAgent.clientHelloX509(args);
}

/** {@link HandshakeAgent.clientHelloPsk} on the default agent (tls_client_hello_psk). */
export function clientHelloPsk(args: HandshakeArgs): number {
  return defaultHandshakeAgent.clientHelloPsk(args);
}

/** {@link HandshakeAgent.clientHelloAnon} on the default agent (tls_client_hello_anon). */
export function clientHelloAnon(args: HandshakeArgs): number {
  return defaultHandshakeAgent.clientHelloAnon(args);
}

/** {@link HandshakeAgent.serverHelloX509} on the default agent (tls_server_hello_x509). */
export function serverHelloX509(args: HandshakeArgs): number {
  return defaultHandshakeAgent.serverHelloX509(args);
}

/** {@link HandshakeAgent.serverHelloPsk} on the default agent (tls_server_hello_psk). */
export function serverHelloPsk(args: HandshakeArgs): number {
  return defaultHandshakeAgent.serverHelloPsk(args);
}

/** {@link HandshakeAgent.cancel} on the default agent (tls_handshake_cancel). */
export function cancel(socket: Duplex): boolean {
  return defaultHandshakeAgent.cancel(socket);
}
