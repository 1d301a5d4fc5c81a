/**
 * 1-RTT keys with key update (RFC 9001 §6): the current read and write keys, the next read keys computed ahead of
 * time (so a peer's update costs no visible extra time, §6.3), the previous read keys kept until the caller's
 * deadline (3×PTO, §6.5), detection of a peer update by the Key Phase bit, and local updates gated on an
 * acknowledgment of a packet sent with the current keys (§6.1). Header-protection keys never change (§6.6 note).
 * Sans-IO: times are plain numbers supplied by the caller (any unit, consistently).
 */
import { defaultProvider, type CryptoProvider, type HeaderProtection } from '@quichs/tls-hs';
import { keyUpdateMargin } from './aeadLimits.js';
import type { QuicCipherSuite } from './cipherSuite.js';
import { PacketProtectionError } from './errors.js';
import { isLongHeader } from './headerProtection.js';
import { nextTrafficSecret } from './keyUpdate.js';
import { PacketAead, type AuthFailureCounter } from './packetAead.js';
import { derivePacketKeys } from './packetKeys.js';
import { openPayload, readProtectedHeader, sealPacket, sealPacketInto, type KeyPhase, type UnprotectedPacket } from './packetProtector.js';
import { QuicVersion } from './version.js';

/** Key Phase bit of the short header's first byte. */
export const KEY_PHASE_BIT = 0x04;

/** Options of a {@link KeyPhaseManager}. */
export interface KeyPhaseManagerOptions {
  /** QUIC version (selects the "quic"/"quicv2" labels); default v1. */
  readonly version?: number;
  /** Crypto provider; default `defaultProvider()`. */
  readonly provider?: CryptoProvider;
  /** Connection-wide counter of failed opens. */
  readonly authFailures?: AuthFailureCounter;
  /** How long to keep the previous read keys after the first packet with new keys (e.g. 3×PTO); default Infinity. */
  readonly retainPreviousKeysFor?: number;
}

/** A 1-RTT packet with protection removed, and whether it completed a key update. */
export interface UnprotectedOneRttPacket extends UnprotectedPacket {
  /** The Key Phase bit (always set for short headers). */
  readonly keyPhase: KeyPhase;
  /** True if this packet was the first one protected with the peer's next keys (the read keys rotated). */
  readonly keyUpdated: boolean;
}

interface Generation {
  readonly secret: Uint8Array;
  readonly aead: PacketAead;
}

/** Read and write 1-RTT keys of one connection, across key updates. */
export class KeyPhaseManager {
  /** Cipher suite. */
  readonly suite: QuicCipherSuite;
  /** QUIC version. */
  readonly version: number;
  /** How long the previous read keys are kept after a read-side update (the caller may change it as PTO changes). */
  retainPreviousKeysFor: number;

  private readonly provider: CryptoProvider;
  private readonly failures: AuthFailureCounter | undefined;
  private readonly readHp: HeaderProtection;
  private readonly writeHp: HeaderProtection;
  private readPhaseBit: KeyPhase = 0;
  private writePhaseBit: KeyPhase = 0;
  private readCurrent: Generation;
  private readNext: Generation;
  private readPrevious: Generation | undefined;
  private writeCurrent: Generation;
  private lowestPnInReadPhase: number | undefined;
  private firstPnInWritePhase: number | undefined;
  private writePhaseAcked = false;
  private writeGeneration = 0;
  private readGeneration = 0;
  private discardPreviousAt: number | undefined;

  /** Builds the first (phase 0) generation from the TLS client/server application traffic secrets. */
  constructor(suite: QuicCipherSuite, readSecret: Uint8Array, writeSecret: Uint8Array, options: KeyPhaseManagerOptions = {}) {
    this.suite = suite;
    this.version = options.version ?? QuicVersion.V1;
    this.provider = options.provider ?? defaultProvider();
    this.failures = options.authFailures;
    this.retainPreviousKeysFor = options.retainPreviousKeysFor ?? Infinity;
    const readKeys = derivePacketKeys(suite, readSecret, this.version, this.provider);
    const writeKeys = derivePacketKeys(suite, writeSecret, this.version, this.provider);
    this.readHp = this.provider.createHeaderProtection(suite.headerProtection, readKeys.hp);
    this.writeHp = this.provider.createHeaderProtection(suite.headerProtection, writeKeys.hp);
    this.readCurrent = { secret: readSecret, aead: new PacketAead(suite, readKeys.key, readKeys.iv, this.provider, this.failures) };
    this.writeCurrent = { secret: writeSecret, aead: new PacketAead(suite, writeKeys.key, writeKeys.iv, this.provider, this.failures) };
    this.readNext = this.nextGeneration(this.readCurrent);
  }

