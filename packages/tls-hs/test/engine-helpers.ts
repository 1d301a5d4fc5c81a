/** Shared helpers for the engine tests (not a test file itself): key material and an in-memory handshake driver. */
import * as assert from 'uvu/assert';
import { TlsAlert } from '../src/alerts.js';
import { createNodeProvider } from '../src/crypto/node.js';
import type { KeyType, PrivateKey, PublicKey } from '../src/crypto/provider.js';
import { TlsEngine } from '../src/engine/tlsEngine.js';
import { TlsState, type EncryptionLevel, type HandshakeResult, type TlsFlight } from '../src/engine/tlsState.js';
import type { CertificateVerifier, TlsEngineOptions } from '../src/engine/options.js';

/** The provider used by the engine tests. */
export const provider = createNodeProvider();

const keys = new Map<string, PrivateKey>();

/** A cached key pair per type (RSA 2048 generated once). */
export function keyOf(type: KeyType): PrivateKey {
  let k = keys.get(type);
  if (k === undefined) {
    k = provider.generateKeyPair(type, type === 'rsa' || type === 'rsa-pss' ? { bits: 2048 } : undefined);
    keys.set(type, k);
  }
  return k;
}

/**
 * A stand-in "certificate" for tests that do not exercise X.509: the bytes name a key; {@link fakeVerifier}
 * maps them back. (Real chains are tested with x509 certificates elsewhere.)
 */
export function fakeCert(name: string): Uint8Array {
  return new TextEncoder().encode(`fake-cert:${name}`);
}

/** A CertificateVerifier resolving {@link fakeCert} bytes to registered public keys; records what it saw. */
export function fakeVerifier(
  registry: Record<string, PublicKey>,
  seen: { purpose?: string; hostname?: string | undefined; chainLength?: number }[] = [],
): CertificateVerifier {
  return ({ chain, purpose, hostname }) => {
    seen.push({ purpose, hostname, chainLength: chain.length });
    const name = new TextDecoder().decode(chain[0]).replace(/^fake-cert:/, '');
    const key = registry[name];
    if (key === undefined) throw TlsAlert.of('unknown_ca', `no such fake certificate ${name}`);
    return key;
  };
}

/** Options for {@link runHandshake}. */
export interface DriveOptions {
  /** Deliver bytes in chunks of this size (1 = one byte at a time). */
  readonly chunk?: number;
  /** Called with every delivery; may change the bytes (for tampering tests). */
  readonly tamper?: (from: 'client' | 'server', level: EncryptionLevel, data: Uint8Array) => Uint8Array;
  /** After each step, record (role, state). */
  readonly trace?: [string, number][];
}

function deliver(engine: TlsEngine, data: Uint8Array, chunk: number): HandshakeResult {
  if (chunk >= data.length) return engine.handshake(data);
  const flights: { level: EncryptionLevel; data: Uint8Array }[] = [];
  let last: HandshakeResult | undefined;
  for (let i = 0; i < data.length; i += chunk) {
    last = engine.handshake(data.subarray(i, i + chunk));
    flights.push(...last.flights);
  }
  const out = new Uint8Array(flights.reduce((a, f) => a + f.data.length, 0));
  let o = 0;
  for (const f of flights) {
    out.set(f.data, o);
    o += f.data.length;
  }
  return { state: last!.state, out, flights };
}

/**
 * Runs client and server against each other the way the QUIC transport's switch does: the client starts with
 * handshake(null); a server in RCVD is asked for its flight with handshake(null); a PENDING server is awaited.
 * Each flight is delivered at its level. Returns when both are CONNECTED (or throws the first alert).
 */
