/**
 * Opening streams under the peer's stream limit. The transport throws QuicError(STREAM_LIMIT_ERROR) when the
 * peer's MAX_STREAMS is reached (and before the handshake, when no limit is known yet); the application then waits
 * for the 'streamsAvailable' or 'handshake' event and tries again.
 */
import { QuicError, TransportErrorCode, type QuicConnection, type QuicStreamDuplex } from '@quichs/quic-transport';

/** Longest wait between two attempts while the stream limit is reached (ms). */
const RETRY_MS = 20;

/**
 * Resolves on the next event after which a stream may be opened: the peer raised MAX_STREAMS, the handshake
 * completed (the peer's transport parameters arrived), the connection closed — or after {@link RETRY_MS}.
 */
export function streamsMayBeAvailable(conn: QuicConnection): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const ev of EVENTS) conn.off(ev, done);
      resolve();
    };
    const timer = setTimeout(done, RETRY_MS);
    for (const ev of EVENTS) conn.on(ev, done);
  });
}

const EVENTS = ['streamsAvailable', 'handshake', 'close'] as const;

/** Calls `open` until it stops failing with STREAM_LIMIT_ERROR, the connection closes, or `deadline` passes. */
export async function whenStreamAllowed<T>(conn: QuicConnection, open: () => T, deadline = performance.now() + 60_000): Promise<T> {
  for (;;) {
    if (conn.closed) throw conn.closeError ?? new QuicError(TransportErrorCode.NO_ERROR, 'connection closed');
    try {
      return open();
    } catch (e) {
      if (!(e instanceof QuicError) || e.code !== TransportErrorCode.STREAM_LIMIT_ERROR) throw e;
    }
    if (performance.now() > deadline) throw new QuicError(TransportErrorCode.STREAM_LIMIT_ERROR, 'the peer never raised its stream limit');
    await streamsMayBeAvailable(conn);
  }
}

/** Opens a bidirectional stream once the peer's limit allows it. */
export function openBidiStream(conn: QuicConnection): Promise<QuicStreamDuplex> {
  return whenStreamAllowed(conn, () => conn.openStream({ bidirectional: true }));
}