  private nextGeneration(g: Generation): Generation {
    const secret = nextTrafficSecret(this.suite, g.secret, this.version, this.provider);
    const keys = derivePacketKeys(this.suite, secret, this.version, this.provider);
    return { secret, aead: new PacketAead(this.suite, keys.key, keys.iv, this.provider, this.failures) };
  }

  /** Key phase of the current read keys. */
  get readKeyPhase(): KeyPhase {
    return this.readPhaseBit;
  }

  /** Key phase packets are sent with. */
  get writeKeyPhase(): KeyPhase {
    return this.writePhaseBit;
  }

  /** Number of key updates applied to the write keys (local or in response to the peer). */
  get writeKeyUpdates(): number {
    return this.writeGeneration;
  }

  /** Number of key updates applied to the read keys. */
  get readKeyUpdates(): number {
    return this.readGeneration;
  }

  /** Packets sealed with the current write keys. */
  get sealedWithCurrentKeys(): number {
    return this.writeCurrent.aead.sealedCount;
  }

  /** True while the previous read keys are kept. */
  get hasPreviousReadKeys(): boolean {
    return this.readPrevious !== undefined;
  }

  /** True while a locally initiated update waits for the peer's first packet with the new keys. */
  get updatePending(): boolean {
    return this.writePhaseBit !== this.readPhaseBit;
  }

  /** The current write traffic secret (e.g. for a key log). */
  get writeSecret(): Uint8Array {
    return this.writeCurrent.secret;
  }

  /** The current read traffic secret. */
  get readSecret(): Uint8Array {
    return this.readCurrent.secret;
  }

  /**
   * True when a local key update is allowed (RFC 9001 §6.1): no update is pending and, after the first update,
   * a packet sent with the current keys has been acknowledged. The caller also requires a confirmed handshake.
   */
  get canInitiateKeyUpdate(): boolean {
    return !this.updatePending && (this.writeGeneration === 0 || this.writePhaseAcked);
  }

  /** True when the current write keys approach the confidentiality limit and a key update should start now. */
  get shouldInitiateKeyUpdate(): boolean {
    const limits = this.suite.limits;
    return this.writeCurrent.aead.sealedCount >= limits.confidentialityLimit - keyUpdateMargin(limits);
  }

  /**
   * Protects a 1-RTT packet with the current write keys. The Key Phase bit of `header[0]` is set here (in place)
   * before sealing. Throws like {@link PacketProtector.protect}, or 'BAD_ARGUMENT' for a long header.
   */
  protect(header: Uint8Array, payload: Uint8Array, pnOffset: number, packetNumber: number): Uint8Array {
    this.setKeyPhase(header);
    const out = sealPacket(this.writeCurrent.aead, this.writeHp, header, payload, pnOffset, packetNumber);
    if (this.firstPnInWritePhase === undefined) this.firstPnInWritePhase = packetNumber;
    return out;
  }

  /**
   * Like {@link KeyPhaseManager.protect} but writes the packet into `out` at `offset` and returns its length
   * ('BAD_ARGUMENT' if it does not fit).
   */
  protectInto(header: Uint8Array, payload: Uint8Array, pnOffset: number, packetNumber: number, out: Uint8Array, offset = 0): number {
    this.setKeyPhase(header);
    const n = sealPacketInto(this.writeCurrent.aead, this.writeHp, header, payload, pnOffset, packetNumber, out, offset);
    if (this.firstPnInWritePhase === undefined) this.firstPnInWritePhase = packetNumber;
    return n;
  }

  private setKeyPhase(header: Uint8Array): void {
    if (!(header instanceof Uint8Array) || header.length === 0 || isLongHeader(header[0])) {
      throw new PacketProtectionError('BAD_ARGUMENT', '1-RTT packets have a short header');
    }
    header[0] = this.writePhaseBit === 1 ? header[0] | KEY_PHASE_BIT : header[0] & ~KEY_PHASE_BIT;
  }

