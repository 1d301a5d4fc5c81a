/**
 * The per-connection stream table (RFC 9000 §2–4): opens local streams within the peer's MAX_STREAMS, accepts
 * peer-initiated streams implicitly (lower-numbered streams of the same type open too) within our limits, validates the
 * stream-related frames, owns connection-level flow control, issues MAX_STREAMS as peer streams close, forgets finished
 * streams and schedules which stream's data goes into the next packet.
 *
 * The connection feeds received frames to the `on*` methods (they throw {@link QuicError} for connection errors),
 * fills packets from {@link StreamManager.pollControlFrame} and {@link StreamManager.pollStreamFrame}, and reports what
 * happened to each sent frame through the `on*Acked` / `on*Lost` methods. The application (or a Node stream adapter)
 * uses {@link StreamManager.openStream}, `write`, `end`, `read`, `resetStream`, `stopSending`, and drains
 * {@link StreamManager.pollEvent} for readable / writable / opened / reset / closed notifications.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { ReceiveWindow, SendCredit } from './flowControl.js';
import { ReceiveStream } from './receiveStream.js';
import { SendStream } from './sendStream.js';
import type { SentStreamRange, StreamFrameFields } from './sendStream.js';
import { DEFAULT_URGENCY, StreamScheduler } from './streamScheduler.js';
import {
  MAX_STREAMS_LIMIT,
  assertStreamId,
  canReceive,
  canSend,
  isLocallyInitiated,
  makeStreamId,
  streamDirection,
  streamIndex,
} from './streamId.js';
import type { EndpointRole, StreamDirection } from './streamId.js';

/** Stream-related limits one endpoint advertises in its transport parameters (RFC 9000 §18.2). */
export interface StreamLimits {
  /** initial_max_data */
  maxData: number;
  /** initial_max_stream_data_bidi_local: for bidirectional streams opened by the advertising endpoint. */
  maxStreamDataBidiLocal: number;
  /** initial_max_stream_data_bidi_remote: for bidirectional streams opened by the other endpoint. */
  maxStreamDataBidiRemote: number;
  /** initial_max_stream_data_uni: for unidirectional streams opened by the other endpoint. */
  maxStreamDataUni: number;
  /** initial_max_streams_bidi */
  maxStreamsBidi: number;
  /** initial_max_streams_uni */
  maxStreamsUni: number;
}

/** Options of a {@link StreamManager}. */
export interface StreamManagerOptions {
  /** Our role. */
  role: EndpointRole;
  /** The limits we advertise (what the peer may send us). */
  local: StreamLimits;
  /** The limits the peer advertised, when known; otherwise everything is 0 until {@link StreamManager.setPeerLimits}. */
  peer?: StreamLimits;
  /** High-water mark of each send stream's buffer (default 64 KiB). */
  sendHighWaterMark?: number;
  /** Autotuning cap of each stream's receive window (default: no autotuning). */
  maxStreamWindow?: number;
  /** Autotuning cap of the connection receive window (default: no autotuning). */
  maxConnectionWindow?: number;
}

/** One stream: its send part, its receive part, or both. */
export interface QuicStream {
  /** Stream ID. */
  readonly id: number;
  /** The sending part (absent on a peer-initiated unidirectional stream). */
  readonly send: SendStream | undefined;
  /** The receiving part (absent on a locally initiated unidirectional stream). */
  readonly recv: ReceiveStream | undefined;
  /** Scheduling urgency, 0 (most urgent) to 7. */
  urgency: number;
}

/** A sent STREAM frame as remembered for acknowledgement / loss reporting. */
export interface SentStreamFrame extends SentStreamRange {
  /** Stream ID. */
  streamId: number;
}

/** The stream-related control frames this module produces (fields as in RFC 9000 §19). */
export type StreamControlFrame =
  | { kind: 'reset_stream'; streamId: number; errorCode: number; finalSize: number }
  | { kind: 'stop_sending'; streamId: number; errorCode: number }
  | { kind: 'max_data'; maximum: number }
  | { kind: 'max_stream_data'; streamId: number; maximum: number }
  | { kind: 'max_streams'; direction: StreamDirection; maximum: number }
  | { kind: 'data_blocked'; maximum: number }
  | { kind: 'stream_data_blocked'; streamId: number; maximum: number }
  | { kind: 'streams_blocked'; direction: StreamDirection; maximum: number };

