/**
 * A sans-IO TLS 1.3 connection over the record layer — the seed's TLS_HS_GEN core without the socket: bytes from the
 * peer go in through {@link TlsConnection.receive}, records to send come out of {@link TlsConnection.takeOutput}, and
 * what happened is read with {@link TlsConnection.pollEvent}. Handshake flights are framed at their level's keys, read
 * keys follow the engine, middlebox-compatibility change_cipher_spec is sent and tolerated (outside QUIC), post-handshake
 * NewSessionTicket (a 'session' event with the resumable TlsSession) and KeyUpdate are handled (keys move with the
 * engine's secret chain), 0-RTT early data is sent (client) and received (server) under the early traffic key — data
 * the server did not take as early data is sent again as ordinary application data, so it arrives exactly once — and
 * every failure becomes a
 * fatal alert record plus an `error` event. After the peer's close_notify nothing more is read (RFC 8446 §6.1).
 * Callers that move records themselves get the seed's tls_ap_encrypt / tls_ap_decrypt as {@link TlsConnection.apEncrypt}
 * / {@link TlsConnection.apDecrypt}. Nothing here touches a socket, timer or clock.
 */
import {
  AlertDescription,
  MAX_CIPHERTEXT,
  RECORD_HEADER_LENGTH,
  RecordCipher,
  RecordLayer,
  RecordType,
  TlsAlert,
  TlsState,
  decodeAlert,
  type EncryptionLevel,
  type PaddingPolicy,
  type TlsEngine,
  type TlsFlight,
  type TlsSession,
} from '@quichs/tls-hs';

/** Something that happened on a {@link TlsConnection}. */
export type TlsConnectionEvent =
  | { readonly type: 'handshake' }
  | { readonly type: 'data'; readonly data: Uint8Array }
  | { readonly type: 'session'; readonly session: TlsSession }
  /** Server: 0-RTT application data received (it precedes every 1-RTT byte). */
  | { readonly type: 'earlyData'; readonly data: Uint8Array }
  /** The 0-RTT outcome, once known (client: after EncryptedExtensions; server: after the ClientHello). */
  | { readonly type: 'earlyDataStatus'; readonly status: 'accepted' | 'rejected' }
  | { readonly type: 'keyUpdate'; readonly direction: 'read' | 'write' }
  | { readonly type: 'closeNotify' }
  | { readonly type: 'error'; readonly error: TlsAlert };

/** Options of a {@link TlsConnection}. */
export interface TlsConnectionOptions {
  /** Largest plaintext per record (default and maximum 2^14). */
  readonly maxFragmentLength?: number;
  /** Zero padding added to each protected record's plaintext (default none). */
  readonly padding?: PaddingPolicy;
  /**
   * Stop reading records once the handshake has completed: later bytes stay unread for {@link TlsConnection.takeUnread}
   * (the hand-over of the seed's TLS_F_NO_KTLS mode) until {@link TlsConnection.resumeReading}.
   */
  readonly stopAfterHandshake?: boolean;
}

/** A record opened by {@link TlsConnection.apDecrypt}: its inner content type and content. */
export interface ApRecord {
  /** Inner content type (23 application data, 22 a post-handshake message, 21 an alert). */
  readonly type: number;
  /** The content. */
  readonly data: Uint8Array;
}

const MAX_FRAGMENT = 16384;

/** The engine driven over TLS records, sans-IO. */
export class TlsConnection {
  /** The record layer (exposed for callers that move records themselves). */
  readonly records: RecordLayer;
  private readonly events: TlsConnectionEvent[] = [];
  private output: Uint8Array[] = [];
  private writeLevel: EncryptionLevel = 'initial';
  private readLevel: EncryptionLevel = 'initial';
  private readSecret: Uint8Array | undefined;
  private writeSecret: Uint8Array | undefined;
  private ticketsSeen = 0;
  private started = false;
  private failed: TlsAlert | undefined;
  private sentClose = false;
  private receivedClose = false;
  private pendingResume: Promise<void> | undefined;
  private readonly padding: PaddingPolicy | undefined;
  private stopAfterHandshake: boolean;
  private apWrite: { secret: Uint8Array; cipher: RecordCipher } | undefined;
  private apRead: { secret: Uint8Array; cipher: RecordCipher } | undefined;
  private earlyStatusSeen: string = 'none';
  private earlySent = 0;
  /** Client: early data still to be delivered as 1-RTT (not sent as 0-RTT, or sent and rejected). */
  private earlyPending: Uint8Array | undefined;
  private skippingEarly = false;

