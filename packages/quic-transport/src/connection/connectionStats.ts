/** Counters of one connection, reported by `Connection.stats()`. */

/** What a connection counts. Times in ms, sizes in bytes. */
export interface ConnectionStats {
  /** Smoothed RTT. */
  smoothedRtt: number;
  /** Minimum RTT (0 before the first sample). */
  minRtt: number;
  /** Latest RTT sample. */
  latestRtt: number;
  /** Congestion window. */
  congestionWindow: number;
  /** Bytes in flight. */
  bytesInFlight: number;
  /** UDP datagrams sent. */
  datagramsSent: number;
  /** UDP datagrams received. */
  datagramsReceived: number;
  /** UDP payload bytes sent. */
  bytesSent: number;
  /** UDP payload bytes received. */
  bytesReceived: number;
  /** QUIC packets sent. */
  packetsSent: number;
  /** QUIC packets received and processed. */
  packetsReceived: number;
  /** Packets declared lost. */
  packetsLost: number;
  /** Received packets dropped (undecryptable, duplicate, malformed, wrong state). */
  packetsDropped: number;
  /** Probe timeouts that fired. */
  ptoCount: number;
  /** 1-RTT key updates (write side). */
  keyUpdates: number;
  /** Stream bytes sent (new data, not retransmissions). */
  streamBytesSent: number;
  /** Stream bytes received (in order, delivered to the application). */
  streamBytesReceived: number;
  /** Index signature, so the stats fit the Node layer's open-ended counters. */
  [key: string]: number;
}

/** A zeroed stats record. */
export function emptyConnectionStats(): ConnectionStats {
  return {
    smoothedRtt: 0,
    minRtt: 0,
    latestRtt: 0,
    congestionWindow: 0,
    bytesInFlight: 0,
    datagramsSent: 0,
    datagramsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    packetsSent: 0,
    packetsReceived: 0,
    packetsLost: 0,
    packetsDropped: 0,
    ptoCount: 0,
    keyUpdates: 0,
    streamBytesSent: 0,
    streamBytesReceived: 0,
  };
}
