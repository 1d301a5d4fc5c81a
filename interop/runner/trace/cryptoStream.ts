/**
 * One direction of one encryption level's CRYPTO stream, as an observer sees it: frames arrive out of order,
 * overlapping and duplicated (retransmissions, and the relay records dropped copies too); in-order bytes become
 * TLS handshake messages.
 */
import { HandshakeReassembler, type HandshakeMessage } from '@quichs/tls-hs';

/** Reassembles CRYPTO frames into handshake messages. */
export class ObservedCryptoStream {
  private next = 0;
  private readonly pending = new Map<number, Uint8Array>();
  private readonly messages = new HandshakeReassembler({ maxMessageSize: 1 << 20 });
  /** Set when the bytes could not be framed as handshake messages. */
  error: string | undefined;

  /** Adds a CRYPTO frame's data at `offset`; returns the handshake messages completed by it. */
  push(offset: number, data: Uint8Array): HandshakeMessage[] {
    if (this.error !== undefined) return [];
    const end = offset + data.length;
    if (end <= this.next || data.length === 0) return [];
    const prev = this.pending.get(offset);
    if (prev === undefined || prev.length < data.length) this.pending.set(offset, data);
    const out: HandshakeMessage[] = [];
    for (;;) {
      let progressed = false;
      for (const [off, bytes] of this.pending) {
        if (off > this.next) continue;
        this.pending.delete(off);
        const e = off + bytes.length;
        if (e <= this.next) continue;
        const fresh = bytes.subarray(this.next - off);
        this.next = e;
        try {
          out.push(...this.messages.push(fresh));
        } catch (err) {
          this.error = err instanceof Error ? err.message : String(err);
          return out;
        }
        progressed = true;
      }
      if (!progressed) return out;
    }
  }
}
