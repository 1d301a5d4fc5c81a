/**
 * The fuzz loop of engine-fuzz.test.ts (not a test file itself): runs in a worker thread so the test can detect a hang
 * (a deadline on the whole batch) without blocking its own event loop. The mutation stream is fixed by the seed, and
 * the recorded messages are the same bytes on every run (fixed Ed25519 keys and serials, fixed ECDH private keys), so
 * a run's outcomes repeat exactly.
 *
 * Targets, each a real engine in the role that receives the bytes:
 * - ClientHello → server (then the server flight is produced when the hello is accepted)
 * - ServerHello / HelloRetryRequest → client
 * - the server flight (EncryptedExtensions, CertificateRequest, Certificate with real X.509 or opaque certificates,
 *   CertificateVerify, Finished) → client
 * - the client flight (Certificate, CertificateVerify, Finished) → server with mutual TLS
 * Mutations: byte-level (bit flips, interesting values, length-field nudges, insert/delete/duplicate ranges,
 * truncation, trailing bytes) applied to one message body with its framing fixed up (to reach the inner parsers) or to
 * the raw bytes, and message-level (drop, duplicate, swap, unknown type), delivered whole or in two pieces.
 *
 * To keep an iteration cheap the prepared state is reused where that is valid: ephemeral key shares are generated
 * once per group and the (EC)DHE results are memoized per peer share (the engine still runs every other step, with
 * real signatures, transcript hashes, key schedule and X.509 parsing).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TlsAlert } from '../src/alerts.js';
import { createNodeProvider } from '../src/crypto/node.js';
import { nodeEcdh } from '../src/crypto/nodeEcdh.js';
import type { EcdhGroupName } from '../src/crypto/keyShare.js';
import type { CryptoProvider, KeyExchangeGroup, KeyShare, KeyShareResponse } from '../src/crypto/provider.js';
import { createTlsEngine, type TlsEngine } from '../src/engine/tlsEngine.js';
import type { TlsEngineOptions } from '../src/engine/options.js';
import { CertRequest, TlsState } from '../src/engine/tlsState.js';
import { createSelfSignedCertificate, issueCertificate } from '../src/x509/certificateBuilder.js';

/** What the worker is asked to do. */
export interface FuzzJob {
  readonly seed: number;
  readonly iterations: Readonly<Record<FuzzTarget, number>>;
}

/** Fuzz targets. */
export type FuzzTarget = 'clientHello' | 'serverHello' | 'serverFlight' | 'clientFlight';

/** What the worker reports. */
export interface FuzzReport {
  readonly executed: Record<FuzzTarget, number>;
  readonly alerts: Record<FuzzTarget, number>;
  readonly accepted: Record<FuzzTarget, number>;
  readonly alertNames: Record<string, number>;
  readonly failures: { target: FuzzTarget; iteration: number; error: string; input: string }[];
  readonly slowestMs: number;
  readonly elapsedMs: number;
  readonly msPerTarget: Record<FuzzTarget, number>;
}

function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { cause?: unknown }).cause;
  return `${e.name}: ${e.message}\n${e.stack ?? ''}${cause instanceof Error ? `\ncaused by ${cause.name}: ${cause.message}\n${cause.stack ?? ''}` : ''}`;
}

const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function memoizingProvider(base: CryptoProvider): CryptoProvider {
  const shares = new Map<KeyExchangeGroup, KeyShare>();
  const responses = new Map<string, KeyShareResponse>();
  const completed = new Map<string, Uint8Array>();
  const bounded = <V>(m: Map<string, V>, k: string, make: () => V): V => {
    let v = m.get(k);
    if (v === undefined) {
      v = make();
      if (m.size > 256) m.clear();
      m.set(k, v);
    }
    return v;
  };
  const fixedKey = (group: KeyExchangeGroup, fill: number): Uint8Array | undefined =>
    group === 'X25519MLKEM768' ? undefined : new Uint8Array(group === 'secp384r1' ? 48 : 32).fill(fill);
  return Object.create(base, {
    generateKeyShare: {
      value: (group: KeyExchangeGroup): KeyShare => {
        let s = shares.get(group);
        if (s === undefined) {
          const key = fixedKey(group, 0x11);
          const real = key === undefined ? base.generateKeyShare(group) : ((pair) => ({ complete: (peer: Uint8Array) => pair.derive(peer), publicKey: pair.publicKey }))(nodeEcdh(group as EcdhGroupName, key));
          s = { group, publicKey: real.publicKey, complete: (peer: Uint8Array) => bounded(completed, `${group}:${toHex(peer)}`, () => real.complete(peer)) };
          shares.set(group, s);
        }
        return s;
      },
    },
    respondKeyShare: {
      value: (group: KeyExchangeGroup, share: Uint8Array): KeyShareResponse =>
        bounded(responses, `${group}:${toHex(share)}`, () => {
          const key = fixedKey(group, 0x22);
          if (key === undefined) return base.respondKeyShare(group, share);
          const pair = nodeEcdh(group as EcdhGroupName, key);
          return { publicKey: pair.publicKey, sharedSecret: pair.derive(share) };
        }),
    },
  }) as CryptoProvider;
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x40];

