/**
 * A sans-IO TLS record reader (RFC 8446 §5.1): feed it any split of the TCP byte stream, take whole records out.
 * Only the framing is checked here (known content type, version major 3, length limit → record_overflow);
 * protection is {@link RecordCipher}'s job.
 */
import { TlsAlert } from '../alerts.js';
import { MAX_CIPHERTEXT, RECORD_HEADER_LENGTH, isKnownRecordType } from './recordType.js';

/** One record as framed on the wire. */
export interface TlsRecord {
  /** Outer content type (TLSPlaintext.type / TLSCiphertext.opaque_type). */
  readonly type: number;
  /** legacy_record_version (ignored by TLS 1.3 beyond a sanity check). */
  readonly version: number;
  /** The 5-byte header (the AAD of a protected record). */
  readonly header: Uint8Array;
  /** The fragment (plaintext or encrypted_record). */
  readonly fragment: Uint8Array;
}

/** Options of a {@link RecordReader}. */
export interface RecordReaderOptions {
  /** Largest accepted fragment length; longer → record_overflow. Default 2^14 + 256. */
  readonly maxFragmentLength?: number;
}

/** Reassembles records from arbitrary chunks of the byte stream. */
export class RecordReader {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private readonly maxFragment: number;

  constructor(options: RecordReaderOptions = {}) {
    this.maxFragment = options.maxFragmentLength ?? MAX_CIPHERTEXT;
  }

  /** Bytes received but not yet returned as a record. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Appends bytes from the transport. */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    const live = this.end - this.start;
    if (this.end + data.length > this.buf.length) {
      if (live + data.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(live + data.length, this.buf.length * 2, 1024));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(data, this.end);
    this.end += data.length;
  }

  /**
   * The next whole record, or null when more bytes are needed. The returned arrays are copies (safe to keep).
   * Throws TlsAlert: unexpected_message (unknown type), decode_error (bad version), record_overflow (too long).
   */
  next(): TlsRecord | null {
    const avail = this.end - this.start;
    if (avail < 1) return null;
    const b = this.buf;
    const s = this.start;
    const type = b[s];
    if (!isKnownRecordType(type)) throw TlsAlert.of('unexpected_message', `unknown record content type ${type}`);
    if (avail >= 2 && b[s + 1] !== 3) throw TlsAlert.of('decode_error', `bad record version major ${b[s + 1]}`);
    if (avail < RECORD_HEADER_LENGTH) return null;
    const length = (b[s + 3] << 8) | b[s + 4];
    if (length > this.maxFragment) {
      throw TlsAlert.of('record_overflow', `record of ${length} bytes exceeds ${this.maxFragment}`);
    }
    if (avail < RECORD_HEADER_LENGTH + length) return null;
    const header = b.slice(s, s + RECORD_HEADER_LENGTH);
    const fragment = b.slice(s + RECORD_HEADER_LENGTH, s + RECORD_HEADER_LENGTH + length);
    this.start += RECORD_HEADER_LENGTH + length;
    if (this.start === this.end) this.start = this.end = 0;
    return { type, version: (b[s + 1] << 8) | b[s + 2], header, fragment };
  }
}