/** Notifications for the application / stream adapter. */
export type StreamEvent =
  | { type: 'opened'; streamId: number }
  | { type: 'readable'; streamId: number }
  | { type: 'writable'; streamId: number }
  | { type: 'reset'; streamId: number; errorCode: number }
  | { type: 'stopSending'; streamId: number; errorCode: number }
  | { type: 'streamsAvailable'; direction: StreamDirection }
  | { type: 'closed'; streamId: number };

/** Frame types (RFC 9000 §19) used in error reports. */
const FT = {
  RESET_STREAM: 0x04,
  STOP_SENDING: 0x05,
  STREAM: 0x08,
  MAX_DATA: 0x10,
  MAX_STREAM_DATA: 0x11,
  MAX_STREAMS_BIDI: 0x12,
  MAX_STREAMS_UNI: 0x13,
  STREAM_DATA_BLOCKED: 0x15,
  STREAMS_BLOCKED_BIDI: 0x16,
  STREAMS_BLOCKED_UNI: 0x17,
} as const;

/** Encoded size of a QUIC variable-length integer (RFC 9000 §16). */
function varintLength(v: number): number {
  return v < 64 ? 1 : v < 16384 ? 2 : v < 1073741824 ? 4 : 8;
}

/** Per-direction counters. */
interface PerDirection {
  bidi: number;
  uni: number;
}

/** The per-connection stream table; see the module note. */
export class StreamManager {
  /** Our role. */
  readonly role: EndpointRole;
  /** Connection-level send credit (the peer's MAX_DATA). */
  readonly sendCredit: SendCredit;
  /** Connection-level receive window (our MAX_DATA). */
  readonly receiveWindow: ReceiveWindow;

  private readonly local: StreamLimits;
  private peer: StreamLimits;
  private readonly options: StreamManagerOptions;
  private readonly streams = new Map<number, QuicStream>();
  private readonly scheduler = new StreamScheduler();
  private readonly dirty = new Set<number>();
  private readonly events: StreamEvent[] = [];
  // Local streams.
  private readonly localOpened: PerDirection = { bidi: 0, uni: 0 };
  private readonly peerMaxStreams: PerDirection = { bidi: 0, uni: 0 };
  private readonly streamsBlockedAt: PerDirection = { bidi: -1, uni: -1 };
  private readonly streamsBlockedPending = { bidi: false, uni: false };
  // Peer streams.
  private readonly peerOpened: PerDirection = { bidi: 0, uni: 0 };
  private readonly peerClosed: PerDirection = { bidi: 0, uni: 0 };
  private readonly maxStreamsAdvertised: PerDirection;
  private readonly maxStreamsPending = { bidi: false, uni: false };
  /** After rejected 0-RTT: local streams were opened beyond the peer's new MAX_STREAMS (they wait for it). */
  private readonly holding = { bidi: false, uni: false };

  /** Creates an empty table. */
  constructor(options: StreamManagerOptions) {
    this.options = options;
    this.role = options.role;
    this.local = options.local;
    const zero: StreamLimits = {
      maxData: 0,
      maxStreamDataBidiLocal: 0,
      maxStreamDataBidiRemote: 0,
      maxStreamDataUni: 0,
      maxStreamsBidi: 0,
      maxStreamsUni: 0,
    };
    this.peer = zero;
    this.sendCredit = new SendCredit(0);
    this.receiveWindow = new ReceiveWindow({
      initialWindow: options.local.maxData,
      maxWindow: options.maxConnectionWindow,
      frameType: FT.STREAM,
    });
    this.maxStreamsAdvertised = { bidi: options.local.maxStreamsBidi, uni: options.local.maxStreamsUni };
    if (options.peer !== undefined) this.setPeerLimits(options.peer);
  }

