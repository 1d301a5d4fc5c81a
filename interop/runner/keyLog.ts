/**
 * NSS key log files (the SSLKEYLOGFILE format: `LABEL <client_random hex> <secret hex>` per line), read back so
 * the trace analyzer can decrypt what the endpoints sent, as Wireshark does with quic-interop-runner's pcaps.
 */
import { readFileSync } from 'node:fs';

/** Secrets by client random (hex) and label (CLIENT_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0, …). */
export type KeyLog = Map<string, Map<string, Uint8Array>>;

/** Parses key log text; comments, blank and malformed lines are skipped. */
export function parseKeyLog(text: string, into: KeyLog = new Map()): KeyLog {
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+) ([0-9a-fA-F]{64}) ([0-9a-fA-F]+)\s*$/.exec(line.trim());
    if (!m) continue;
    const random = m[2].toLowerCase();
    let entry = into.get(random);
    if (!entry) {
      entry = new Map();
      into.set(random, entry);
    }
    entry.set(m[1], Uint8Array.from(Buffer.from(m[3], 'hex')));
  }
  return into;
}

/** Reads and merges key log files; missing files are ignored. */
export function readKeyLogs(files: readonly string[]): KeyLog {
  const log: KeyLog = new Map();
  for (const f of files) {
    try {
      parseKeyLog(readFileSync(f, 'utf8'), log);
    } catch {
      // an endpoint that wrote no key log
    }
  }
  return log;
}
