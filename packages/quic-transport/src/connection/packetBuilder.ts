/**
 * Builds the packets of one datagram (RFC 9000 §12.2, §17): each packet's frames are written into a reusable
 * per-level payload buffer (shared by all connections, see {@link PacketBuilder}), the last packet is padded when the datagram must reach 1200 bytes (§14.1) or a packet
 * is too short for a header-protection sample (RFC 9001 §5.4.2), then every packet is sealed by quic-crypto
 * straight into the datagram's own buffer (header, AEAD, header protection) — coalesced Initial, Handshake, 0-RTT
 * and 1-RTT packets in that order. Large datagrams' buffers are reused once the sender gives them back
 * (datagramPool.ts).
 */
import type { EncryptionLevel, QuicKeyStore } from '@quichs/quic-crypto';
import { packetNumberLength } from '@quichs/quic-crypto';
import type { Frame } from '../frame/frame.js';
import { encodeFrame } from '../frame/frame.js';
import { QuicWriter } from '../frame/quicWriter.js';
import { varintSize } from '../frame/varint.js';
import { writeLongHeader, writeShortHeader } from '../packet/headerBuilder.js';
import type { PacketNumberSpace } from './packetNumberSpace.js';
import { takeDatagramBuffer } from './datagramPool.js';
import { newSentFrames, type SentFrames } from './sentFrames.js';

/** AEAD tag length of every QUIC v1/v2 cipher suite. */
export const AEAD_TAG_LENGTH = 16;
/** Smallest datagram carrying a client Initial (or a server's ack-eliciting Initial), RFC 9000 §14.1. */
export const MIN_INITIAL_DATAGRAM = 1200;

/** One packet being built. */
export interface PacketPlan {
  /** Encryption level. */
  readonly level: EncryptionLevel;
  /** Its packet number space. */
  readonly space: PacketNumberSpace;
  /** Packet number. */
  readonly pn: number;
  /** Bytes of the packet number field. */
  readonly pnLength: number;
  /** Header bytes (up to and including the packet number). */
  readonly headerLength: number;
  /** The frames (plaintext payload). */
  readonly payload: QuicWriter;
  /** What the packet carries, for loss recovery. */
  readonly frames: SentFrames;
  /** Frame objects for qlog (only when qlog is on). */
  readonly logged: Frame[] | undefined;
  /** True once an ack-eliciting frame is in. */
  ackEliciting: boolean;
  /** True when the packet has PADDING (counts in flight). */
  padded: boolean;
}

/** Connection facts the header needs. */
export interface HeaderContext {
  /** QUIC version of long headers. */
  version: number;
  /** DCID. */
  dcid: Uint8Array;
  /** SCID (long headers). */
  scid: Uint8Array;
  /** Initial token (client). */
  token: Uint8Array;
}

/** Scratch buffers: one payload per level, one header. */
interface Scratch {
  readonly payloads: Record<EncryptionLevel, QuicWriter>;
  readonly headerWriter: QuicWriter;
}

/**
 * Scratch buffers are shared by every builder of the same capacity: a datagram is planned and sealed within one
 * synchronous call into its own buffer, so connections never see each other's bytes — and an idle connection holds
 * no send buffers.
 */
const scratchByCapacity = new Map<number, Scratch>();

function scratchFor(capacity: number): Scratch {
  let s = scratchByCapacity.get(capacity);
  if (s === undefined) {
    const make = (): QuicWriter => new QuicWriter(new Uint8Array(capacity));
    s = { payloads: { initial: make(), handshake: make(), zeroRtt: make(), oneRtt: make() }, headerWriter: new QuicWriter(128) };
    scratchByCapacity.set(capacity, s);
  }
  return s;
}

/** The packing logic of one connection over shared scratch buffers. */
export class PacketBuilder {
  /** Largest datagram this builder can produce. */
  readonly capacity: number;
  private readonly payloads: Record<EncryptionLevel, QuicWriter>;
  private readonly headerWriter: QuicWriter;
  private readonly lengthFieldSize: number;
  /** When true, frames are also kept as objects for qlog. */
  logFrames = false;

  constructor(capacity: number) {
    this.capacity = capacity;
    const scratch = scratchFor(capacity);
    this.payloads = scratch.payloads;
    this.headerWriter = scratch.headerWriter;
    this.lengthFieldSize = capacity < 16_384 ? 2 : 4;
  }