  /** Drives `engine` (created for the role it plays). */
  constructor(
    readonly engine: TlsEngine,
    options: TlsConnectionOptions = {},
  ) {
    this.padding = options.padding;
    this.stopAfterHandshake = options.stopAfterHandshake ?? false;
    this.records = new RecordLayer({
      provider: engine.provider,
      maxFragmentLength: Math.min(options.maxFragmentLength ?? MAX_FRAGMENT, MAX_FRAGMENT),
      padding: options.padding,
    });
    this.records.allowChangeCipherSpec(true);
  }

  /**
   * Starts the handshake: a client queues its ClientHello and a compatibility CCS, then `earlyData` as 0-RTT records
   * when the engine offers early data (a `session` that allows it and the `earlyData` option) — up to the session's
   * max_early_data_size; whatever is not sent or not accepted as 0-RTT goes out as application data once the
   * handshake completes. Idempotent; a no-op for servers.
   */
  start(earlyData?: Uint8Array): void {
    if (this.started) return;
    this.started = true;
    if (this.engine.role !== 'client') return;
    this.guard(() => {
      const hello = this.engine.handshake(null);
      this.queue(this.frame(hello.flights));
      if (!this.engine.quic) this.output.push(this.records.writeChangeCipherSpec());
      if (earlyData === undefined || earlyData.length === 0) return;
      this.earlyPending = earlyData;
      if (this.engine.earlyDataStatus !== 'offered') return;
      const n = Math.min(earlyData.length, this.engine.maxEarlyDataSize);
      if (n === 0) return;
      this.writeLevel = 'early';
      this.setWrite('early');
      this.output.push(this.records.writeApplicationData(earlyData.subarray(0, n)));
      this.earlySent = n;
    });
  }

  /** 0-RTT: 'none', 'offered', 'accepted' or 'rejected' (the engine's earlyDataStatus). */
  get earlyDataStatus(): string {
    return this.engine.earlyDataStatus;
  }

  /** Client: bytes sent as 0-RTT early data (whether the server took them: {@link TlsConnection.earlyDataStatus}). */
  get earlyDataSent(): number {
    return this.earlySent;
  }

  /** True once the engine is CONNECTED. */
  get handshakeComplete(): boolean {
    return this.engine.state === TlsState.CONNECTED;
  }

  /** The fatal alert this connection ended with, if any (sent or received). */
  get error(): TlsAlert | undefined {
    return this.failed;
  }

  /** True after the peer's close_notify. */
  get peerClosed(): boolean {
    return this.receivedClose;
  }

  /**
   * Set while the engine waits on an asynchronous SNICallback: await it, then call {@link TlsConnection.resume}.
   */
  get pending(): Promise<void> | undefined {
    return this.pendingResume;
  }

  /** Continues a handshake parked on an asynchronous SNICallback. */
  resume(): void {
    this.pendingResume = undefined;
    this.guard(() => {
      let r = this.engine.handshake(null);
      this.queue(this.frame(r.flights));
      if (r.state === TlsState.RCVD) {
        r = this.engine.handshake(null);
        this.queue(this.frame(r.flights));
      }
      this.afterEngine();
    });
  }

  /** Feeds bytes received from the peer (any split). Never throws: failures become an alert and an `error` event. */
  receive(bytes: Uint8Array): void {
    if (this.failed) return;
    this.guard(() => {
      this.records.receive(bytes);
      this.drain();
    });
  }

  /** Queues application data (split into records of at most the fragment size, 2^14 by default). */
  write(data: Uint8Array): void {
    if (this.failed) throw this.failed;
    if (!this.handshakeComplete) throw TlsAlert.of('internal_error', 'application data before the handshake completed');
    if (this.sentClose) throw TlsAlert.of('internal_error', 'write after close_notify');
    if (data.length > 0) this.output.push(this.records.writeApplicationData(data));
  }

  /** Sends a KeyUpdate (optionally asking the peer to update too) and moves our write keys forward. */
  keyUpdate(requestPeer = false): void {
    if (this.failed) throw this.failed;
    this.guard(() => this.queue(this.frame(this.engine.post('keyUpdate', { requestPeer }))));
  }

  /** Sends close_notify (once). */
  close(): void {
    if (this.sentClose || this.failed) return;
    this.sentClose = true;
    this.output.push(this.records.writeAlert(0, 1));
  }

  /**
   * The received bytes not read yet (still protected) — with `stopAfterHandshake`, whatever followed the handshake.
   * They are removed from this connection.
   */
  takeUnread(): Uint8Array {
    return this.records.takeUnread();
  }

  /** Reads on after a `stopAfterHandshake` pause (processes what is buffered now). */
  resumeReading(): void {
    this.stopAfterHandshake = false;
    if (!this.failed) this.guard(() => this.drain());
  }

