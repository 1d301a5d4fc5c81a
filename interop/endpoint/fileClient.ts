/**
 * What the client cases need from one connection, whatever the application protocol (hq-interop or HTTP/3).
 */
import type { QuicConnection } from '@quichs/quic-transport';

/** Downloads files over one QUIC connection. */
export interface FileClient {
  /** The connection. */
  readonly conn: QuicConnection;
  /** Fetches `url` into the downloads directory; resolves with the number of body bytes. */
  fetch(url: URL): Promise<number>;
  /** Ends the connection gracefully. */
  finish(): Promise<void>;
}
