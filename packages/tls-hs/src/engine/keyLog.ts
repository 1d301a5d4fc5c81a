/**
 * NSS key log lines (the SSLKEYLOGFILE format understood by Wireshark): `LABEL <client_random hex> <secret hex>`.
 */

/** The TLS 1.3 key log labels. */
export type KeyLogLabel =
  | 'CLIENT_EARLY_TRAFFIC_SECRET'
  | 'EARLY_EXPORTER_SECRET'
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'EXPORTER_SECRET';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes. */
export function toHexString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** One key log line (without newline). */
export function keyLogLine(label: KeyLogLabel, clientRandom: Uint8Array, secret: Uint8Array): string {
  return `${label} ${toHexString(clientRandom)} ${toHexString(secret)}`;
}