  /**
   * The seed's tls_ap_encrypt: protects `data` (at most 2^14 bytes) as one record of `type` (application data by
   * default) under the current application write key with the caller's sequence number `seq` — for callers that move
   * records themselves and track sequence numbers (they restart at 0 after a key change). Returns header ‖ record.
   */
  apEncrypt(data: Uint8Array, seq: number, type: number = RecordType.application_data): Uint8Array {
    if (this.failed) throw this.failed;
    const cipher = this.apCipher('write');
    cipher.sequenceNumber = seq;
    return cipher.seal(type, data, this.padding?.(type, data.length) ?? 0);
  }

  /**
   * The seed's tls_ap_decrypt: opens one whole protected record (header included) under the current application
   * read key with the caller's sequence number `seq`. Throws {@link TlsAlert} (record_overflow, unexpected_message,
   * bad_record_mac, decode_error) on a bad record; the connection itself is not failed by that.
   */
  apDecrypt(record: Uint8Array, seq: number): ApRecord {
    if (this.failed) throw this.failed;
    if (record.length < RECORD_HEADER_LENGTH) throw TlsAlert.of('decode_error', 'record shorter than its header');
    const length = (record[3] << 8) | record[4];
    if (length > MAX_CIPHERTEXT) throw TlsAlert.of('record_overflow', `record of ${length} bytes exceeds 2^14 + 256`);
    if (record.length !== RECORD_HEADER_LENGTH + length) {
      throw TlsAlert.of('decode_error', `record length field ${length} but ${record.length - RECORD_HEADER_LENGTH} bytes given`);
    }
    if (record[0] !== RecordType.application_data) {
      throw TlsAlert.of('unexpected_message', `record of type ${record[0]} after the handshake`);
    }
    const cipher = this.apCipher('read');
    cipher.sequenceNumber = seq;
    const opened = cipher.open(record.subarray(0, RECORD_HEADER_LENGTH), record.subarray(RECORD_HEADER_LENGTH));
    return { type: opened.type, data: opened.content };
  }

  /** A cipher for the current application secret of one direction (rebuilt when a KeyUpdate moved the secret). */
  private apCipher(dir: 'read' | 'write'): RecordCipher {
    if (!this.handshakeComplete) throw TlsAlert.of('internal_error', 'application traffic keys before the handshake completed');
    const secret = this.engine.trafficSecret('application', dir)!;
    const slot = dir === 'write' ? this.apWrite : this.apRead;
    if (slot?.secret === secret) return slot.cipher;
    const fresh = { secret, cipher: new RecordCipher(this.engine.provider, this.engine.cipherSuite!, secret) };
    if (dir === 'write') this.apWrite = fresh;
    else this.apRead = fresh;
    return fresh.cipher;
  }

  /** Records to send, concatenated (undefined when there is nothing). */
  takeOutput(): Uint8Array | undefined {
    if (this.output.length === 0) return undefined;
    const parts = this.output;
    this.output = [];
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** The next event, or undefined. */
  pollEvent(): TlsConnectionEvent | undefined {
    return this.events.shift();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const alert = e instanceof TlsAlert ? e : TlsAlert.of('internal_error', (e as Error).message ?? String(e), e);
      this.failed = alert;
      if (!alert.remote) this.output.push(this.records.writeAlert(alert.code, 2));
      this.events.push({ type: 'error', error: alert });
    }
  }

  private drain(): void {
    while (!this.receivedClose && !(this.stopAfterHandshake && this.handshakeComplete)) {
      const c = this.records.read();
      if (c === null) return;
      if (c.type === RecordType.application_data) {
        if (this.readLevel === 'early') {
          this.engine.receiveEarlyData(c.data.length); // enforces max_early_data_size
          this.events.push({ type: 'earlyData', data: c.data });
          continue;
        }
        if (c.data.length > 0) this.engine.applicationDataReceived(); // resets the engine's KeyUpdate flood count
        this.events.push({ type: 'data', data: c.data });
        continue;
      }
      if (c.type === RecordType.alert) {
        const alert = decodeAlert(c.data);
        if (alert.description === AlertDescription.close_notify) {
          // Anything after close_notify is ignored (RFC 8446 §6.1).
          this.receivedClose = true;
          this.events.push({ type: 'closeNotify' });
          return;
        }
        // user_canceled is a closure alert, not an error; the close_notify that should follow ends the connection.
        if (alert.description === AlertDescription.user_canceled) continue;
        throw new TlsAlert(alert.description, 'received from the peer', { remote: true });
      }
      const before = this.engine.state;
      let r = this.engine.handshake(c.data);
      this.queue(this.frame(r.flights));
      if (r.state === TlsState.PENDING) {
        this.pendingResume = this.engine.ready;
        return;
      }
      if (r.state === TlsState.RCVD && this.engine.role === 'server') {
        r = this.engine.handshake(null);
        this.queue(this.frame(r.flights));
      }
      this.afterEngine(before);
    }
  }

