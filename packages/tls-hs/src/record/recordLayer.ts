/**
 * A sans-IO TLS 1.3 record layer (RFC 8446 §5) for one connection: framing of any split of the incoming byte
 * stream, per-direction protection with key changes, fragmentation of outgoing data into ≤ 2^14-byte records,
 * an optional padding policy, alert records, and the change_cipher_spec compatibility rules of §5 / §D.4.
 *
 * Reading is pull-based so that a key change takes effect exactly at a record boundary: `receive(bytes)` then call
 * `read()` until it returns null, installing new read keys between calls when the handshake says so.
 */
import { TlsAlert } from '../alerts.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { encodeAlert } from './alertMessage.js';
import { RecordCipher } from './recordCipher.js';
import { RecordReader } from './recordReader.js';
import { MAX_PLAINTEXT, RECORD_HEADER_LENGTH, RecordType } from './recordType.js';

/** Returns how many zero bytes of padding to add to a protected record of this type and content length. */
export type PaddingPolicy = (type: number, contentLength: number) => number;

/** Options of a {@link RecordLayer}. */
export interface RecordLayerOptions {
  /** Crypto provider used for record protection. */
  readonly provider: CryptoProvider;
  /** Largest plaintext fragment we send (e.g. from record_size_limit); default and maximum 2^14. */
  readonly maxFragmentLength?: number;
  /** Padding for protected records; default none. */
  readonly padding?: PaddingPolicy;
}

/** One unit of content read from the peer. */
export interface RecordContent {
  /** Content type (inner type for protected records). */
  readonly type: number;
  /** The content. */
  readonly data: Uint8Array;
  /** True if it arrived under record protection. */
  readonly protected: boolean;
}

/** Record layer state of one connection (both directions). */
export class RecordLayer {
  private readonly provider: CryptoProvider;
  private readonly reader = new RecordReader();
  private readCipher: RecordCipher | null = null;
  private writeCipher: RecordCipher | null = null;
  private maxFragment: number;
  private padding: PaddingPolicy | undefined;
  private ccsWindow = false;
  private skipBudget = 0;

  constructor(options: RecordLayerOptions) {
    this.provider = options.provider;
    this.maxFragment = clampFragment(options.maxFragmentLength);
    this.padding = options.padding;
  }

  /** Sets the largest outgoing plaintext fragment (64..2^14; e.g. the peer's record_size_limit − 1). */
  setMaxFragmentLength(length: number): void {
    this.maxFragment = clampFragment(length);
  }

  /** Sets or clears the padding policy. */
  setPadding(policy: PaddingPolicy | undefined): void {
    this.padding = policy;
  }

  /**
   * Opens or closes the window in which a plaintext change_cipher_spec record holding the single byte 0x01 is
   * silently dropped: open it once the first ClientHello has been sent or received, close it once the peer's
   * Finished has been received (RFC 8446 §5). Any other change_cipher_spec → unexpected_message.
   */
  allowChangeCipherSpec(allowed: boolean): void {
    this.ccsWindow = allowed;
  }

  /**
   * Server side after rejecting 0-RTT (RFC 8446 §4.2.10): up to `bytes` of protected records that fail to
   * decrypt (or, after a HelloRetryRequest, that arrive while no read key is installed) are skipped instead of
   * raising bad_record_mac / unexpected_message. Reset to 0 once a record decrypts.
   */
  skipUndecryptable(bytes: number): void {
    this.skipBudget = Math.max(0, bytes);
  }

  /** Installs the read traffic secret (null = back to plaintext, only before any protection). */
  setReadKey(suite: CipherSuiteParams, secret: Uint8Array): void {
    this.readCipher = new RecordCipher(this.provider, suite, secret);
  }

  /** Installs the write traffic secret. */
  setWriteKey(suite: CipherSuiteParams, secret: Uint8Array): void {
    this.writeCipher = new RecordCipher(this.provider, suite, secret);
  }

  /**
   * Back to plaintext records for writing: a client that sent 0-RTT records under the early key and then got a
   * HelloRetryRequest sends its second ClientHello in the clear (RFC 8446 §4.2.10).
   */
  clearWriteKey(): void {
    this.writeCipher = null;
  }

  /** True when incoming records are expected protected. */
  get readProtected(): boolean {
    return this.readCipher !== null;
  }

  /** True when outgoing records are protected. */
  get writeProtected(): boolean {
    return this.writeCipher !== null;
  }

  /** Bytes received but not yet returned by {@link RecordLayer.read}. */
  get buffered(): number {
    return this.reader.buffered;
  }

  /** Feeds bytes from the transport (any split). They are kept by reference: do not modify them afterwards. */
  receive(data: Uint8Array): void {
    this.reader.push(data);
  }

  /** Removes and returns the received bytes not yet read as records (still protected), e.g. to hand them over. */
  takeUnread(): Uint8Array {
    return this.reader.takeBuffered();
  }

