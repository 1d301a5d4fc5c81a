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
   * Protects one record: returns header ‖ encrypted_record. `padding` zero bytes are added to the inner
   * plaintext (clamped so the inner plaintext stays within 2^14 + 1 bytes).
   */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    if (content.length > MAX_PLAINTEXT) throw new RangeError(`record content of ${content.length} bytes exceeds 2^14`);
    const pad = Math.max(0, Math.min(padding | 0, MAX_PLAINTEXT - content.length));
    const inner = new Uint8Array(content.length + 1 + pad);
    inner.set(content);
    inner[content.length] = type;
    const length = inner.length + this.aead.tagLength;
    const header = Uint8Array.of(RecordType.application_data, 3, 3, length >> 8, length & 0xff);
    const sealed = this.aead.seal(this.nextNonce(), header, inner);
    const out = new Uint8Array(RECORD_HEADER_LENGTH + sealed.length);
    out.set(header);
    out.set(sealed, RECORD_HEADER_LENGTH);
    return out;
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