  /**
   * Applies the peer's transport parameters (or the remembered ones for 0-RTT). Limits only grow.
   * @throws QuicError TRANSPORT_PARAMETER_ERROR when a stream count exceeds 2^60
   */
  setPeerLimits(peer: StreamLimits): void {
    if (peer.maxStreamsBidi > MAX_STREAMS_LIMIT || peer.maxStreamsUni > MAX_STREAMS_LIMIT) {
      throw new QuicError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, 'initial_max_streams above 2^60');
    }
    this.peer = peer;
    this.sendCredit.raiseLimit(peer.maxData);
    for (const s of this.streams.values()) s.send?.onMaxStreamData(this.peerSendLimit(s.id));
    this.raisePeerMaxStreams('bidi', peer.maxStreamsBidi);
    this.raisePeerMaxStreams('uni', peer.maxStreamsUni);
    this.rescheduleAll();
  }

  /**
   * 0-RTT was rejected (RFC 9001 §4.6.2) — or its packets were dropped by a Version Negotiation restart: the peer
   * knows none of our streams. Applies `peer` exactly (it may be lower than the remembered limits the 0-RTT data
   * used), sends every local stream again from offset 0 within it, and holds the local streams beyond the new
   * MAX_STREAMS: nothing is sent on them (no STREAM, no RESET_STREAM) until the peer raises the limit, and
   * STREAMS_BLOCKED tells it we wait. The application sees nothing but the slower progress.
   * @throws QuicError TRANSPORT_PARAMETER_ERROR when a stream count exceeds 2^60; PROTOCOL_VIOLATION when the peer
   *   acknowledged data of a stream (it did process the 0-RTT data it says it rejected)
   */
  rewindLocalStreams(peer: StreamLimits): void {
    if (peer.maxStreamsBidi > MAX_STREAMS_LIMIT || peer.maxStreamsUni > MAX_STREAMS_LIMIT) {
      throw new QuicError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, 'initial_max_streams above 2^60');
    }
    this.peer = peer;
    this.sendCredit.restart(peer.maxData);
    this.peerMaxStreams.bidi = peer.maxStreamsBidi;
    this.peerMaxStreams.uni = peer.maxStreamsUni;
    for (const s of this.streams.values()) {
      if (!isLocallyInitiated(s.id, this.role)) continue;
      if (s.send !== undefined && !s.send.rewind(this.peerSendLimit(s.id))) {
        throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, `acknowledgment for rejected 0-RTT data of stream ${s.id}`);
      }
      this.scheduler.remove(s.id);
      this.dirty.add(s.id);
    }
    for (const direction of ['bidi', 'uni'] as const) {
      this.streamsBlockedAt[direction] = -1;
      this.streamsBlockedPending[direction] = false;
      this.holding[direction] = this.localOpened[direction] > this.peerMaxStreams[direction];
      if (this.holding[direction]) this.noteStreamsBlocked(direction);
    }
    this.rescheduleAll();
  }

  /**
   * After {@link rewindLocalStreams}, when the 0-RTT data must not be sent again (the server selected another
   * application protocol, RFC 9001 §4.6.2): resets every local stream with `errorCode` — RESET_STREAM with final
   * size 0, STOP_SENDING on the receive part of a bidirectional one — so the peer, which never saw them, opens and
   * closes them (held streams send theirs once MAX_STREAMS allows). Returns the IDs of the streams this ended.
   */
  resetLocalStreams(errorCode: number): number[] {
    const ended: number[] = [];
    for (const s of this.streams.values()) {
      if (!isLocallyInitiated(s.id, this.role)) continue;
      const reset = s.send?.reset(errorCode) ?? false;
      const stopped = s.recv?.stopSending(errorCode) ?? false;
      if (!reset && !stopped) continue;
      ended.push(s.id);
      this.scheduler.remove(s.id);
      this.dirty.add(s.id);
    }
    return ended;
  }

  /** The stream with ID `id`, if it is open (not yet finished and forgotten). */
  stream(id: number): QuicStream | undefined {
    return this.streams.get(id);
  }

  /** Number of streams currently in the table. */
  get openStreamCount(): number {
    return this.streams.size;
  }

  /** How many more local streams of `direction` the peer allows right now. */
  availableStreams(direction: StreamDirection): number {
    return Math.max(0, this.peerMaxStreams[direction] - this.localOpened[direction]);
  }

  // ---------------------------------------------------------------- application side

  /**
   * Opens a local stream. At the peer's MAX_STREAMS limit returns undefined and a STREAMS_BLOCKED frame becomes due
   * (once per limit); a `streamsAvailable` event follows when the peer raises the limit.
   * @param urgency scheduling urgency 0–7 (default 3)
   */
  openStream(direction: StreamDirection, urgency = DEFAULT_URGENCY): QuicStream | undefined {
    const index = this.localOpened[direction];
    if (index >= this.peerMaxStreams[direction]) {
      if (this.streamsBlockedAt[direction] !== this.peerMaxStreams[direction]) {
        this.streamsBlockedAt[direction] = this.peerMaxStreams[direction];
        this.streamsBlockedPending[direction] = true;
      }
      return undefined;
    }
    this.localOpened[direction] = index + 1;
    const s = this.create(makeStreamId(index, this.role, direction));
    s.urgency = urgency;
    return s;
  }

  /** Changes a stream's scheduling urgency (0–7). */
  setUrgency(id: number, urgency: number): void {
    const s = this.streams.get(id);
    if (s === undefined) return;
    s.urgency = urgency;
    if (this.scheduler.has(id)) {
      this.scheduler.remove(id);
      this.scheduler.schedule(id, urgency);
    }
  }

  /**
   * Queues bytes on a stream's send part.
   * @returns false when the stream's buffer is at its high-water mark (wait for a `writable` event)
   * @throws QuicError STREAM_STATE_ERROR for an unknown stream, one without a send part, or after end/reset
   */
  write(id: number, data: Uint8Array): boolean {
    const s = this.sendPart(id);
    const ok = s.send.write(data);
    this.schedule(s);
    this.dirty.add(id);
    return ok;
  }

  /** Ends a stream's send part (FIN after the queued data). */
  end(id: number): void {
    const s = this.sendPart(id);
    s.send.end();
    this.schedule(s);
  }

  /** Aborts a stream's send part with an application error code (RESET_STREAM). */
  resetStream(id: number, errorCode: number): void {
    const s = this.sendPart(id);
    if (s.send.reset(errorCode)) {
      this.scheduler.remove(id);
      this.dirty.add(id);
      if (s.send.pollDrain()) this.events.push({ type: 'writable', streamId: id });
    }
  }

  /**
   * Reads up to `maxLength` bytes from a stream's receive part; undefined when nothing is readable (check the
   * stream's `recv.finished` / `recv.resetCode`).
   */
  read(id: number, maxLength?: number): Uint8Array | undefined {
    const s = this.streams.get(id);
    if (s?.recv === undefined) return undefined;
    const data = s.recv.read(maxLength);
    this.dirty.add(id);
    this.collect(s);
    return data;
  }

  /** Tells the peer to stop sending on a stream (STOP_SENDING); further data is discarded. */
  stopSending(id: number, errorCode: number): void {
    const s = this.streams.get(id);
    if (s?.recv === undefined) return;
    s.recv.stopSending(errorCode);
    this.dirty.add(id);
    this.collect(s);
  }

  /** Next notification for the application, or undefined. */
  pollEvent(): StreamEvent | undefined {
    return this.events.shift();
  }

  // ---------------------------------------------------------------- received frames

  /**
   * STREAM frame from the peer.
   * @throws QuicError STREAM_STATE_ERROR, STREAM_LIMIT_ERROR, FLOW_CONTROL_ERROR, FINAL_SIZE_ERROR,
   *   FRAME_ENCODING_ERROR
   */
  onStreamFrame(frame: StreamFrameFields, frameType: number = FT.STREAM): void {
    const s = this.lookup(frame.streamId, frameType, 'recv');
    // A forgotten stream already had its final size counted: late or duplicate data is ignored.
    if (s?.recv === undefined) return;
    if (s.recv.onStreamFrame(frame.offset, frame.data, frame.fin, frameType)) {
      this.events.push({ type: 'readable', streamId: s.id });
    }
    this.dirty.add(s.id);
    this.collect(s);
  }

  /** RESET_STREAM frame from the peer. */
  onResetStream(frame: { streamId: number; errorCode: number; finalSize: number }): void {
    const s = this.lookup(frame.streamId, FT.RESET_STREAM, 'recv');
    if (s?.recv === undefined) return;
    if (s.recv.onResetStream(frame.errorCode, frame.finalSize)) {
      this.events.push({ type: 'reset', streamId: s.id, errorCode: frame.errorCode });
    }
    this.dirty.add(s.id);
    this.collect(s);
  }

  /** STOP_SENDING frame from the peer: our send part is reset with the peer's error code. */
  onStopSending(frame: { streamId: number; errorCode: number }): void {
    const s = this.lookup(frame.streamId, FT.STOP_SENDING, 'send');
    if (s?.send === undefined) return;
    const known = s.send.stopSendingCode !== undefined;
    s.send.onStopSending(frame.errorCode);
    if (!known) this.events.push({ type: 'stopSending', streamId: s.id, errorCode: frame.errorCode });
    this.scheduler.remove(s.id);
    this.dirty.add(s.id);
    if (s.send.pollDrain()) this.events.push({ type: 'writable', streamId: s.id });
    this.collect(s);
  }

  /** MAX_DATA frame from the peer. */
  onMaxData(maximum: number): void {
    if (this.sendCredit.raiseLimit(maximum)) this.rescheduleAll();
  }

  /** MAX_STREAM_DATA frame from the peer. */
  onMaxStreamData(frame: { streamId: number; maximum: number }): void {
    const s = this.lookup(frame.streamId, FT.MAX_STREAM_DATA, 'send');
    if (s?.send === undefined) return;
    if (s.send.onMaxStreamData(frame.maximum)) this.schedule(s);
  }

  /**
   * MAX_STREAMS frame from the peer.
   * @throws QuicError FRAME_ENCODING_ERROR when `maximum` exceeds 2^60
   */
  onMaxStreams(direction: StreamDirection, maximum: number): void {
    if (maximum > MAX_STREAMS_LIMIT) {
      throw new QuicError(TransportErrorCode.FRAME_ENCODING_ERROR, `MAX_STREAMS ${maximum} above 2^60`, {
        frameType: direction === 'bidi' ? FT.MAX_STREAMS_BIDI : FT.MAX_STREAMS_UNI,
      });
    }
    this.raisePeerMaxStreams(direction, maximum);
  }

  /** DATA_BLOCKED frame from the peer (informational). */
  onDataBlocked(maximum: number): void {
    void maximum;
  }

  /** STREAM_DATA_BLOCKED frame from the peer: validates the stream (opening it if needed). */
  onStreamDataBlocked(frame: { streamId: number; maximum: number }): void {
    this.lookup(frame.streamId, FT.STREAM_DATA_BLOCKED, 'recv');
  }

  /**
   * STREAMS_BLOCKED frame from the peer.
   * @throws QuicError FRAME_ENCODING_ERROR when `maximum` exceeds 2^60
   */
  onStreamsBlocked(direction: StreamDirection, maximum: number): void {
    if (maximum > MAX_STREAMS_LIMIT) {
      throw new QuicError(TransportErrorCode.FRAME_ENCODING_ERROR, `STREAMS_BLOCKED ${maximum} above 2^60`, {
        frameType: direction === 'bidi' ? FT.STREAMS_BLOCKED_BIDI : FT.STREAMS_BLOCKED_UNI,
      });
    }
  }

  // ---------------------------------------------------------------- frames to send

  /** True when a control frame or stream data may be ready to send (streams are checked lazily). */
  get wantsToSend(): boolean {
    return (
      this.scheduler.size > 0 ||
      this.dirty.size > 0 ||
      this.receiveWindow.updatePending ||
      this.sendCredit.blockedFramePending ||
      this.maxStreamsPending.bidi ||
      this.maxStreamsPending.uni ||
      this.streamsBlockedPending.bidi ||
      this.streamsBlockedPending.uni
    );
  }

  /**
   * The next control frame to send (MAX_DATA, DATA_BLOCKED, MAX_STREAMS, STREAMS_BLOCKED, then per stream
   * RESET_STREAM, STOP_SENDING, MAX_STREAM_DATA, STREAM_DATA_BLOCKED), or undefined when none is due.
   * @param now current time in ms, for window autotuning (optional)
   * @param rtt smoothed RTT in ms, for window autotuning (optional)
   */
  pollControlFrame(now?: number, rtt?: number): StreamControlFrame | undefined {
    const maxData = this.receiveWindow.pollUpdate(now, rtt);
    if (maxData !== undefined) return { kind: 'max_data', maximum: maxData };
    const blocked = this.sendCredit.pollBlocked();
    if (blocked !== undefined) return { kind: 'data_blocked', maximum: blocked };
    for (const direction of ['bidi', 'uni'] as const) {
      if (this.maxStreamsPending[direction]) {
        this.maxStreamsPending[direction] = false;
        return { kind: 'max_streams', direction, maximum: this.maxStreamsAdvertised[direction] };
      }
      if (this.streamsBlockedPending[direction]) {
        this.streamsBlockedPending[direction] = false;
        return { kind: 'streams_blocked', direction, maximum: this.peerMaxStreams[direction] };
      }
    }
    for (const id of this.dirty) {
      const s = this.streams.get(id);
      const frame = s === undefined || this.isHeld(id) ? undefined : this.streamControlFrame(s, now, rtt);
      if (frame !== undefined) return frame;
      this.dirty.delete(id);
      if (s !== undefined) this.collect(s);
    }
    return undefined;
  }

  /**
   * The next STREAM frame, chosen round-robin among streams with data (most urgent level first), sized so the
   * whole frame (type, stream ID, offset, length, data) fits in `maxFrameBytes`. Undefined when nothing fits or
   * nothing is sendable.
   */
  pollStreamFrame(maxFrameBytes: number): StreamFrameFields | undefined {
    for (let tries = this.scheduler.size; tries > 0; tries--) {
      const id = this.scheduler.peek() as number;
      const s = this.streams.get(id);
      if (s?.send === undefined) {
        this.scheduler.remove(id);
        continue;
      }
      const send = s.send;
      const overhead = 1 + varintLength(id) + varintLength(send.bytesSent) + varintLength(maxFrameBytes);
      const room = maxFrameBytes - overhead;
      if (room < 0) return undefined;
      const chunk = send.emit(room);
      this.dirty.add(id);
      if (chunk === undefined) {
        this.scheduler.remove(id);
        continue;
      }
      if (send.hasPendingData) this.scheduler.rotate(id);
      else this.scheduler.remove(id);
      return chunk;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- fate of sent frames

  /** A sent STREAM frame was acknowledged. */
  onStreamFrameAcked(frame: SentStreamFrame): void {
    const s = this.streams.get(frame.streamId);
    if (s?.send === undefined) return;
    s.send.onAck(frame);
    if (s.send.pollDrain()) this.events.push({ type: 'writable', streamId: s.id });
    this.collect(s);
  }

  /** A sent STREAM frame was declared lost: its bytes are queued for retransmission. */
  onStreamFrameLost(frame: SentStreamFrame): void {
    const s = this.streams.get(frame.streamId);
    if (s?.send === undefined) return;
    s.send.onLost(frame);
    this.schedule(s);
  }

  /** A sent control frame was acknowledged. */
  onControlFrameAcked(frame: StreamControlFrame): void {
    if (frame.kind !== 'reset_stream') return;
    const s = this.streams.get(frame.streamId);
    if (s?.send === undefined) return;
    s.send.onResetAcked();
    this.collect(s);
  }

  /** A sent control frame was declared lost: it is sent again if still relevant. */
  onControlFrameLost(frame: StreamControlFrame): void {
    switch (frame.kind) {
      case 'max_data':
        this.receiveWindow.onUpdateLost(frame.maximum);
        return;
      case 'data_blocked':
        this.sendCredit.onBlockedLost(frame.maximum);
        return;
      case 'max_streams':
        if (frame.maximum === this.maxStreamsAdvertised[frame.direction]) this.maxStreamsPending[frame.direction] = true;
        return;
      case 'streams_blocked':
        if (
          frame.maximum === this.peerMaxStreams[frame.direction] &&
          this.localOpened[frame.direction] >= frame.maximum
        ) {
          this.streamsBlockedPending[frame.direction] = true;
        }
        return;
      default:
        break;
    }
    const s = this.streams.get(frame.streamId);
    if (s === undefined) return;
    if (frame.kind === 'reset_stream') s.send?.onResetLost();
    else if (frame.kind === 'stop_sending') s.recv?.onStopSendingLost();
    else if (frame.kind === 'max_stream_data') s.recv?.onMaxStreamDataLost(frame.maximum);
    else s.send?.credit.onBlockedLost(frame.maximum);
    this.dirty.add(s.id);
  }

  // ---------------------------------------------------------------- internals

  private streamControlFrame(s: QuicStream, now?: number, rtt?: number): StreamControlFrame | undefined {
    const reset = s.send?.pollReset();
    if (reset !== undefined) return { kind: 'reset_stream', streamId: s.id, ...reset };
    const stop = s.recv?.pollStopSending();
    if (stop !== undefined) return { kind: 'stop_sending', streamId: s.id, errorCode: stop };
    const max = s.recv?.pollMaxStreamData(now, rtt);
    if (max !== undefined) return { kind: 'max_stream_data', streamId: s.id, maximum: max };
    const blocked = s.send?.pollBlocked();
    if (blocked !== undefined) return { kind: 'stream_data_blocked', streamId: s.id, maximum: blocked };
    return undefined;
  }

  private sendPart(id: number): QuicStream & { send: SendStream } {
    const s = this.streams.get(id);
    if (s?.send === undefined) {
      throw new QuicError(TransportErrorCode.STREAM_STATE_ERROR, `stream ${id} has no open send part`);
    }
    return s as QuicStream & { send: SendStream };
  }

  private schedule(s: QuicStream): void {
    if (s.send?.hasPendingData && !this.isHeld(s.id)) this.scheduler.schedule(s.id, s.urgency);
  }

  /** True for a local stream beyond the peer's MAX_STREAMS (only after {@link rewindLocalStreams}). */
  private isHeld(id: number): boolean {
    const direction = streamDirection(id);
    return this.holding[direction] && isLocallyInitiated(id, this.role) && streamIndex(id) >= this.peerMaxStreams[direction];
  }

  private noteStreamsBlocked(direction: StreamDirection): void {
    this.streamsBlockedAt[direction] = this.peerMaxStreams[direction];
    this.streamsBlockedPending[direction] = true;
  }

  private rescheduleAll(): void {
    for (const s of this.streams.values()) this.schedule(s);
  }

  private raisePeerMaxStreams(direction: StreamDirection, maximum: number): void {
    const before = this.peerMaxStreams[direction];
    if (maximum <= before) return;
    const wasBlocked = this.streamsBlockedAt[direction] === before;
    this.peerMaxStreams[direction] = maximum;
    this.streamsBlockedPending[direction] = false;
    if (this.holding[direction]) {
      // held streams below the new limit may go now
      const opened = this.localOpened[direction];
      for (let i = before; i < Math.min(maximum, opened); i++) {
        const s = this.streams.get(makeStreamId(i, this.role, direction));
        if (s === undefined) continue;
        this.dirty.add(s.id);
        this.schedule(s);
      }
      if (maximum >= opened) {
        this.holding[direction] = false;
      } else {
        this.noteStreamsBlocked(direction); // still waiting for more
        return;
      }
    }
    if (wasBlocked && maximum > this.localOpened[direction]) this.events.push({ type: 'streamsAvailable', direction });
  }

  /** Send credit the peer grants on stream `id` by its transport parameters. */
  private peerSendLimit(id: number): number {
    if (streamDirection(id) === 'uni') return this.peer.maxStreamDataUni;
    return isLocallyInitiated(id, this.role) ? this.peer.maxStreamDataBidiRemote : this.peer.maxStreamDataBidiLocal;
  }

  /** Receive window we grant on stream `id` by our transport parameters. */
  private localReceiveLimit(id: number): number {
    if (streamDirection(id) === 'uni') return this.local.maxStreamDataUni;
    return isLocallyInitiated(id, this.role) ? this.local.maxStreamDataBidiLocal : this.local.maxStreamDataBidiRemote;
  }

  private create(id: number): QuicStream {
    const send = canSend(id, this.role)
      ? new SendStream({
          streamId: id,
          initialMaxStreamData: this.peerSendLimit(id),
          connectionCredit: this.sendCredit,
          highWaterMark: this.options.sendHighWaterMark,
        })
      : undefined;
    const recv = canReceive(id, this.role)
      ? new ReceiveStream({
          streamId: id,
          initialMaxStreamData: this.localReceiveLimit(id),
          maxWindow: this.options.maxStreamWindow,
          connectionWindow: this.receiveWindow,
        })
      : undefined;
    const s: QuicStream = { id, send, recv, urgency: DEFAULT_URGENCY };
    this.streams.set(id, s);
    return s;
  }

  /**
   * Finds the stream a received frame refers to, opening peer streams implicitly. Undefined means the stream existed
   * and was already closed and forgotten (the frame is ignored).
   * @param need the part of the stream the frame acts on: 'recv' for STREAM, RESET_STREAM, STREAM_DATA_BLOCKED;
   *   'send' for STOP_SENDING, MAX_STREAM_DATA
   */
  private lookup(id: number, frameType: number, need: 'send' | 'recv'): QuicStream | undefined {
    assertStreamId(id, frameType);
    if (need === 'recv' ? !canReceive(id, this.role) : !canSend(id, this.role)) {
      throw new QuicError(
        TransportErrorCode.STREAM_STATE_ERROR,
        `frame for the ${need === 'recv' ? 'receive' : 'send'} part of stream ${id}, which has none`,
        { frameType },
      );
    }
    const direction = streamDirection(id);
    const index = streamIndex(id);
    if (isLocallyInitiated(id, this.role)) {
      if (index >= this.localOpened[direction]) {
        throw new QuicError(TransportErrorCode.STREAM_STATE_ERROR, `frame for stream ${id}, which we never opened`, {
          frameType,
        });
      }
      return this.streams.get(id);
    }
    if (index >= this.maxStreamsAdvertised[direction]) {
      throw new QuicError(
        TransportErrorCode.STREAM_LIMIT_ERROR,
        `peer opened stream ${id} beyond our limit of ${this.maxStreamsAdvertised[direction]} ${direction} streams`,
        { frameType },
      );
    }
    const peerRole: EndpointRole = this.role === 'client' ? 'server' : 'client';
    for (let i = this.peerOpened[direction]; i <= index; i++) {
      const opened = this.create(makeStreamId(i, peerRole, direction));
      this.events.push({ type: 'opened', streamId: opened.id });
    }
    if (index >= this.peerOpened[direction]) this.peerOpened[direction] = index + 1;
    return this.streams.get(id);
  }

  /** Forgets a stream whose parts are both terminal and that owes no control frame; raises MAX_STREAMS credit. */
  private collect(s: QuicStream): void {
    if (s.send !== undefined && (!s.send.isClosed || s.send.resetFramePending)) return;
    if (s.recv !== undefined && (!s.recv.isClosed || s.recv.stopSendingPending)) return;
    if (!this.streams.has(s.id)) return;
    this.streams.delete(s.id);
    this.scheduler.remove(s.id);
    this.dirty.delete(s.id);
    this.events.push({ type: 'closed', streamId: s.id });
    if (isLocallyInitiated(s.id, this.role)) return;
    const direction = streamDirection(s.id);
    this.peerClosed[direction]++;
    const initial = direction === 'bidi' ? this.local.maxStreamsBidi : this.local.maxStreamsUni;
    const target = Math.min(this.peerClosed[direction] + initial, MAX_STREAMS_LIMIT);
    const threshold = Math.max(1, Math.floor(initial / 2));
    if (target - this.maxStreamsAdvertised[direction] >= threshold) {
      this.maxStreamsAdvertised[direction] = target;
      this.maxStreamsPending[direction] = true;
    }
  }
}
