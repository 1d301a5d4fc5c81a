/**
 * One key slot per encryption level (RFC 9001 §4.1.4): Initial, 0-RTT, Handshake, 1-RTT; read and write keys
 * installed from a TLS (suite, secret) pair or from the Initial keys; discard per level; one connection-wide
 * count of packets that failed authentication for the AEAD integrity limit (RFC 9001 §6.6).
 */
import { defaultProvider, type CryptoProvider } from '@quichs/tls-hs';
import { INITIAL_CIPHER_SUITE, quicCipherSuite, type QuicCipherSuite } from './cipherSuite.js';
import { PacketProtectionError } from './errors.js';
import { initialKeys } from './initialKeys.js';
import { KeyPhaseManager } from './keyPhaseManager.js';
import type { AuthFailureCounter } from './packetAead.js';
import { PacketProtector, type UnprotectedPacket } from './packetProtector.js';
import { QuicVersion, quicVersionParams } from './version.js';

/** Encryption levels (packet number spaces share them, except 0-RTT and 1-RTT which share application data). */
export const EncryptionLevel = {
  /** Initial packets. */
  Initial: 'initial',
  /** 0-RTT (early data) packets. */
  ZeroRtt: 'zeroRtt',
  /** Handshake packets. */
  Handshake: 'handshake',
  /** 1-RTT (short header) packets. */
  OneRtt: 'oneRtt',
} as const;

/** One of the {@link EncryptionLevel} values. */
export type EncryptionLevel = (typeof EncryptionLevel)[keyof typeof EncryptionLevel];

/** Read (open) or write (seal) direction. */
export type KeyDirection = 'read' | 'write';

/** Which endpoint this store belongs to. */
export type EndpointRole = 'client' | 'server';

/** Options of a {@link QuicKeyStore}. */
export interface QuicKeyStoreOptions {
  /** Client or server: decides which Initial / 0-RTT keys are read vs write keys. */
  readonly role: EndpointRole;
  /** QUIC version for labels and Initial salt; default v1. Change with {@link QuicKeyStore.setVersion}. */
  readonly version?: number;
  /** Crypto provider; default `defaultProvider()`. */
  readonly provider?: CryptoProvider;
  /** How long previous 1-RTT read keys are kept after a key update (e.g. 3×PTO); default Infinity. */
  readonly retainPreviousKeysFor?: number;
}

interface Slot {
  read?: PacketProtector;
  write?: PacketProtector;
}

/** The packet-protection keys of one connection. */
export class QuicKeyStore {
  /** Client or server. */
  readonly role: EndpointRole;
  private versionValue: number;
  private readonly provider: CryptoProvider;
  private readonly failures: AuthFailureCounter = { failures: 0 };
  private readonly slots: Record<'initial' | 'zeroRtt' | 'handshake', Slot> = { initial: {}, zeroRtt: {}, handshake: {} };
  private oneRtt: KeyPhaseManager | undefined;
  private pendingOneRtt: { suite: QuicCipherSuite; read?: Uint8Array; write?: Uint8Array } | undefined;
  private integrityLimitValue = INITIAL_CIPHER_SUITE.limits.integrityLimit;
  private readonly retainPreviousKeysFor: number;

  /** An empty store; install keys as the handshake produces them. */
  constructor(options: QuicKeyStoreOptions) {
    if (options.role !== 'client' && options.role !== 'server') {
      throw new PacketProtectionError('BAD_ARGUMENT', 'role must be "client" or "server"');
    }
    this.role = options.role;
    this.versionValue = quicVersionParams(options.version ?? QuicVersion.V1).version;
    this.provider = options.provider ?? defaultProvider();
    this.retainPreviousKeysFor = options.retainPreviousKeysFor ?? Infinity;
  }

  /** The QUIC version keys are derived for. */
  get version(): number {
    return this.versionValue;
  }

  /**
   * Switches the version used by later installs (compatible version negotiation, RFC 9368); Initial keys must be
   * reinstalled by the caller with {@link QuicKeyStore.installInitial}.
   */
  setVersion(version: number): void {
    this.versionValue = quicVersionParams(version).version;
  }

  /** Installs (or replaces) the Initial keys for the client's DCID — after a Retry, with the new DCID. */
  installInitial(dcid: Uint8Array): void {
    const k = initialKeys(this.versionValue, dcid, this.provider);
    const opts = { provider: this.provider, authFailures: this.failures };
    const client = new PacketProtector(INITIAL_CIPHER_SUITE, k.client, opts);
    const server = new PacketProtector(INITIAL_CIPHER_SUITE, k.server, opts);
    this.slots.initial = this.role === 'client' ? { read: server, write: client } : { read: client, write: server };
  }