function mutateBytes(data: Uint8Array, rnd: () => number): Uint8Array {
  const n = data.length;
  const at = (): number => Math.floor(rnd() * Math.max(1, n));
  switch (Math.floor(rnd() * 9)) {
    case 0: {
      const t = data.slice();
      const flips = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < flips && n > 0; i++) t[at()] ^= 1 << Math.floor(rnd() * 8);
      return t;
    }
    case 1: {
      const t = data.slice();
      if (n > 0) t[at()] = INTERESTING[Math.floor(rnd() * INTERESTING.length)];
      return t;
    }
    case 2: {
      // nudge a 16-bit big-endian field (most TLS lengths) by a small amount
      const t = data.slice();
      if (n < 2) return t;
      const p = Math.floor(rnd() * (n - 1));
      const v = ((t[p] << 8) | t[p + 1]) + [-2, -1, 1, 2, 0x100, -0x100][Math.floor(rnd() * 6)];
      t[p] = (v >> 8) & 0xff;
      t[p + 1] = v & 0xff;
      return t;
    }
    case 3:
      return data.subarray(0, at()); // truncate
    case 4: {
      const extra = new Uint8Array(1 + Math.floor(rnd() * 16)).map(() => Math.floor(rnd() * 256));
      const t = new Uint8Array(n + extra.length);
      t.set(data);
      t.set(extra, n);
      return t; // trailing bytes
    }
    case 5: {
      const p = at();
      const extra = new Uint8Array(1 + Math.floor(rnd() * 8)).map(() => Math.floor(rnd() * 256));
      const t = new Uint8Array(n + extra.length);
      t.set(data.subarray(0, p));
      t.set(extra, p);
      t.set(data.subarray(p), p + extra.length);
      return t; // insertion
    }
    case 6: {
      const p = at();
      const end = Math.min(n, p + 1 + Math.floor(rnd() * 16));
      const t = new Uint8Array(n - (end - p));
      t.set(data.subarray(0, p));
      t.set(data.subarray(end), p);
      return t; // deletion
    }
    case 7: {
      const p = at();
      const len = 1 + Math.floor(rnd() * 24);
      const chunk = data.subarray(p, p + len);
      const q = at();
      const t = new Uint8Array(n + chunk.length);
      t.set(data.subarray(0, q));
      t.set(chunk, q);
      t.set(data.subarray(q), q + chunk.length);
      return t; // duplicated range
    }
    default: {
      const t = data.slice();
      const p = at();
      for (let i = p; i < Math.min(n, p + 4); i++) t[i] = Math.floor(rnd() * 256);
      return t;
    }
  }
}

interface Msg {
  type: number;
  body: Uint8Array;
}