  /**
   * The next record's content, or null when more bytes are needed. Throws TlsAlert for framing, protection and
   * change_cipher_spec violations. Alert records are returned as content of type 21 (decode with decodeAlert).
   */
  read(): RecordContent | null {
    for (;;) {
      const rec = this.reader.next();
      if (rec === null) return null;
      if (rec.type === RecordType.change_cipher_spec) {
        if (!this.ccsWindow) throw TlsAlert.of('unexpected_message', 'change_cipher_spec outside the handshake');
        if (rec.fragment.length !== 1 || rec.fragment[0] !== 1) {
          throw TlsAlert.of('unexpected_message', 'malformed change_cipher_spec');
        }
        continue;
      }
      if (this.readCipher === null) {
        if (rec.type === RecordType.application_data) {
          // after a HelloRetryRequest the client's 0-RTT records arrive before any read key (RFC 8446 §4.2.10)
          if (rec.fragment.length <= this.skipBudget) {
            this.skipBudget -= rec.fragment.length;
            continue;
          }
          throw TlsAlert.of('unexpected_message', 'protected record before keys were established');
        }
        if (rec.fragment.length > MAX_PLAINTEXT) throw TlsAlert.of('record_overflow', 'plaintext record exceeds 2^14');
        if (rec.fragment.length === 0) throw TlsAlert.of('unexpected_message', 'empty plaintext record');
        return { type: rec.type, data: rec.fragment, protected: false };
      }
      if (rec.type !== RecordType.application_data) {
        throw TlsAlert.of('unexpected_message', `plaintext record of type ${rec.type} after keys were established`);
      }
      if (this.skipBudget > 0) {
        try {
          const opened = this.readCipher.open(rec.header, rec.fragment);
          this.skipBudget = 0;
          return this.checkInner(opened.type, opened.content);
        } catch (e) {
          if (e instanceof TlsAlert && e.code === 20 && rec.fragment.length <= this.skipBudget) {
            this.skipBudget -= rec.fragment.length;
            continue;
          }
          throw e;
        }
      }
      const opened = this.readCipher.open(rec.header, rec.fragment);
      return this.checkInner(opened.type, opened.content);
    }
  }

  private checkInner(type: number, data: Uint8Array): RecordContent {
    if (type === RecordType.change_cipher_spec) throw TlsAlert.of('unexpected_message', 'protected change_cipher_spec');
    if (type !== RecordType.handshake && type !== RecordType.alert && type !== RecordType.application_data) {
      throw TlsAlert.of('unexpected_message', `unknown inner content type ${type}`);
    }
    if (type === RecordType.handshake && data.length === 0) {
      throw TlsAlert.of('unexpected_message', 'zero-length handshake fragment');
    }
    return { type, data, protected: true };
  }

  /** Frames handshake bytes into records (protected if a write key is installed). */
  writeHandshake(data: Uint8Array): Uint8Array {
    return this.write(RecordType.handshake, data);
  }

  /** Frames application data into protected records (throws if no write key). */
  writeApplicationData(data: Uint8Array): Uint8Array {
    if (this.writeCipher === null) throw new Error('application data before traffic keys');
    return this.write(RecordType.application_data, data);
  }

  /** One alert record (protected if a write key is installed). */
  writeAlert(description: number, level?: number): Uint8Array {
    return this.write(RecordType.alert, encodeAlert(description, level));
  }

  /** The middlebox-compatibility change_cipher_spec record (always plaintext, RFC 8446 §D.4). */
  writeChangeCipherSpec(): Uint8Array {
    return Uint8Array.of(RecordType.change_cipher_spec, 3, 3, 0, 1, 1);
  }

  /**
   * Frames content of any type into as many records as needed; returns the concatenated bytes (one allocation for all
   * the records of the call).
   */
  write(type: number, data: Uint8Array): Uint8Array {
    const max = this.maxFragment;
    const count = Math.max(1, Math.ceil(data.length / max));
    const cipher = this.writeCipher;
    if (cipher === null) {
      const out = new Uint8Array(count * RECORD_HEADER_LENGTH + data.length);
      let p = 0;
      for (let r = 0, off = 0; r < count; r++, off += max) {
        const n = Math.min(max, data.length - off);
        out[p] = type;
        out[p + 1] = 3;
        out[p + 2] = 3;
        out[p + 3] = n >> 8;
        out[p + 4] = n & 0xff;
        out.set(data.subarray(off, off + n), p + RECORD_HEADER_LENGTH);
        p += RECORD_HEADER_LENGTH + n;
      }
      return out;
    }
    const padding = this.padding;
    const pads = new Array<number>(count);
    let total = 0;
    for (let r = 0, off = 0; r < count; r++, off += max) {
      const n = Math.min(max, data.length - off);
      pads[r] = padding?.(type, n) ?? 0;
      total += cipher.sealedLength(n, pads[r]);
    }
    const out = new Uint8Array(total);
    let p = 0;
    for (let r = 0, off = 0; r < count; r++, off += max) {
      p += cipher.sealInto(type, data.subarray(off, Math.min(off + max, data.length)), pads[r], out, p);
    }
    return out;
  }
}

function clampFragment(length: number | undefined): number {
  if (length === undefined) return MAX_PLAINTEXT;
  if (!Number.isInteger(length) || length < 64) throw new RangeError('max fragment length must be an integer >= 64');
  return Math.min(length, MAX_PLAINTEXT);
}
