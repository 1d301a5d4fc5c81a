/**
 * One packet number space (RFC 9000 §12.3): Initial, Handshake or Application Data. It holds everything that belongs
 * to the space — its next packet number, the received-packet (ACK) state, the CRYPTO stream with its reassembly and
 * pending output, pending probes — and knows the key slot and the loss-recovery state (sent packets) that go with it,
 * so that discarding the space (RFC 9001 §4.9, RFC 9002 §6.4) is one call.
 */
import type { EncryptionLevel, QuicKeyStore } from '@quichs/quic-crypto';
import type { LossDetection } from '../recovery/lossDetection.js';
import { ReceivedPackets } from '../recovery/receivedPackets.js';
import type { PnSpace } from '../recovery/sentPacket.js';
import { CryptoStream } from './cryptoStream.js';
import type { SentFrames } from './sentFrames.js';

/** Options of a {@link PacketNumberSpace}. */
export interface PacketNumberSpaceOptions {
  /** Which space. */
  id: PnSpace;
  /** The connection's keys. */
  keys: QuicKeyStore;
  /** The connection's loss recovery (holds the sent packets of every space). */
  loss: LossDetection<SentFrames>;
  /** Our max_ack_delay (ms), the longest an ACK is delayed in the Application Data space. */
  maxAckDelay: number;
  /** Crypto reassembly limit in bytes (≥ 64 KiB). */
  cryptoBufferLimit: number;
}

/** The encryption levels whose keys protect packets of each space. */
const LEVELS: Record<PnSpace, readonly EncryptionLevel[]> = {
  initial: ['initial'],
  handshake: ['handshake'],
  application: ['zeroRtt', 'oneRtt'],
};

/** The level packets of a space are sent at once its keys exist (0-RTT is chosen explicitly by the sender). */
export function sendLevelOf(space: PnSpace): 'initial' | 'handshake' | 'oneRtt' {
  return space === 'initial' ? 'initial' : space === 'handshake' ? 'handshake' : 'oneRtt';
}

/** State of one packet number space. */
export class PacketNumberSpace {
  /** Which space. */
  readonly id: PnSpace;
  /** Received packet numbers and ACK scheduling. */
  readonly received: ReceivedPackets;
  /** The CRYPTO stream of this space's level. */
  readonly crypto: CryptoStream;
  /** Next packet number to send. */
  nextPn = 0;
  /** Probe packets owed after a PTO (RFC 9002 §6.2.4). */
  probes = 0;
  /** True once the space is discarded. */
  discarded = false;
  private readonly keys: QuicKeyStore;
  private readonly loss: LossDetection<SentFrames>;

  constructor(options: PacketNumberSpaceOptions) {
    this.id = options.id;
    this.keys = options.keys;
    this.loss = options.loss;
    this.received = new ReceivedPackets(options.id, { maxAckDelay: options.maxAckDelay });
    this.crypto = new CryptoStream(options.cryptoBufferLimit);
  }

  /** Takes the next packet number. */
  takePacketNumber(): number {
    return this.nextPn++;
  }

  /**
   * Discards the space: both directions of its keys, its sent packets (removed from bytes in flight without a
   * congestion signal), its ACK and CRYPTO state. Idempotent.
   */
  discard(now: number): void {
    if (this.discarded) return;
    this.discarded = true;
    this.probes = 0;
    for (const level of LEVELS[this.id]) this.keys.discard(level);
    this.loss.discardSpace(this.id, now);
    this.crypto.discard();
  }
}
