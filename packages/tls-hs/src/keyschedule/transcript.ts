/**
 * The running transcript hash of RFC 8446 §4.4.1 over whole handshake messages (4-byte header + body).
 *
 * The hash is chosen lazily: until the suite is known ({@link Transcript.setHash}) messages are buffered, then
 * replayed into the hasher. The HelloRetryRequest rule — ClientHello1 is replaced by the synthetic
 * `message_hash` message (type 254, length Hash.length, body Hash(ClientHello1)) — is
 * {@link Transcript.replaceWithMessageHash}.
 */
import type { CryptoProvider, HashAlgorithm, Hasher } from '../crypto/provider.js';

/** HandshakeType message_hash (RFC 8446 §4). */
const MESSAGE_HASH = 254;

/** A running transcript hash with HRR support. */
export class Transcript {
  private readonly provider: CryptoProvider;
  private hasher: Hasher | undefined;
  private pending: Uint8Array[] = [];
  private algorithm: HashAlgorithm | undefined;
  /** Digest of the transcript as it is now (until the next update), so repeated digests cost nothing. */
  private current: Uint8Array | undefined;
  private released = false;

  constructor(provider: CryptoProvider, hash?: HashAlgorithm) {
    this.provider = provider;
    if (hash !== undefined) this.setHash(hash);
  }

  /** The chosen hash, or undefined while messages are buffered. */
  get hash(): HashAlgorithm | undefined {
    return this.algorithm;
  }

  /**
   * Chooses the hash and replays the buffered messages. Choosing the same hash again is a no-op; a different one
   * throws (the suite of a connection never changes).
   */
  setHash(hash: HashAlgorithm): void {
    if (this.algorithm !== undefined) {
      if (this.algorithm !== hash) throw new Error(`transcript hash already ${this.algorithm}, cannot switch to ${hash}`);
      return;
    }
    this.algorithm = hash;
    this.hasher = this.provider.createHash(hash);
    for (const m of this.pending) this.hasher.update(m);
    this.pending = [];
  }

  /** Adds one or more whole handshake messages (in order). */
  update(message: Uint8Array): void {
    if (this.released) throw new Error('transcript released after the handshake');
    this.current = undefined;
    if (this.hasher !== undefined) this.hasher.update(message);
    else this.pending.push(message.slice());
  }

  /**
   * Transcript-Hash of everything added so far (the transcript keeps running). Repeated calls without an update in
   * between return the same array: treat it as read-only.
   */
  digest(): Uint8Array {
    this.current ??= this.requireHasher().clone().digest();
    return this.current;
  }

  /** Transcript-Hash of everything so far followed by `extra` (e.g. a ClientHello truncated before its binders). */
  digestWith(extra: Uint8Array): Uint8Array {
    return this.requireHasher().clone().update(extra).digest();
  }

  /**
   * The HRR rule: replaces the transcript so far (which must be exactly ClientHello1) with
   * `message_hash(Hash(ClientHello1))`. Call after {@link Transcript.setHash} and before adding the HRR itself.
   */
  replaceWithMessageHash(): void {
    const h = this.requireHasher();
    const inner = h.clone().digest();
    const fresh = this.provider.createHash(this.algorithm!);
    fresh.update(Uint8Array.of(MESSAGE_HASH, 0, 0, inner.length));
    fresh.update(inner);
    this.hasher = fresh;
    this.current = undefined;
  }

  /**
   * The last Transcript-Hash of a handshake: digests the running hash itself (no copy) and releases the transcript
   * ({@link Transcript.release}).
   */
  finish(): Uint8Array {
    const h = this.current ?? this.requireHasher().digest();
    this.release();
    return h;
  }

  /**
   * Drops the hasher and any buffered messages once the handshake is over (nothing after Finished is hashed in
   * TLS 1.3 without post-handshake authentication); any later use throws.
   */
  release(): void {
    this.hasher = undefined;
    this.pending = [];
    this.current = undefined;
    this.released = true;
  }

  private requireHasher(): Hasher {
    if (this.released) throw new Error('transcript released after the handshake');
    if (this.hasher === undefined) throw new Error('transcript hash not chosen yet');
    return this.hasher;
  }
}