export async function runHandshake(client: TlsEngine, server: TlsEngine, opt: DriveOptions = {}): Promise<void> {
  const chunk = opt.chunk ?? Number.MAX_SAFE_INTEGER;
  let toServer: TlsFlight[] = [...client.handshake(null).flights];
  opt.trace?.push(['client', client.state]);
  for (let round = 0; round < 10; round++) {
    const toClient: { level: EncryptionLevel; data: Uint8Array }[] = [];
    for (const f of toServer) {
      const data = opt.tamper ? opt.tamper('client', f.level, f.data) : f.data;
      let r = deliver(server, data, chunk);
      opt.trace?.push(['server', r.state]);
      while (r.state === TlsState.PENDING) {
        await server.ready;
        r = server.handshake(null);
        opt.trace?.push(['server', r.state]);
      }
      toClient.push(...r.flights);
      if (r.state === TlsState.RCVD) {
        const r2 = server.handshake(null);
        opt.trace?.push(['server', r2.state]);
        toClient.push(...r2.flights);
      }
    }
    toServer = [];
    for (const f of toClient) {
      const data = opt.tamper ? opt.tamper('server', f.level, f.data) : f.data;
      const r = deliver(client, data, chunk);
      opt.trace?.push(['client', r.state]);
      toServer.push(...r.flights);
    }
    if (client.state === TlsState.CONNECTED && server.state === TlsState.CONNECTED && toServer.length === 0) return;
    if (toServer.length === 0 && toClient.length === 0) break;
  }
  throw new Error(`handshake stalled: client ${client.state}, server ${server.state}`);
}

/** Asserts that `p` rejects (or `fn` throws) a TlsAlert with this name. */
export async function rejectsAlert(p: Promise<unknown> | (() => unknown), name: string): Promise<TlsAlert> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof TlsAlert, `expected TlsAlert ${name}, got ${String(e)}`);
    assert.is((e as TlsAlert).alert, name, (e as Error).message);
    return e as TlsAlert;
  }
  assert.unreachable(`expected alert ${name}`);
  throw new Error('unreachable');
}

/** Equal bytes. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One handshake message of a flight. */
export interface FlightMessage {
  /** HandshakeType. */
  type: number;
  /** Body. */
  body: Uint8Array;
}

/** Splits whole handshake messages (header + body each). */
export function splitMessages(data: Uint8Array): FlightMessage[] {
  const out: FlightMessage[] = [];
  let p = 0;
  while (p < data.length) {
    const len = (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
    out.push({ type: data[p], body: data.slice(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return out;
}

/** Frames messages again. */
export function joinMessages(msgs: readonly FlightMessage[]): Uint8Array {
  const out = new Uint8Array(msgs.reduce((a, m) => a + 4 + m.body.length, 0));
  let p = 0;
  for (const m of msgs) {
    out[p] = m.type;
    out[p + 1] = m.body.length >>> 16;
    out[p + 2] = (m.body.length >>> 8) & 0xff;
    out[p + 3] = m.body.length & 0xff;
    out.set(m.body, p + 4);
    p += 4 + m.body.length;
  }
  return out;
}

/** Replaces the body of the first message of `type` in a flight. */
export function editMessage(data: Uint8Array, type: number, edit: (body: Uint8Array) => Uint8Array): Uint8Array {
  const msgs = splitMessages(data);
  const m = msgs.find((x) => x.type === type);
  if (m === undefined) throw new Error(`no message of type ${type} in the flight`);
  m.body = edit(m.body);
  return joinMessages(msgs);
}

/** What {@link enginePair} returns. */
export interface PairResult {
  /** Client engine. */
  client: TlsEngine;
  /** Server engine. */
  server: TlsEngine;
  /** What the fake verifiers saw. */
  seen: { purpose?: string; hostname?: string | undefined }[];
}

/**
 * A client and a server that authenticate with {@link fakeCert} chains (server key of `keyType`, client key Ed25519);
 * both sides use the node provider. Options override the defaults.
 */
export function enginePair(
  clientOpts: TlsEngineOptions = {},
  serverOpts: TlsEngineOptions = {},
  keyType: KeyType = 'ec-p256',
): PairResult {
  const seen: { purpose?: string; hostname?: string | undefined }[] = [];
  const key = keyOf(keyType);
  const registry = { server: key.publicKey, client: keyOf('ed25519').publicKey };
  const client = new TlsEngine('client', {
    provider,
    servername: 'example.com',
    certificateVerifier: fakeVerifier(registry, seen),
    ...clientOpts,
  });
  const server = new TlsEngine('server', {
    provider,
    cert: fakeCert('server'),
    key,
    certificateVerifier: fakeVerifier(registry, seen),
    ...serverOpts,
  });
  return { client, server, seen };
}
