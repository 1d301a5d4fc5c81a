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

/**
 * Reassembles records from arbitrary chunks of the byte stream. Chunks are kept as given (never written to), so a
 * record that lies inside one chunk is returned as a view of it without copying; only a record that straddles chunks
 * is copied, once, into an array of its own. The caller must therefore not modify a chunk after pushing it.
 */
export class RecordReader {
  private chunks: Uint8Array[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private total = 0;
  private readonly maxFragment: number;
  private readonly header = new Uint8Array(RECORD_HEADER_LENGTH);

  constructor(options: RecordReaderOptions = {}) {
    this.maxFragment = options.maxFragmentLength ?? MAX_CIPHERTEXT;
  }

  /** Bytes received but not yet returned as a record. */
  get buffered(): number {
    return this.total;
  }

  /** Appends bytes from the transport (kept by reference: do not modify them afterwards). */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.total += data.length;
  }

  /**
   * The next whole record, or null when more bytes are needed. The returned arrays stay valid (they are views of
   * pushed chunks or fresh copies, never reused). Throws TlsAlert: unexpected_message (unknown type), decode_error
   * (bad version), record_overflow (too long).
   */
  next(): TlsRecord | null {
    if (this.total < 1) return null;
    const h = this.peekHeader();
    const type = h[0];
    if (!isKnownRecordType(type)) throw TlsAlert.of('unexpected_message', `unknown record content type ${type}`);
    if (this.total >= 2 && h[1] !== 3) throw TlsAlert.of('decode_error', `bad record version major ${h[1]}`);
    if (this.total < RECORD_HEADER_LENGTH) return null;
    const length = (h[3] << 8) | h[4];
    if (length > this.maxFragment) {
      throw TlsAlert.of('record_overflow', `record of ${length} bytes exceeds ${this.maxFragment}`);
    }
    const size = RECORD_HEADER_LENGTH + length;
    if (this.total < size) return null;
    const first = this.chunks[0];
    let record: Uint8Array;
    if (first.length - this.offset >= size) {
      record = first.subarray(this.offset, this.offset + size);
      this.offset += size;
      if (this.offset === first.length) this.dropFirst();
    } else {
      record = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const c = this.chunks[0];
        const n = Math.min(c.length - this.offset, size - filled);
        record.set(c.subarray(this.offset, this.offset + n), filled);
        filled += n;
        this.offset += n;
        if (this.offset === c.length) this.dropFirst();
      }
    }
    this.total -= size;
    return {
      type,
      version: (record[1] << 8) | record[2],
      header: record.subarray(0, RECORD_HEADER_LENGTH),
      fragment: record.subarray(RECORD_HEADER_LENGTH),
    };
  }

  /** Up to the first 5 buffered bytes (a view when chunks[0] holds them, else gathered into a scratch array). */
  private peekHeader(): Uint8Array {
    const first = this.chunks[0];
    if (first.length - this.offset >= RECORD_HEADER_LENGTH) return first.subarray(this.offset, this.offset + RECORD_HEADER_LENGTH);
    const h = this.header;
    let i = 0;
    let off = this.offset;
    for (let c = 0; c < this.chunks.length && i < RECORD_HEADER_LENGTH; c++, off = 0) {
      const chunk = this.chunks[c];
      while (off < chunk.length && i < RECORD_HEADER_LENGTH) h[i++] = chunk[off++];
    }
    return h;
  }

  /** Removes and returns every buffered byte not yet returned as a record (for a hand-over to another reader). */
  takeBuffered(): Uint8Array {
    const out = new Uint8Array(this.total);
    let p = 0;
    for (const [i, c] of this.chunks.entries()) {
      const part = i === 0 ? c.subarray(this.offset) : c;
      out.set(part, p);
      p += part.length;
    }
    this.chunks = [];
    this.offset = 0;
    this.total = 0;
    return out;
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.offset = 0;
  }
}