function split(data: Uint8Array): Msg[] {
  const out: Msg[] = [];
  let p = 0;
  while (p + 4 <= data.length) {
    const len = (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
    out.push({ type: data[p], body: data.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return out;
}

function join(msgs: readonly Msg[]): Uint8Array {
  const out = new Uint8Array(msgs.reduce((a, m) => a + 4 + m.body.length, 0));
  let p = 0;
  for (const m of msgs) {
    out[p] = m.type;
    out[p + 1] = (m.body.length >>> 16) & 0xff;
    out[p + 2] = (m.body.length >>> 8) & 0xff;
    out[p + 3] = m.body.length & 0xff;
    out.set(m.body, p + 4);
    p += 4 + m.body.length;
  }
  return out;
}

/** Mutates a sequence of handshake messages (structure-aware most of the time). */
function mutateFlight(data: Uint8Array, rnd: () => number, focus?: number): Uint8Array {
  const msgs = split(data);
  const r = rnd();
  if (r < 0.65 && msgs.length > 0) {
    // one body, framing fixed up: reaches the message and extension parsers
    let i = Math.floor(rnd() * msgs.length);
    if (focus !== undefined && rnd() < 0.6) {
      const f = msgs.findIndex((m) => m.type === focus);
      if (f >= 0) i = f;
    }
    msgs[i] = { type: msgs[i].type, body: mutateBytes(msgs[i].body, rnd) };
    return join(msgs);
  }
  if (r < 0.8 || msgs.length === 0) return mutateBytes(data, rnd);
  const i = Math.floor(rnd() * msgs.length);
  const j = Math.floor(rnd() * msgs.length);
  switch (Math.floor(rnd() * 4)) {
    case 0:
      msgs.splice(i, 1);
      break;
    case 1:
      msgs.splice(i, 0, msgs[i]);
      break;
    case 2:
      [msgs[i], msgs[j]] = [msgs[j], msgs[i]];
      break;
    default:
      msgs.splice(i, 0, { type: Math.floor(rnd() * 256), body: mutateBytes(msgs[j].body, rnd) });
  }
  return join(msgs);
}

function run(job: FuzzJob): FuzzReport {
  const rnd = prng(job.seed);
  const node = createNodeProvider();
  const provider = memoizingProvider(node);
  // every engine gets the same deterministic random sequence, so with the prepared key shares an engine in a fuzz
  // iteration sends exactly what it sent in the clean run and the unmutated parts of a recorded flight still verify
  const freshRng = (): ((len: number) => Uint8Array) => {
    const r = prng(0x5bd1e995);
    return (len) => new Uint8Array(len).map(() => Math.floor(r() * 256));
  };
  const engine = (role: 'client' | 'server', o: TlsEngineOptions): TlsEngine => createTlsEngine(role, { ...o, rng: freshRng() });
  const clock = (): number => Date.UTC(2030, 0, 1);
  const notBefore = new Date('2020-01-01T00:00:00Z');
  const notAfter = new Date('2045-01-01T00:00:00Z');
  // Ed25519 keys from fixed seeds and fixed serial numbers: the certificates are the same bytes on every run
  const ED25519_PKCS8 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);
  const edKey = (seed: number) => node.importPrivateKey(Uint8Array.of(...ED25519_PKCS8, ...new Uint8Array(32).fill(seed)));
  const serialNumber = (n: number) => Uint8Array.of(n);
  const root = createSelfSignedCertificate(node, { subject: 'fuzz root', isCA: true, notBefore, notAfter, key: edKey(1), serialNumber: serialNumber(1) });
  const inter = issueCertificate(node, root, { subject: 'fuzz inter', isCA: true, notBefore, notAfter, key: edKey(2), serialNumber: serialNumber(2) });
  const leaf = issueCertificate(node, inter, { subject: 'fuzz.test', dnsNames: ['fuzz.test', '*.wild.test'], ipAddresses: ['192.0.2.1'], notBefore, notAfter, key: edKey(3), serialNumber: serialNumber(3) });
  const clientLeaf = issueCertificate(node, inter, { subject: 'fuzz client', notBefore, notAfter, key: edKey(4), serialNumber: serialNumber(4), extKeyUsage: ['clientAuth'] });

  const base = { provider, clock, groups: ['x25519', 'secp256r1', 'X25519MLKEM768'], keyShares: ['x25519'], ALPNProtocols: ['h2', 'h3'] } as const;
  const serverOpts: TlsEngineOptions = { ...base, cert: [leaf.der, inter.der], key: leaf.key, ca: root.der };
  const clientOpts: TlsEngineOptions = { ...base, servername: 'fuzz.test', ca: root.der, cert: [clientLeaf.der, inter.der], key: clientLeaf.key };
  const variants: { client: TlsEngineOptions; server: TlsEngineOptions }[] = [
    { client: clientOpts, server: serverOpts },
    { client: clientOpts, server: { ...serverOpts, certRequest: CertRequest.REQUIRED } },
    { client: { ...clientOpts, quic: true, transportParameters: Uint8Array.of(1, 2, 3) }, server: { ...serverOpts, quic: true, transportParameters: Uint8Array.of(4), ALPNProtocols: ['h3'] } },
    { client: clientOpts, server: { ...serverOpts, groups: ['secp256r1'], keyShares: ['secp256r1'], hrrCookie: true } },
  ];

  /** One clean run of a variant: every message each side sent, with the engines' states along the way. */
  const transcripts = variants.map((v) => {
    const c = engine('client', v.client);
    const s = engine('server', v.server);
    let ch = c.handshake(null).out;
    let first = s.handshake(ch);
    let hrr: Uint8Array | undefined;
    let ch1: Uint8Array | undefined;
    if (first.state === TlsState.START) {
      hrr = first.out;
      ch1 = ch;
      ch = c.handshake(hrr).out;
      first = s.handshake(ch);
    }
    const sh = first.out;
    const sf = s.handshake(null).out;
    c.handshake(sh);
    const cf = c.handshake(sf).out;
    s.handshake(cf);
    if (s.state !== TlsState.CONNECTED || c.state !== TlsState.CONNECTED) throw new Error('clean run failed');
    return { ch, ch1, hrr, sh, sf, cf };
  });

  // the replays are exact: unmutated recorded input completes each target's handshake
  transcripts.forEach((t, k) => {
    const s = engine('server', variants[k].server);
    if (t.ch1 !== undefined) s.handshake(t.ch1);
    s.handshake(t.ch);
    s.handshake(null);
    s.handshake(t.cf);
    const c = engine('client', variants[k].client);
    c.handshake(null);
    if (t.hrr !== undefined) c.handshake(t.hrr);
    c.handshake(t.sh);
    c.handshake(t.sf);
    if (s.state !== TlsState.CONNECTED || c.state !== TlsState.CONNECTED) throw new Error(`replay of variant ${k} does not complete`);
  });

  const executed = { clientHello: 0, serverHello: 0, serverFlight: 0, clientFlight: 0 };
  const alerts = { ...executed };
  const accepted = { ...executed };
  const alertNames: Record<string, number> = {};
  const msPerTarget = { ...executed };
  const failures: FuzzReport['failures'] = [];
  let slowestMs = 0;
  const started = performance.now();

  const deliver = (e: TlsEngine, data: Uint8Array): void => {
    if (data.length > 8 && rnd() < 0.2) {
      const cut = 1 + Math.floor(rnd() * (data.length - 1));
      e.handshake(data.subarray(0, cut));
      e.handshake(data.subarray(cut));
    } else {
      e.handshake(data);
    }
  };

  const attempt = (target: FuzzTarget, iteration: number, input: Uint8Array, fn: () => void): void => {
    const t0 = performance.now();
    executed[target]++;
    try {
      fn();
      accepted[target]++;
    } catch (e) {
      // handshake() turns any unexpected exception into internal_error: from peer input that always means a bug
      if (e instanceof TlsAlert && e.alert !== 'internal_error') {
        alerts[target]++;
        alertNames[e.alert] = (alertNames[e.alert] ?? 0) + 1;
      } else if (failures.length < 20) {
        failures.push({ target, iteration, error: describeError(e), input: toHex(input) });
      }
    }
    const dt = performance.now() - t0;
    msPerTarget[target] += dt;
    if (dt > slowestMs) slowestMs = dt;
  };

  for (let i = 0; i < job.iterations.clientHello; i++) {
    const k = Math.floor(rnd() * variants.length);
    const t = transcripts[k];
    const useFirst = t.ch1 !== undefined && rnd() < 0.5;
    const input = mutateFlight(useFirst ? t.ch1! : t.ch, rnd, 1);
    attempt('clientHello', i, input, () => {
      const s = engine('server', variants[k].server);
      if (!useFirst && t.ch1 !== undefined) s.handshake(t.ch1); // the retried hello comes after the HRR
      deliver(s, input);
      if (s.state === TlsState.RCVD) s.handshake(null);
    });
  }

  for (let i = 0; i < job.iterations.serverHello; i++) {
    const k = Math.floor(rnd() * variants.length);
    const t = transcripts[k];
    const mutateHrr = t.hrr !== undefined && rnd() < 0.4;
    const input = mutateFlight(mutateHrr ? t.hrr! : t.sh, rnd, 2);
    attempt('serverHello', i, input, () => {
      const c = engine('client', variants[k].client);
      c.handshake(null);
      if (t.hrr !== undefined && !mutateHrr) c.handshake(t.hrr);
      deliver(c, input);
    });
  }

  for (let i = 0; i < job.iterations.serverFlight; i++) {
    const k = Math.floor(rnd() * variants.length);
    const t = transcripts[k];
    const input = mutateFlight(t.sf, rnd, rnd() < 0.5 ? 11 : undefined);
    attempt('serverFlight', i, input, () => {
      const c = engine('client', variants[k].client);
      c.handshake(null);
      if (t.hrr !== undefined) c.handshake(t.hrr);
      c.handshake(t.sh);
      deliver(c, input);
    });
  }

  // the server side of the client flight: mTLS variant (Certificate, CertificateVerify, Finished) and plain
  for (let i = 0; i < job.iterations.clientFlight; i++) {
    const k = rnd() < 0.7 ? 1 : Math.floor(rnd() * variants.length);
    const t = transcripts[k];
    const input = mutateFlight(t.cf, rnd, rnd() < 0.5 ? 11 : undefined);
    attempt('clientFlight', i, input, () => {
      const s = engine('server', variants[k].server);
      if (t.ch1 !== undefined) s.handshake(t.ch1);
      s.handshake(t.ch);
      s.handshake(null);
      deliver(s, input);
    });
  }

  return { executed, alerts, accepted, alertNames, failures, slowestMs, elapsedMs: performance.now() - started, msPerTarget };
}

parentPort!.postMessage(run(workerData as FuzzJob));
