/**
 * Shared helpers for the sessions tests (not a test file itself): a settable clock, engine pairs with fake
 * certificates, a full-handshake-then-session helper, and {@link RecordPeer} — the engine over the sans-IO record
 * layer the way TLS over TCP runs it, including 0-RTT (early key, EndOfEarlyData, skipping refused early data),
 * KeyUpdate key changes and the post-handshake flood counter.
 */
import type { CryptoProvider } from '../src/crypto/provider.js';
import { createTlsEngine, type TlsEngine } from '../src/engine/tlsEngine.js';
import type { TlsEngineOptions } from '../src/engine/options.js';
import { TlsState, type EncryptionLevel, type TlsFlight } from '../src/engine/tlsState.js';
import { RecordLayer } from '../src/record/recordLayer.js';
import { RecordType } from '../src/record/recordType.js';
import { decodeAlert } from '../src/record/alertMessage.js';
import { TlsAlert } from '../src/alerts.js';
import type { TlsSession } from '../src/session/tlsSession.js';
import { fakeCert, fakeVerifier, keyOf, runHandshake } from './engine-helpers.js';
import { concat } from './wire-helpers.js';

/** A clock tests move by hand. */
export class TestClock {
  now = 1_750_000_000_000;
  /** The clock function for engine options. */
  readonly fn = (): number => this.now;
  /** Moves time forward. */
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Creates a client/server pair with fake certificates (server key: ECDSA P-256). */
export function enginePair(
  provider: CryptoProvider,
  clientOpts: TlsEngineOptions = {},
  serverOpts: TlsEngineOptions = {},
): { client: TlsEngine; server: TlsEngine } {
  const key = keyOf('ec-p256');
  const client = createTlsEngine('client', {
    provider,
    servername: 'example.com',
    certificateVerifier: fakeVerifier({ server: key.publicKey }),
    ...clientOpts,
  });
  const server = createTlsEngine('server', { provider, cert: fakeCert('server'), key, ...serverOpts });
  return { client, server };
}

/** Runs a full handshake and returns the sessions the client received (at least one). */
export async function firstSessions(
  provider: CryptoProvider,
  clientOpts: TlsEngineOptions = {},
  serverOpts: TlsEngineOptions = {},
): Promise<{ sessions: TlsSession[]; client: TlsEngine; server: TlsEngine }> {
  const sessions: TlsSession[] = [];
  const { client, server } = enginePair(provider, { onSession: (s) => sessions.push(s), ...clientOpts }, serverOpts);
  await runHandshake(client, server);
  if (sessions.length === 0) throw new Error('no session ticket received');
  return { sessions, client, server };
}

/** One TLS-over-TCP endpoint: engine + record layer (in memory). */
export class RecordPeer {
  readonly records: RecordLayer;
  /** Application data received (1-RTT). */
  readonly app: Uint8Array[] = [];
  /** 0-RTT data received (server). */
  readonly early: Uint8Array[] = [];
  private writeLevel: EncryptionLevel = 'initial';
  private readLevel: EncryptionLevel = 'initial';
  private readSecret: Uint8Array | undefined;
  private writeSecret: Uint8Array | undefined;
  private skipping = false;

  constructor(readonly engine: TlsEngine) {
    this.records = new RecordLayer({ provider: engine.provider });
    this.records.allowChangeCipherSpec(true);
  }

  /** Client: the ClientHello (+ CCS), then 0-RTT records of `early` when the engine offers early data. */
  start(early?: Uint8Array): Uint8Array[] {
    const hello = this.engine.handshake(null);
    const out = [...this.frame(hello.flights), this.records.writeChangeCipherSpec()];
    if (early !== undefined && this.engine.earlyDataStatus === 'offered') {
      this.writeLevel = 'early';
      this.setWrite('early');
      out.push(this.records.writeApplicationData(early));
    }
    return out;
  }

  /** Application data (1-RTT) to send. */
  write(data: Uint8Array): Uint8Array {
    return this.records.writeApplicationData(data);
  }

