/**
 * The AEAD half of packet protection (RFC 9001 §5.3) for one key: nonce = IV XOR packet number (left-padded to
 * the IV length), AAD = the unprotected header. Counts sealed packets and failed opens against the AEAD limits
 * of RFC 9001 §6.6.
 */
import { CryptoError, defaultProvider, type Aead, type CryptoProvider } from '@quichs/tls-hs';
import type { AeadLimits } from './aeadLimits.js';
import type { QuicCipherSuite } from './cipherSuite.js';
import { PacketProtectionError } from './errors.js';

/** A counter shared by every key of a connection: RFC 9001 §6.6 counts failed opens "across all keys". */
export interface AuthFailureCounter {
  /** Number of packets that failed authentication. */
  failures: number;
}

/** An AEAD context plus IV, created once per packet-protection key and reused for every packet. */
export class PacketAead {
  /** The suite (AEAD algorithm and limits). */
  readonly suite: QuicCipherSuite;
  /** The AEAD limits of the suite. */
  readonly limits: AeadLimits;
  /** Packets sealed with this key. */
  sealedCount = 0;
  /** Packets opened successfully with this key. */
  openedCount = 0;
  /** Packets that failed authentication with this key. */
  failedOpenCount = 0;
  private readonly aead: Aead;
  private readonly iv: Uint8Array;
  private readonly nonce: Uint8Array;
  private readonly shared: AuthFailureCounter | undefined;

  /**
   * @param suite cipher suite of the key
   * @param key AEAD key (suite.keyLength bytes)
   * @param iv AEAD IV (12 bytes)
   * @param provider crypto provider (the AEAD context is created here, once)
   * @param sharedFailures optional connection-wide counter of failed opens
   */
  constructor(
    suite: QuicCipherSuite,
    key: Uint8Array,
    iv: Uint8Array,
    provider: CryptoProvider = defaultProvider(),
    sharedFailures?: AuthFailureCounter,
  ) {
    if (!(iv instanceof Uint8Array) || iv.length !== suite.ivLength) {
      throw new PacketProtectionError('BAD_ARGUMENT', `IV must be ${suite.ivLength} bytes`);
    }
    if (!(key instanceof Uint8Array) || key.length !== suite.keyLength) {
      throw new PacketProtectionError('BAD_ARGUMENT', `${suite.aead} key must be ${suite.keyLength} bytes`);
    }
    this.suite = suite;
    this.limits = suite.limits;
    this.aead = provider.createAead(suite.aead, key);
    // IV copy and nonce scratch share one buffer (three keys live as long as the connection)
    const both = new Uint8Array(2 * iv.length);
    both.set(iv);
    this.iv = both.subarray(0, iv.length);
    this.nonce = both.subarray(iv.length);
    this.shared = sharedFailures;
  }

  /** True once this key has sealed as many packets as the confidentiality limit allows. */
  get confidentialityLimitReached(): boolean {
    return this.sealedCount >= this.limits.confidentialityLimit;
  }

  private checkConfidentialityLimit(): void {
    if (this.sealedCount >= this.limits.confidentialityLimit) {
      throw new PacketProtectionError('CONFIDENTIALITY_LIMIT', `${this.suite.aead} key sealed ${this.sealedCount} packets; update keys`);
    }
  }

  /** Writes IV XOR packet number into the reusable nonce buffer and returns it. */
  nonceFor(packetNumber: number): Uint8Array {
    const n = this.nonce;
    n.set(this.iv);
    const len = n.length;
    let lo = packetNumber % 0x100000000;
    let hi = Math.floor(packetNumber / 0x100000000);
    for (let i = len - 1; i >= len - 4; i--) {
      n[i] ^= lo & 0xff;
      lo >>>= 8;
    }
    for (let i = len - 5; i >= len - 8; i--) {
      n[i] ^= hi & 0xff;
      hi >>>= 8;
    }
    return n;
  }

  /**
   * Seals `plaintext` for `packetNumber` with `header` as AAD; returns ciphertext‖tag.
   * PacketProtectionError('CONFIDENTIALITY_LIMIT') once the limit is reached (RFC 9001 §6.6: stop using the key).
   */
  seal(packetNumber: number, header: Uint8Array, plaintext: Uint8Array): Uint8Array {
    this.checkConfidentialityLimit();
    const out = this.aead.seal(this.nonceFor(packetNumber), header, plaintext);
    this.sealedCount++;
    return out;
  }

  /**
   * Like {@link PacketAead.seal} but writes ciphertext‖tag into `out` at `offset` (the plaintext may already sit
   * there: sealing in place is allowed) and returns its length.
   */
  sealInto(packetNumber: number, header: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    this.checkConfidentialityLimit();
    const n = this.aead.sealInto(this.nonceFor(packetNumber), header, plaintext, out, offset);
    this.sealedCount++;
    return n;
  }

  /**
   * Opens ciphertext‖tag for `packetNumber` with `header` as AAD; returns the plaintext.
   * PacketProtectionError('AUTH_FAILED') if authentication fails (the failure is counted).
   */
  open(packetNumber: number, header: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array {
    try {
      const out = this.aead.open(this.nonceFor(packetNumber), header, ciphertextAndTag);
      this.openedCount++;
      return out;
    } catch (e) {
      if (e instanceof CryptoError && e.code === 'AUTH_FAILED') {
        this.failedOpenCount++;
        if (this.shared !== undefined) this.shared.failures++;
        throw new PacketProtectionError('AUTH_FAILED', `packet ${packetNumber} failed authentication`);
      }
      throw e;
    }
  }
}