  /** Header length of a packet at `level` with a `pnLength`-byte packet number. */
  headerLength(level: EncryptionLevel, ctx: HeaderContext, pnLength: number): number {
    if (level === 'oneRtt') return 1 + ctx.dcid.length + pnLength;
    let n = 1 + 4 + 1 + ctx.dcid.length + 1 + ctx.scid.length + this.lengthFieldSize + pnLength;
    if (level === 'initial') n += varintSize(ctx.token.length) + ctx.token.length;
    return n;
  }

  /**
   * Starts a packet at `level` that must fit in `room` bytes (header, frames and tag), or returns undefined when
   * not even a minimal packet fits. The packet number is taken only by {@link PacketBuilder.commit}.
   */
  begin(level: EncryptionLevel, space: PacketNumberSpace, largestAcked: number, ctx: HeaderContext, room: number): PacketPlan | undefined {
    const pn = space.nextPn;
    const pnLength = packetNumberLength(pn, largestAcked);
    const headerLength = this.headerLength(level, ctx, pnLength);
    if (room - headerLength - AEAD_TAG_LENGTH < 8) return undefined;
    const payload = this.payloads[level];
    payload.reset();
    return {
      level,
      space,
      pn,
      pnLength,
      headerLength,
      payload,
      frames: newSentFrames(),
      logged: this.logFrames ? [] : undefined,
      ackEliciting: false,
      padded: false,
    };
  }

  /** Bytes of frames that still fit in `plan` within `room` (the room given to {@link begin}). */
  static roomLeft(plan: PacketPlan, room: number): number {
    return room - plan.headerLength - AEAD_TAG_LENGTH - plan.payload.length;
  }

  /** Writes one frame into the plan (the caller checked the room). */
  static add(plan: PacketPlan, frame: Frame, ackEliciting: boolean): void {
    encodeFrame(plan.payload, frame);
    plan.logged?.push(frame);
    if (ackEliciting) plan.ackEliciting = true;
  }

  /** Size of the packet on the wire as planned so far. */
  static size(plan: PacketPlan): number {
    return plan.headerLength + plan.payload.length + AEAD_TAG_LENGTH;
  }

  /** Adds `n` PADDING bytes to a plan. */
  static pad(plan: PacketPlan, n: number): void {
    if (n <= 0) return;
    plan.payload.zeros(n);
    plan.padded = true;
    plan.logged?.push({ type: 0x00, length: n });
  }

  /**
   * Pads a packet that is too short for a header-protection sample (RFC 9001 §5.4.2: the 16-byte sample starts 4
   * bytes after the packet number, so packet number + payload must be at least 4 bytes). Call before counting the
   * packet's size.
   */
  static finish(plan: PacketPlan): void {
    const short = 4 - plan.pnLength - plan.payload.length;
    if (short > 0) PacketBuilder.pad(plan, short);
  }

  /** Takes the plan's packet number from its space (call once the plan will be sent). */
  static commit(plan: PacketPlan): void {
    plan.space.takePacketNumber();
  }

  /**
   * Pads (to `minDatagram`, and every packet to the header-protection minimum), then seals the plans into a buffer
   * of its own (the connection keeps no reference to it) and returns the datagram.
   */
  seal(plans: readonly PacketPlan[], keys: QuicKeyStore, ctx: HeaderContext, minDatagram: number): Uint8Array {
    let total = 0;
    for (const p of plans) {
      PacketBuilder.finish(p);
      total += PacketBuilder.size(p);
    }
    const last = plans[plans.length - 1];
    if (total < minDatagram) {
      const extra = Math.min(minDatagram, this.capacity) - total;
      PacketBuilder.pad(last, extra);
      total += extra;
    }
    // A datagram filling more than half the capacity takes a reusable buffer (see datagramPool.ts); small ones
    // (ACKs) get their own small one.
    const datagram = total > this.capacity / 2 ? takeDatagramBuffer(this.capacity) : new Uint8Array(total);
    let offset = 0;
    const hw = this.headerWriter;
    for (const p of plans) {
      hw.reset();
      const payload = p.payload.finish();
      const pnOffset =
        p.level === 'oneRtt'
          ? writeShortHeader(hw, { dcid: ctx.dcid, pn: p.pn, pnLength: p.pnLength })
          : writeLongHeader(hw, {
              version: ctx.version,
              type: p.level,
              dcid: ctx.dcid,
              scid: ctx.scid,
              token: p.level === 'initial' ? ctx.token : undefined,
              pn: p.pn,
              pnLength: p.pnLength,
              payloadLength: payload.length + AEAD_TAG_LENGTH,
              lengthFieldSize: this.lengthFieldSize,
            });
      offset += keys.protectInto(p.level, hw.finish(), payload, pnOffset, p.pn, datagram, offset);
    }
    return offset === datagram.length ? datagram : datagram.subarray(0, offset);
  }
}
