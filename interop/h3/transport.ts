/**
 * The transport contract an {@link H3Session} needs, and the loop that carries out its actions. A QUIC connection
 * adapter implements {@link H3Transport} in a few lines (stream writes, RESET_STREAM, STOP_SENDING, application
 * CONNECTION_CLOSE) and calls the session's `receive*` methods from its stream events.
 */
import type { H3Action, H3Session } from './session.js';

/** What an HTTP/3 session asks of the QUIC connection below it. */
export interface H3Transport {
  /** Appends bytes to a stream (opening it if it is a new locally-initiated stream); `fin` ends the stream. */
  write(streamId: number, data: Uint8Array, fin: boolean): void;
  /** Abruptly ends our sending side (RESET_STREAM) with an HTTP/3 error code. */
  resetStream(streamId: number, code: number): void;
  /** Asks the peer to stop sending on a stream (STOP_SENDING) with an HTTP/3 error code. */
  stopSending(streamId: number, code: number): void;
  /** Closes the connection with an application error (CONNECTION_CLOSE type 0x1d). */
  close(code: number, reason: string): void;
}

/** Performs one action on the transport. */
export function applyH3Action(action: H3Action, transport: H3Transport): void {
  switch (action.type) {
    case 'write':
      transport.write(action.streamId, action.data, action.fin);
      return;
    case 'resetStream':
      transport.resetStream(action.streamId, action.code);
      return;
    case 'stopSending':
      transport.stopSending(action.streamId, action.code);
      return;
    case 'close':
      transport.close(action.code, action.reason);
      return;
  }
}

/** Drains the session's pending actions into the transport, in order; returns how many were applied. */
export function flushH3Actions(session: H3Session, transport: H3Transport): number {
  const actions = session.pollActions();
  for (const a of actions) applyH3Action(a, transport);
  return actions.length;
}