  /** Frames flights at their levels' keys; re-keys writing after our own KeyUpdate. */
  frame(flights: readonly TlsFlight[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const f of flights) {
      if (f.level !== this.writeLevel) {
        if (this.engine.role === 'server' && this.writeLevel === 'initial') out.push(this.records.writeChangeCipherSpec());
        this.writeLevel = f.level;
        this.setWrite(f.level);
      }
      out.push(this.records.writeHandshake(f.data));
    }
    if (this.writeLevel === 'application' && this.engine.trafficSecret('application', 'write') !== this.writeSecret) {
      this.setWrite('application');
    }
    return out;
  }

  /** KeyUpdate initiated here. */
  keyUpdate(requestPeer: boolean): Uint8Array[] {
    return this.frame(this.engine.post('keyUpdate', { requestPeer }));
  }

  private suiteFor(level: EncryptionLevel) {
    return level === 'early' ? this.engine.earlyCipherSuite! : this.engine.cipherSuite!;
  }

  private setWrite(level: EncryptionLevel): void {
    if (level === 'initial') {
      this.records.clearWriteKey(); // second ClientHello after 0-RTT records and a HelloRetryRequest
      return;
    }
    this.writeSecret = this.engine.trafficSecret(level, 'write')!;
    this.records.setWriteKey(this.suiteFor(level), this.writeSecret);
  }

  private setRead(level: EncryptionLevel): void {
    this.readSecret = this.engine.trafficSecret(level, 'read')!;
    this.records.setReadKey(this.suiteFor(level), this.readSecret);
  }

  /** Receives bytes; returns the records to send back. Throws TlsAlert (ours, or the peer's with remote = true). */
  receive(bytes: Uint8Array): Uint8Array[] {
    this.records.receive(bytes);
    const out: Uint8Array[] = [];
    for (let c = this.records.read(); c !== null; c = this.records.read()) {
      if (c.type === RecordType.application_data) {
        if (this.readLevel === 'early') {
          this.engine.receiveEarlyData(c.data.length);
          this.early.push(c.data);
        } else {
          if (c.data.length > 0) this.engine.applicationDataReceived();
          this.app.push(c.data);
        }
        continue;
      }
      if (c.type === RecordType.alert) {
        throw new TlsAlert(decodeAlert(c.data).description, 'received from the peer', { remote: true });
      }
      let r = this.engine.handshake(c.data);
      out.push(...this.frame(r.flights));
      if (r.state === TlsState.RCVD && this.engine.role === 'server') {
        r = this.engine.handshake(null);
        out.push(...this.frame(r.flights));
      }
      if (this.engine.role === 'server' && this.engine.earlyDataStatus === 'rejected' && !this.skipping) {
        this.skipping = true;
        this.records.skipUndecryptable(this.engine.maxEarlyDataSize);
      }
      if (this.engine.readLevel !== this.readLevel) {
        this.readLevel = this.engine.readLevel;
        this.setRead(this.readLevel);
        if (this.readLevel === 'application') this.records.allowChangeCipherSpec(false);
      } else if (this.readLevel === 'application' && this.engine.trafficSecret('application', 'read') !== this.readSecret) {
        this.setRead('application');
      }
      if (this.engine.state === TlsState.CONNECTED && this.writeLevel !== 'application') {
        this.writeLevel = 'application';
        this.setWrite('application');
      }
    }
    return out;
  }
}

/**
 * Runs a TCP-style exchange between two record peers: `first` is what the client sent (start()); delivery in
 * `chunk`-byte pieces. Stops when nothing moves.
 */
export function exchange(client: RecordPeer, server: RecordPeer, first: Uint8Array[], chunk = Number.MAX_SAFE_INTEGER): void {
  let toServer = first;
  for (let round = 0; round < 8; round++) {
    const toClient: Uint8Array[] = [];
    const a = concat(...toServer);
    for (let i = 0; i < a.length; i += chunk) toClient.push(...server.receive(a.subarray(i, i + chunk)));
    toServer = [];
    const b = concat(...toClient);
    for (let i = 0; i < b.length; i += chunk) toServer.push(...client.receive(b.subarray(i, i + chunk)));
    if (toServer.length === 0 && toClient.length === 0) return;
  }
}
