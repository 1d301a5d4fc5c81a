/**
 * Connection IDs of a connection (RFC 9000 §5.1): the IDs we issue to the peer (NEW_CONNECTION_ID, routed by the
 * endpoint through {@link ConnectionIdHooks}, retired by the peer's RETIRE_CONNECTION_ID) and the IDs the peer issued
 * to us (the DCIDs we may use, bounded by our active_connection_id_limit, with their stateless reset tokens).
 */
import type { ConnectionIdHooks, IssuedConnectionId } from '../endpoint/endpointCore.js';
import { QuicError, TransportErrorCode } from '../errors.js';
import { FrameType } from '../frame/frameType.js';
import type { NewConnectionIdFrame } from '../frame/connectionIdFrames.js';

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Most IDs we keep issued at once, whatever the peer's active_connection_id_limit (RFC 9000 §5.1.1). */
export const MAX_ISSUED_CONNECTION_IDS = 8;

/** The connection IDs we issued. */
export class LocalConnectionIds {
  private readonly hooks: ConnectionIdHooks;
  private readonly first: IssuedConnectionId;
  private readonly active = new Map<number, IssuedConnectionId>();
  private readonly pending = new Set<number>();
  private nextSeq: number;
  private limit = 0;

  /** @param first our first SCID (sequence number 0, sent in the long headers) */
  constructor(hooks: ConnectionIdHooks, first: IssuedConnectionId) {
    this.hooks = hooks;
    this.first = first;
    this.active.set(0, first);
    this.nextSeq = 1;
  }

  /** Number of IDs the peer may currently use. */
  get activeCount(): number {
    return this.active.size;
  }

  /**
   * The first SCID (sequence number 0): our long headers' SCID and initial_source_connection_id, still known after
   * the peer retired it.
   */
  get initial(): IssuedConnectionId {
    return this.first;
  }

  /** Length of every ID we issue (the DCID length of the short headers we receive). */
  get cidLength(): number {
    return this.first.cid.length;
  }

  /**
   * Issues IDs until the peer holds `min(peerLimit, MAX_ISSUED_CONNECTION_IDS)` of them (after the handshake, and
   * again whenever one is retired).
   */
  replenish(peerLimit: number): void {
    this.limit = Math.min(peerLimit, MAX_ISSUED_CONNECTION_IDS);
    while (this.active.size < this.limit) {
      const seq = this.nextSeq++;
      this.active.set(seq, this.hooks.issue());
      this.pending.add(seq);
    }
  }

  /** True when NEW_CONNECTION_ID frames wait to be sent. */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** The next NEW_CONNECTION_ID frame to send, or undefined. */
  pollNewConnectionId(): NewConnectionIdFrame | undefined {
    for (const seq of this.pending) {
      this.pending.delete(seq);
      const id = this.active.get(seq);
      if (id === undefined) continue;
      return { type: FrameType.NEW_CONNECTION_ID, sequenceNumber: seq, retirePriorTo: 0, connectionId: id.cid, statelessResetToken: id.statelessResetToken };
    }
    return undefined;
  }

  /** A NEW_CONNECTION_ID frame was lost: send it again unless the ID was retired meanwhile. */
  onNewConnectionIdLost(seq: number): void {
    if (this.active.has(seq)) this.pending.add(seq);
  }

  /**
   * RETIRE_CONNECTION_ID from the peer (RFC 9000 §19.16): a sequence number never issued, or the ID the packet was
   * sent to, is PROTOCOL_VIOLATION. The ID stops routing and a replacement is issued.
   */
  onRetire(seq: number, packetDcid: Uint8Array): void {
    if (seq >= this.nextSeq) {
      throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, `RETIRE_CONNECTION_ID for unissued sequence number ${seq}`, {
        frameType: FrameType.RETIRE_CONNECTION_ID,
      });
    }
    const id = this.active.get(seq);
    if (id === undefined) return; // already retired
    if (equalBytes(id.cid, packetDcid)) {
      throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'RETIRE_CONNECTION_ID for the connection ID the packet was sent to', {
        frameType: FrameType.RETIRE_CONNECTION_ID,
      });
    }
    this.active.delete(seq);
    this.pending.delete(seq);
    this.hooks.retire(id.cid);
    if (this.limit > 0) this.replenish(this.limit);
  }

  /** Stops routing every ID (the connection is gone). */
  retireAll(): void {
    for (const id of this.active.values()) this.hooks.retire(id.cid);
    this.active.clear();
    this.pending.clear();
  }
}

interface PeerId {
  cid: Uint8Array;
  token: Uint8Array | undefined;
}

