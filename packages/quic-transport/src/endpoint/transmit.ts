/** Addresses and outgoing datagrams as the endpoint layer sees them (sans-IO). */

/** A UDP peer address. */
export interface RemoteAddress {
  /** IP address text (IPv4 dotted, or IPv6). */
  address: string;
  /** UDP port. */
  port: number;
}

/** A datagram to send. */
export interface Transmit {
  /** Datagram bytes (one UDP payload, possibly several coalesced QUIC packets). */
  datagram: Uint8Array;
  /** Destination. */
  remote: RemoteAddress;
}
