/**
 * Writes a relay trace as a classic pcap file (LINKTYPE_IPV4: raw IPv4 + UDP headers around each datagram), so a
 * failed case can be opened in Wireshark together with its key log (Edit › Preferences › TLS › (Pre)-Master-Secret
 * log filename). Dropped datagrams are included and marked by an IPv4 TTL of 0.
 */
import { writeFileSync } from 'node:fs';
import type { RelayedDatagram } from './relay.js';

const LINKTYPE_IPV4 = 228;

function ipv4(address: string): number[] {
  const parts = address.split('.').map((p) => Number(p));
  return parts.length === 4 && parts.every((p) => p >= 0 && p <= 255) ? parts : [127, 0, 0, 1];
}

function ipChecksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i] << 8) | h[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Builds the pcap bytes; `relayPort` is the address the client sent to. */
export function pcapOf(datagrams: readonly RelayedDatagram[], relayPort: number): Buffer {
  const chunks: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(LINKTYPE_IPV4, 20);
  chunks.push(header);
  const epoch = Date.now() / 1000;
  for (const d of datagrams) {
    const client = { ip: ipv4(d.client.address), port: d.client.port };
    const relay = { ip: [127, 0, 0, 1], port: relayPort };
    const [src, dst] = d.dir === 'c2s' ? [client, relay] : [relay, client];
    const ip = Buffer.alloc(20);
    const total = 20 + 8 + d.data.length;
    ip[0] = 0x45;
    ip.writeUInt16BE(total, 2);
    ip[8] = d.dropped ? 0 : 64;
    ip[9] = 17;
    Buffer.from(src.ip).copy(ip, 12);
    Buffer.from(dst.ip).copy(ip, 16);
    ip.writeUInt16BE(ipChecksum(ip), 10);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(src.port, 0);
    udp.writeUInt16BE(dst.port, 2);
    udp.writeUInt16BE(8 + d.data.length, 4);
    const rec = Buffer.alloc(16);
    const ts = epoch + d.t / 1000;
    rec.writeUInt32LE(Math.floor(ts), 0);
    rec.writeUInt32LE(Math.floor((ts % 1) * 1e6), 4);
    rec.writeUInt32LE(total, 8);
    rec.writeUInt32LE(total, 12);
    chunks.push(rec, ip, udp, d.data);
  }
  return Buffer.concat(chunks);
}

/** Writes {@link pcapOf} to `file`. */
export function writePcap(file: string, datagrams: readonly RelayedDatagram[], relayPort: number): void {
  writeFileSync(file, pcapOf(datagrams, relayPort));
}
