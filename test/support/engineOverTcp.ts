/**
 * Test support: a TLS 1.3 endpoint made of our engine + the sans-IO record layer over a `net.Socket`, so the engine can
 * be tested against real TLS peers (openssl s_server/s_client, node:tls) over loopback TCP. Flights are framed at their
 * level's keys, read keys follow `engine.readLevel`, middlebox-compatibility CCS records are sent and tolerated,
 * post-handshake messages (NewSessionTicket) go back into the engine. Test tooling, not the product's socket API.
 */
import type { Socket } from 'node:net';
import {
  RecordLayer,
  RecordType,
  TlsAlert,
  TlsState,
  decodeAlert,
  type EncryptionLevel,
  type SecretName,
  type TlsEngine,
} from '@quichs/tls-hs';

/** The engine driven over a connected socket. */
export class EngineOverTcp {
  readonly records: RecordLayer;
  private readonly received: Buffer[] = [];
  private writeLevel: EncryptionLevel = 'initial';
  private readLevel: EncryptionLevel = 'initial';
  private settled = false;
  private resolveHandshake!: () => void;
  private rejectHandshake!: (e: Error) => void;
  /** Resolves when the engine reaches CONNECTED; rejects with a TlsAlert (ours or the peer's) or a socket error. */
  readonly connected: Promise<void>;
  /** The first error seen (a TlsAlert from either side, or a socket error). */
  error: Error | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    readonly engine: TlsEngine,
    readonly socket: Socket,
  ) {
    this.records = new RecordLayer({ provider: engine.provider });
    this.records.allowChangeCipherSpec(true);
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveHandshake = resolve;
      this.rejectHandshake = reject;
    });
    this.connected.catch(() => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => {
      this.fail(new Error('socket closed before the handshake completed'));
      this.wake();
    });
    if (engine.role === 'client') {
      const hello = engine.handshake(null);
      this.send([...this.frame(hello.flights), this.records.writeChangeCipherSpec()]);
    }
  }

  /** Application data received so far, concatenated. */
  get data(): Buffer {
    return Buffer.concat(this.received);
  }

  /** Sends application data. */
  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let o = 0; o < bytes.length; o += 16384) this.socket.write(this.records.writeApplicationData(bytes.subarray(o, o + 16384)));
  }

  /** Waits until the received application data satisfies `done` (or the socket closes / times out). */
  async waitFor(done: (data: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.data)) {
      if (this.socket.destroyed || Date.now() > deadline) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.data;
  }

  /** Sends close_notify and ends the socket. */
  close(): void {
    if (!this.socket.destroyed) {
      this.socket.write(this.records.writeAlert(0));
      this.socket.end();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private fail(e: Error): void {
    this.error ??= e;
    if (!this.settled) {
      this.settled = true;
      this.rejectHandshake(e);
    }
  }

  private send(records: Uint8Array[]): void {
    for (const r of records) this.socket.write(r);
  }

  private secretFor(level: EncryptionLevel, dir: 'read' | 'write'): Uint8Array {
    const mine = this.engine.role;
    const who = dir === 'write' ? mine : mine === 'client' ? 'server' : 'client';
    const name = `${who}${level === 'handshake' ? 'Handshake' : 'Application'}` as SecretName;
    const secret = this.engine.secret(name);
    if (!secret) throw new Error(`no ${name} secret`);
    return secret;
  }

  private frame(flights: readonly { level: EncryptionLevel; data: Uint8Array }[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const f of flights) {
      if (f.level !== this.writeLevel) {
        if (this.engine.role === 'server' && this.writeLevel === 'initial') out.push(this.records.writeChangeCipherSpec());
        this.writeLevel = f.level;
        this.records.setWriteKey(this.engine.cipherSuite!, this.secretFor(f.level, 'write'));
      }
      out.push(this.records.writeHandshake(f.data));
    }
    return out;
  }

  private onData(chunk: Buffer): void {
    try {
      this.records.receive(chunk);
      for (let c = this.records.read(); c !== null; c = this.records.read()) {
        if (c.type === RecordType.application_data) {
          this.received.push(Buffer.from(c.data));
          continue;
        }
        if (c.type === RecordType.alert) {
          const alert = decodeAlert(c.data);
          if (alert.description === 0) {
            this.socket.end();
            continue;
          }
          throw new TlsAlert(alert.description, 'received from the peer', { remote: true });
        }
        let r = this.engine.handshake(c.data);
        this.send(this.frame(r.flights));
        if (r.state === TlsState.RCVD && this.engine.role === 'server') {
          r = this.engine.handshake(null);
          this.send(this.frame(r.flights));
        }
        if (this.engine.readLevel !== this.readLevel) {
          this.readLevel = this.engine.readLevel;
          this.records.setReadKey(this.engine.cipherSuite!, this.secretFor(this.readLevel, 'read'));
          if (this.readLevel === 'application') this.records.allowChangeCipherSpec(false);
        }
        if (this.engine.state === TlsState.CONNECTED && this.writeLevel !== 'application') {
          this.writeLevel = 'application';
          this.records.setWriteKey(this.engine.cipherSuite!, this.secretFor('application', 'write'));
        }
        if (this.engine.state === TlsState.CONNECTED && !this.settled) {
          this.settled = true;
          this.resolveHandshake();
        }
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (err instanceof TlsAlert && !err.remote && !this.socket.destroyed) this.socket.write(this.records.writeAlert(err.code, 2));
      this.fail(err);
      this.socket.destroy();
    } finally {
      this.wake();
    }
  }
}