  /**
   * Installs keys of one direction of a level from the negotiated TLS suite (code or descriptor) and the TLS
   * traffic secret. 1-RTT keys become usable once both directions are installed (key update needs both).
   * 0-RTT has only client→server keys: write for a client, read for a server ('BAD_ARGUMENT' otherwise).
   */
  install(level: EncryptionLevel, direction: KeyDirection, suite: number | QuicCipherSuite, secret: Uint8Array): void {
    const s = typeof suite === 'number' ? quicCipherSuite(suite) : suite;
    if (direction !== 'read' && direction !== 'write') throw new PacketProtectionError('BAD_ARGUMENT', `bad direction ${String(direction)}`);
    this.integrityLimitValue = Math.min(this.integrityLimitValue, s.limits.integrityLimit);
    if (level === 'oneRtt') {
      if (this.pendingOneRtt === undefined || this.pendingOneRtt.suite.code !== s.code) this.pendingOneRtt = { suite: s };
      this.pendingOneRtt[direction] = secret;
      const { read, write } = this.pendingOneRtt;
      if (read !== undefined && write !== undefined) {
        this.oneRtt = new KeyPhaseManager(s, read, write, {
          version: this.versionValue,
          provider: this.provider,
          authFailures: this.failures,
          retainPreviousKeysFor: this.retainPreviousKeysFor,
        });
        this.pendingOneRtt = undefined;
      }
      return;
    }
    const slot = this.slotOf(level);
    if (level === 'zeroRtt' && direction !== (this.role === 'client' ? 'write' : 'read')) {
      throw new PacketProtectionError('BAD_ARGUMENT', `a ${this.role} has no 0-RTT ${direction} keys`);
    }
    slot[direction] = PacketProtector.fromSecret(s, secret, this.versionValue, { provider: this.provider, authFailures: this.failures });
  }

  /** Installs both 1-RTT directions at once. */
  installOneRtt(suite: number | QuicCipherSuite, readSecret: Uint8Array, writeSecret: Uint8Array): void {
    this.install('oneRtt', 'read', suite, readSecret);
    this.install('oneRtt', 'write', suite, writeSecret);
  }

  private slotOf(level: EncryptionLevel): Slot {
    if (level === 'initial' || level === 'zeroRtt' || level === 'handshake') return this.slots[level];
    throw new PacketProtectionError('BAD_ARGUMENT', `unknown encryption level ${String(level)}`);
  }

  /** True if keys for that level and direction are installed (and not discarded). */
  has(level: EncryptionLevel, direction: KeyDirection): boolean {
    if (level === 'oneRtt') return this.oneRtt !== undefined;
    return this.slotOf(level)[direction] !== undefined;
  }

  /** Discards both directions of a level (RFC 9001 §4.9); later use is 'NO_KEYS'. */
  discard(level: EncryptionLevel): void {
    if (level === 'oneRtt') {
      this.oneRtt = undefined;
      this.pendingOneRtt = undefined;
      return;
    }
    const slot = this.slotOf(level);
    slot.read = undefined;
    slot.write = undefined;
  }

  /** The protector of a long-header level; PacketProtectionError('NO_KEYS') if absent. */
  protector(level: 'initial' | 'zeroRtt' | 'handshake', direction: KeyDirection): PacketProtector {
    const p = this.slotOf(level)[direction];
    if (p === undefined) throw new PacketProtectionError('NO_KEYS', `no ${level} ${direction} keys`);
    return p;
  }

  /** The 1-RTT key-phase manager; PacketProtectionError('NO_KEYS') until both directions are installed. */
  oneRttKeys(): KeyPhaseManager {
    if (this.oneRtt === undefined) throw new PacketProtectionError('NO_KEYS', 'no 1-RTT keys');
    return this.oneRtt;
  }

  /** Protects a packet at a level (1-RTT: with the current key phase). Throws 'NO_KEYS' without keys. */
  protect(level: EncryptionLevel, header: Uint8Array, payload: Uint8Array, pnOffset: number, packetNumber: number): Uint8Array {
    if (level === 'oneRtt') return this.oneRttKeys().protect(header, payload, pnOffset, packetNumber);
    return this.protector(level, 'write').protect(header, payload, pnOffset, packetNumber);
  }

  /**
   * Protects a packet at a level into `out` at `offset` (coalescing into one datagram buffer); returns its length.
   * Throws 'NO_KEYS' without keys, 'BAD_ARGUMENT' if it does not fit.
   */
  protectInto(
    level: EncryptionLevel,
    header: Uint8Array,
    payload: Uint8Array,
    pnOffset: number,
    packetNumber: number,
    out: Uint8Array,
    offset = 0,
  ): number {
    if (level === 'oneRtt') return this.oneRttKeys().protectInto(header, payload, pnOffset, packetNumber, out, offset);
    return this.protector(level, 'write').protectInto(header, payload, pnOffset, packetNumber, out, offset);
  }

  /** Unprotects a packet at a level (1-RTT: key phase handled; `now` times the previous keys). 'NO_KEYS' without keys. */
  unprotect(level: EncryptionLevel, packet: Uint8Array, pnOffset: number, largestReceivedPn?: number, now?: number): UnprotectedPacket {
    if (level === 'oneRtt') return this.oneRttKeys().unprotect(packet, pnOffset, largestReceivedPn, now);
    return this.protector(level, 'read').unprotect(packet, pnOffset, largestReceivedPn);
  }

  /** Packets that failed authentication in this connection, across all keys (including discarded ones). */
  get authFailures(): number {
    return this.failures.failures;
  }

  /** The integrity limit in force: the smallest of the AEADs installed so far (RFC 9001 §6.6). */
  get integrityLimit(): number {
    return this.integrityLimitValue;
  }

  /** True once failed authentications exceed the integrity limit: close with AEAD_LIMIT_REACHED (0x0f). */
  get integrityLimitReached(): boolean {
    return this.failures.failures > this.integrityLimitValue;
  }
}
