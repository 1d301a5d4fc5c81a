/**
 * Reuse of sent datagrams' buffers. Large datagrams (64 KB on loopback) are otherwise a fresh allocation each, and
 * fresh memory costs page faults and garbage-collection work on every packet. The packet builder takes a buffer of
 * its capacity for every datagram that fills more than half of it; whoever sends the datagram may hand it back with
 * {@link recycleDatagram} once the bytes are no longer needed (the UDP Endpoint does so in the socket's send
 * callback). Datagrams never handed back are simply garbage collected, so sans-IO users need not care. A buffer
 * goes back to the pool at most once per loan; arrays the pool did not lend are ignored.
 */

/** Buffers kept per capacity. */
const POOL_LIMIT = 32;

const free = new Map<number, Uint8Array[]>();
/** Buffers out on loan (their whole view by backing store). */
const lent = new WeakMap<ArrayBufferLike, Uint8Array>();

/** A buffer of exactly `capacity` bytes (contents undefined) for a datagram; from the pool when one is free. */
export function takeDatagramBuffer(capacity: number): Uint8Array {
  const buf = free.get(capacity)?.pop() ?? new Uint8Array(capacity);
  lent.set(buf.buffer, buf);
  return buf;
}

/**
 * Gives the buffer of a datagram returned by `Connection.send()` back for reuse. Call only when nothing reads the
 * datagram any more (after the socket sent it); the connection itself never keeps a reference to one it lent.
 */
export function recycleDatagram(datagram: Uint8Array): void {
  const buf = lent.get(datagram.buffer);
  if (buf === undefined) return;
  lent.delete(datagram.buffer);
  let list = free.get(buf.length);
  if (list === undefined) {
    list = [];
    free.set(buf.length, list);
  }
  if (list.length < POOL_LIMIT) list.push(buf);
}