  /** Key changes and events after the engine moved. */
  private afterEngine(before?: number): void {
    this.noteEarlyStatus();
    if (this.engine.readLevel !== this.readLevel) {
      this.readLevel = this.engine.readLevel;
      this.setRead(this.readLevel);
      if (this.readLevel === 'application') this.records.allowChangeCipherSpec(false);
    } else if (this.readLevel === 'application' && this.engine.trafficSecret('application', 'read') !== this.readSecret) {
      this.setRead('application');
      this.events.push({ type: 'keyUpdate', direction: 'read' });
    }
    if (this.engine.state === TlsState.CONNECTED && this.writeLevel !== 'application') {
      this.writeLevel = 'application';
      this.setWrite('application');
    }
    if (before !== undefined && before !== TlsState.CONNECTED && this.engine.state === TlsState.CONNECTED) {
      this.events.push({ type: 'handshake' });
      this.flushEarlyPending();
    }
    const tickets = this.engine.tickets;
    while (this.ticketsSeen < tickets.length) this.events.push({ type: 'session', session: tickets[this.ticketsSeen++].session });
  }

  /** Reports the 0-RTT outcome once; a server that refused skips the client's undecryptable early records. */
  private noteEarlyStatus(): void {
    const status = this.engine.earlyDataStatus;
    if (status === this.earlyStatusSeen) return;
    this.earlyStatusSeen = status;
    if (status !== 'accepted' && status !== 'rejected') return;
    this.events.push({ type: 'earlyDataStatus', status });
    if (this.engine.role === 'server' && status === 'rejected' && !this.skippingEarly) {
      this.skippingEarly = true;
      this.records.skipUndecryptable(this.engine.maxEarlyDataSize);
    }
  }

  /** Client, at the end of the handshake: early data the server did not take as 0-RTT goes out as 1-RTT now. */
  private flushEarlyPending(): void {
    const data = this.earlyPending;
    if (data === undefined) return;
    this.earlyPending = undefined;
    const rest = this.engine.earlyDataStatus === 'accepted' ? data.subarray(this.earlySent) : data;
    if (rest.length > 0) this.output.push(this.records.writeApplicationData(rest));
  }

  private suiteFor(level: EncryptionLevel) {
    const suite = level === 'early' ? this.engine.earlyCipherSuite : this.engine.cipherSuite;
    if (!suite) throw TlsAlert.of('internal_error', `no cipher suite for the ${level} level`);
    return suite;
  }

  private setRead(level: EncryptionLevel): void {
    const secret = this.engine.trafficSecret(level, 'read');
    if (!secret) throw TlsAlert.of('internal_error', `no read secret for ${level}`);
    this.readSecret = secret;
    this.records.setReadKey(this.suiteFor(level), secret);
  }

  private setWrite(level: EncryptionLevel): void {
    if (level === 'initial') {
      // A second ClientHello (after a HelloRetryRequest) that follows 0-RTT records goes out in the clear.
      this.records.clearWriteKey();
      this.writeSecret = undefined;
      return;
    }
    const secret = this.engine.trafficSecret(level, 'write');
    if (!secret) throw TlsAlert.of('internal_error', `no write secret for ${level}`);
    this.writeSecret = secret;
    this.records.setWriteKey(this.suiteFor(level), secret);
  }

  /** Frames flights at their level's keys; after application-level messages (KeyUpdate) the write key may move on. */
  private frame(flights: readonly TlsFlight[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const f of flights) {
      if (f.level !== this.writeLevel) {
        if (this.engine.role === 'server' && this.writeLevel === 'initial' && !this.engine.quic) {
          out.push(this.records.writeChangeCipherSpec());
        }
        this.writeLevel = f.level;
        this.setWrite(f.level);
      }
      out.push(this.records.writeHandshake(f.data));
    }
    if (this.writeLevel === 'application' && this.writeSecret !== undefined &&
        this.engine.trafficSecret('application', 'write') !== this.writeSecret) {
      this.setWrite('application');
      this.events.push({ type: 'keyUpdate', direction: 'write' });
    }
    return out;
  }

  private queue(records: Uint8Array[]): void {
    for (const r of records) this.output.push(r);
  }
}