/** The connection IDs the peer issued to us. */
export class PeerConnectionIds {
  private readonly ids = new Map<number, PeerId>();
  private currentSeq = 0;
  private retiredBelow = 0;
  private readonly retirePending = new Set<number>();
  private readonly usedTokens: Uint8Array[] = [];
  private readonly localLimit: number;

  /**
   * @param first the peer's first SCID (sequence number 0)
   * @param localLimit our active_connection_id_limit
   */
  constructor(first: Uint8Array, localLimit: number) {
    this.ids.set(0, { cid: first, token: undefined });
    this.localLimit = localLimit;
  }

  /** The DCID to put in our packets. */
  get current(): Uint8Array {
    return this.ids.get(this.currentSeq)!.cid;
  }

  /** Replaces the first ID (the client learns the server's chosen SCID from its first Initial or a Retry). */
  setInitial(cid: Uint8Array): void {
    this.ids.set(0, { cid, token: this.ids.get(0)?.token });
  }

  /** The reset token of sequence number 0, from the server's stateless_reset_token transport parameter. */
  setInitialToken(token: Uint8Array): void {
    const id = this.ids.get(0);
    if (id !== undefined) id.token = token;
    if (this.currentSeq === 0) this.usedTokens.push(token);
  }

  /** Tokens of the IDs we have used (RFC 9000 §10.3.1: only those may be checked). */
  get resetTokens(): readonly Uint8Array[] {
    return this.usedTokens;
  }

  /**
   * NEW_CONNECTION_ID from the peer (RFC 9000 §19.15): a zero-length current ID or a sequence number reused with
   * different contents is PROTOCOL_VIOLATION; more active IDs than our limit is CONNECTION_ID_LIMIT_ERROR.
   */
  onNewConnectionId(f: NewConnectionIdFrame): void {
    const frameType = FrameType.NEW_CONNECTION_ID;
    if (this.current.length === 0) {
      throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'NEW_CONNECTION_ID from a peer using zero-length connection IDs', { frameType });
    }
    const known = this.ids.get(f.sequenceNumber);
    if (known !== undefined) {
      if (!equalBytes(known.cid, f.connectionId) || (known.token !== undefined && !equalBytes(known.token, f.statelessResetToken))) {
        throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, `sequence number ${f.sequenceNumber} reused for another connection ID`, { frameType });
      }
      return;
    }
    for (const id of this.ids.values()) {
      if (equalBytes(id.cid, f.connectionId)) {
        throw new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, 'connection ID issued twice with different sequence numbers', { frameType });
      }
    }
    if (f.sequenceNumber < this.retiredBelow) {
      this.retirePending.add(f.sequenceNumber);
    } else {
      // copies, in one buffer (a view — a node Buffer's slice() is one too — would keep the whole packet alive)
      const n = f.connectionId.length;
      const both = new Uint8Array(n + f.statelessResetToken.length);
      both.set(f.connectionId);
      both.set(f.statelessResetToken, n);
      this.ids.set(f.sequenceNumber, { cid: both.subarray(0, n), token: both.subarray(n) });
    }
    if (f.retirePriorTo > this.retiredBelow) {
      this.retiredBelow = f.retirePriorTo;
      for (const seq of [...this.ids.keys()]) {
        if (seq < f.retirePriorTo) {
          this.ids.delete(seq);
          this.retirePending.add(seq);
        }
      }
      if (!this.ids.has(this.currentSeq)) this.switchCurrent();
    }
    if (this.ids.size > this.localLimit) {
      throw new QuicError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, `peer issued more than ${this.localLimit} active connection IDs`, { frameType });
    }
    if (this.retirePending.size > 4 * this.localLimit + 8) {
      throw new QuicError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, 'too many connection IDs retired at once', { frameType });
    }
  }

  private switchCurrent(): void {
    let best: number | undefined;
    for (const seq of this.ids.keys()) if (best === undefined || seq < best) best = seq;
    /* c8 ignore next -- the frame that retires the current ID is itself a new active ID */
    if (best === undefined) return;
    this.currentSeq = best;
    const token = this.ids.get(best)!.token;
    if (token !== undefined) this.usedTokens.push(token);
  }

  /** True when RETIRE_CONNECTION_ID frames wait to be sent. */
  get hasPending(): boolean {
    return this.retirePending.size > 0;
  }

  /** The next sequence number to retire, or undefined. */
  pollRetire(): number | undefined {
    for (const seq of this.retirePending) {
      this.retirePending.delete(seq);
      return seq;
    }
    return undefined;
  }

  /** A RETIRE_CONNECTION_ID frame was lost: send it again. */
  onRetireLost(seq: number): void {
    this.retirePending.add(seq);
  }
}
