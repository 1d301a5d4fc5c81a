/**
 * Record protection of RFC 8446 §5.2–5.3 for one direction and one traffic secret: TLSInnerPlaintext
 * (content ‖ type ‖ zero padding) sealed with the suite's AEAD, nonce = iv XOR 64-bit sequence number,
 * AAD = the record header. The sequence number starts at 0 and is per cipher (a key change makes a new cipher).
 */
import { TlsAlert } from '../alerts.js';
import { CryptoError } from '../crypto/errors.js';
import type { Aead, CryptoProvider } from '../crypto/provider.js';
import type { CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { trafficKeys } from '../keyschedule/trafficKeys.js';
import { MAX_CIPHERTEXT, MAX_PLAINTEXT, RECORD_HEADER_LENGTH, RecordType } from './recordType.js';

/** A decrypted record: the inner content type and the content with padding removed. */
export interface OpenedRecord {
  /** TLSInnerPlaintext.type. */
  readonly type: number;
  /** TLSInnerPlaintext.content. */
  readonly content: Uint8Array;
}

/** 2^53 − 1: we stop far before the 2^64 wrap of RFC 8446 §5.3 and long before any AEAD limit of §5.5 matters. */
const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/** One direction's AEAD state: key, IV and sequence number. */
export class RecordCipher {
  /** The suite this cipher was made for. */
  readonly suite: CipherSuiteParams;
  private readonly aead: Aead;
  private readonly iv: Uint8Array;
  private readonly nonce: Uint8Array;
  private seq = 0;
  private scratch: Uint8Array | undefined;

  /** Builds a cipher from a traffic secret (derives key and iv with the "key"/"iv" labels). */
  constructor(provider: CryptoProvider, suite: CipherSuiteParams, secret: Uint8Array) {
    const { key, iv } = trafficKeys(provider, suite, secret);
    this.suite = suite;
    this.aead = provider.createAead(suite.aead, key);
    this.iv = iv;
    this.nonce = new Uint8Array(iv.length);
  }

  /** The sequence number of the next record. */
  get sequenceNumber(): number {
    return this.seq;
  }

  /**
   * Sets the sequence number of the next record — for callers that track sequence numbers themselves (the seed's
   * tls_ap_encrypt / tls_ap_decrypt with an explicit `seq`). An integer from 0 to 2^53 − 1.
   */
  set sequenceNumber(seq: number) {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`bad record sequence number ${seq}`);
    this.seq = seq;
  }

  /**
   * Protects one record: returns header ‖ encrypted_record. `padding` zero bytes are added to the inner
   * plaintext (clamped so the inner plaintext stays within 2^14 + 1 bytes).
   */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    const out = new Uint8Array(this.sealedLength(content.length, padding));
    this.sealInto(type, content, padding, out, 0);
    return out;
  }

  /** Bytes {@link RecordCipher.seal} produces for `contentLength` bytes of content and this much padding. */
  sealedLength(contentLength: number, padding = 0): number {
    return RECORD_HEADER_LENGTH + contentLength + 1 + this.clampPadding(contentLength, padding) + this.aead.tagLength;
  }

  /**
   * Protects one record into `out` at `offset` (which must have {@link RecordCipher.sealedLength} bytes free);
   * returns the number of bytes written. The inner plaintext is assembled in a scratch buffer reused per cipher.
   */
  sealInto(type: number, content: Uint8Array, padding: number, out: Uint8Array, offset: number): number {
    if (content.length > MAX_PLAINTEXT) throw new RangeError(`record content of ${content.length} bytes exceeds 2^14`);
    const pad = this.clampPadding(content.length, padding);
    const innerLength = content.length + 1 + pad;
    const scratch = this.scratch ??= new Uint8Array(MAX_PLAINTEXT + 1);
    const inner = scratch.subarray(0, innerLength);
    inner.set(content);
    inner[content.length] = type;
    if (pad > 0) inner.fill(0, content.length + 1);
    const length = innerLength + this.aead.tagLength;
    const header = out.subarray(offset, offset + RECORD_HEADER_LENGTH);
    header[0] = RecordType.application_data;
    header[1] = 3;
    header[2] = 3;
    header[3] = length >> 8;
    header[4] = length & 0xff;
    return RECORD_HEADER_LENGTH + this.aead.sealInto(this.nextNonce(), header, inner, out, offset + RECORD_HEADER_LENGTH);
  }

  private clampPadding(contentLength: number, padding: number): number {
    return Math.max(0, Math.min(padding | 0, MAX_PLAINTEXT - contentLength));
  }

  /**
   * Removes protection from a record (`header` is the 5 bytes as received, the AAD). Throws TlsAlert:
   * bad_record_mac (tag), record_overflow (too long), unexpected_message (no non-zero type byte).
   * The sequence number advances only on success.
   */
  open(header: Uint8Array, encrypted: Uint8Array): OpenedRecord {
    if (encrypted.length > MAX_CIPHERTEXT) throw TlsAlert.of('record_overflow', 'encrypted record exceeds 2^14 + 256');
    if (encrypted.length < this.aead.tagLength + 1) {
      throw TlsAlert.of('bad_record_mac', 'encrypted record shorter than the AEAD tag plus the content type');
    }
    let inner: Uint8Array;
    try {
      inner = this.aead.open(this.peekNonce(), header, encrypted);
    } catch (e) {
      if (e instanceof CryptoError) throw TlsAlert.of('bad_record_mac', 'record authentication failed', e);
      throw e;
    }
    if (inner.length > MAX_PLAINTEXT + 1) throw TlsAlert.of('record_overflow', 'inner plaintext exceeds 2^14 + 1');
    this.advance();
    let i = inner.length - 1;
    while (i >= 0 && inner[i] === 0) i--;
    if (i < 0) throw TlsAlert.of('unexpected_message', 'protected record without a content type (all zeros)');
    return { type: inner[i], content: inner.subarray(0, i) };
  }

  private peekNonce(): Uint8Array {
    const n = this.nonce;
    n.set(this.iv);
    const l = n.length;
    let lo = this.seq % 0x100000000;
    let hi = Math.floor(this.seq / 0x100000000);
    for (let k = 0; k < 4; k++) {
      n[l - 1 - k] ^= lo & 0xff;
      lo >>>= 8;
      n[l - 5 - k] ^= hi & 0xff;
      hi >>>= 8;
    }
    return n;
  }

  private nextNonce(): Uint8Array {
    const n = this.peekNonce();
    this.advance();
    return n;
  }

  private advance(): void {
    if (this.seq >= MAX_SEQUENCE) throw TlsAlert.of('internal_error', 'record sequence number exhausted; update keys');
    this.seq++;
  }
}