  /**
   * Removes protection from a 1-RTT packet, choosing keys by the Key Phase bit: the current keys for the current
   * phase; for the other phase, the previous keys if the packet number is below the first one seen with the
   * current keys, else the precomputed next keys — and if those authenticate, the peer has updated: the read keys
   * rotate (and the write keys too, unless this side started the update). `now` starts the previous keys' timer.
   * Throws PacketProtectionError 'TOO_SHORT', 'AUTH_FAILED' (drop; keys are unchanged), 'RESERVED_BITS',
   * 'BAD_ARGUMENT' (long header).
   */
  unprotect(packet: Uint8Array, pnOffset: number, largestReceivedPn?: number, now?: number): UnprotectedOneRttPacket {
    if (!(packet instanceof Uint8Array) || packet.length === 0 || isLongHeader(packet[0])) {
      throw new PacketProtectionError('BAD_ARGUMENT', '1-RTT packets have a short header');
    }
    const { header, packetNumber } = readProtectedHeader(this.readHp, packet, pnOffset, largestReceivedPn);
    const phase = ((header[0] & KEY_PHASE_BIT) >> 2) as KeyPhase;
    let keyUpdated = false;
    let payload: Uint8Array;
    if (phase === this.readPhaseBit) {
      payload = openPayload(this.readCurrent.aead, packet, header, packetNumber);
      if (this.lowestPnInReadPhase === undefined || packetNumber < this.lowestPnInReadPhase) this.lowestPnInReadPhase = packetNumber;
    } else if (this.readPrevious !== undefined && (this.lowestPnInReadPhase === undefined || packetNumber < this.lowestPnInReadPhase)) {
      payload = openPayload(this.readPrevious.aead, packet, header, packetNumber);
    } else {
      payload = openPayload(this.readNext.aead, packet, header, packetNumber);
      this.rotateRead(packetNumber, now);
      keyUpdated = true;
    }
    return { header, payload, packetNumber, pnLength: header.length - pnOffset, keyPhase: phase, keyUpdated };
  }

  private rotateRead(packetNumber: number, now: number | undefined): void {
    this.readPrevious = this.readCurrent;
    this.readCurrent = this.readNext;
    this.readNext = this.nextGeneration(this.readCurrent);
    this.readPhaseBit = (this.readPhaseBit ^ 1) as KeyPhase;
    this.readGeneration++;
    this.lowestPnInReadPhase = packetNumber;
    this.discardPreviousAt = now === undefined ? undefined : now + this.retainPreviousKeysFor;
    // The peer started this update: answer with new write keys (RFC 9001 §6.2).
    if (this.writePhaseBit !== this.readPhaseBit) this.rotateWrite();
  }

  private rotateWrite(): void {
    this.writeCurrent = this.nextGeneration(this.writeCurrent);
    this.writePhaseBit = (this.writePhaseBit ^ 1) as KeyPhase;
    this.writeGeneration++;
    this.firstPnInWritePhase = undefined;
    this.writePhaseAcked = false;
  }

  /**
   * Starts a local key update: the next packets are sealed with the next write keys and the other Key Phase.
   * PacketProtectionError('KEY_UPDATE_NOT_ALLOWED') unless {@link KeyPhaseManager.canInitiateKeyUpdate}.
   */
  initiateKeyUpdate(): void {
    if (!this.canInitiateKeyUpdate) {
      throw new PacketProtectionError(
        'KEY_UPDATE_NOT_ALLOWED',
        this.updatePending ? 'a key update is already in progress' : 'no packet sent with the current keys has been acknowledged yet',
      );
    }
    this.rotateWrite();
  }

  /** Tells the manager the peer acknowledged packet `packetNumber` (1-RTT space); unlocks the next local update. */
  onPacketAcknowledged(packetNumber: number): void {
    if (this.firstPnInWritePhase !== undefined && packetNumber >= this.firstPnInWritePhase) this.writePhaseAcked = true;
  }

  /**
   * RFC 9001 §6.4: an acknowledgment of a packet sent with newer keys, received in a packet protected with older
   * keys, is a KEY_UPDATE_ERROR. `packetKeyPhase` is the phase the ACK arrived in, `largestAcked` its largest
   * acknowledged packet number. Throws PacketProtectionError('KEY_UPDATE_ERROR') on a violation.
   */
  checkAckKeyPhase(packetKeyPhase: KeyPhase, largestAcked: number): void {
    if (
      this.updatePending &&
      packetKeyPhase !== this.writePhaseBit &&
      this.firstPnInWritePhase !== undefined &&
      largestAcked >= this.firstPnInWritePhase
    ) {
      throw new PacketProtectionError('KEY_UPDATE_ERROR', 'peer acknowledged a packet with new keys using old keys');
    }
  }

  /** When the previous read keys should be discarded, or undefined if there is no deadline. */
  nextTimeout(): number | undefined {
    return this.readPrevious === undefined ? undefined : this.discardPreviousAt;
  }

  /** Discards the previous read keys if their deadline has passed. */
  onTimeout(now: number): void {
    if (this.discardPreviousAt !== undefined && now >= this.discardPreviousAt) this.discardPreviousReadKeys();
  }

  /** Discards the previous read keys now; packets of the old phase then fail to authenticate. */
  discardPreviousReadKeys(): void {
    this.readPrevious = undefined;
    this.discardPreviousAt = undefined;
  }
}
