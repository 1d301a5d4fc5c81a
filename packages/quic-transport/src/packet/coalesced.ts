/**
 * Coalesced packets (RFC 9000 §12.2): a datagram may hold several long header packets, each delimited by its
 * Length field, optionally followed by one short header packet that takes the rest.
 */
import type { PacketDrop, PacketHeader, ParseHeaderOptions } from './packetHeader.js';
import { parsePacketHeader } from './packetHeader.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Splits a datagram into packet headers. Stops after a packet that takes the rest of the datagram (short header,
 * Retry, Version Negotiation, unknown version) or at the first unparseable packet, which is reported as a drop
 * (the rest of the datagram cannot be delimited). A later packet whose DCID differs from the first packet's is
 * reported as a 'dcid_mismatch' drop and skipped (RFC 9000 §12.2: receivers SHOULD ignore it).
 */
export function splitCoalescedPackets(datagram: Uint8Array, options: ParseHeaderOptions): (PacketHeader | PacketDrop)[] {
  const out: (PacketHeader | PacketDrop)[] = [];
  let offset = 0;
  let firstDcid: Uint8Array | undefined;
  while (offset < datagram.length) {
    const h = parsePacketHeader(datagram, offset, options);
    if (h.kind === 'drop') {
      out.push(h);
      break;
    }
    if (firstDcid === undefined) {
      firstDcid = h.dcid;
      out.push(h);
    } else if (sameBytes(firstDcid, h.dcid)) {
      out.push(h);
    } else {
      out.push({ kind: 'drop', reason: 'dcid_mismatch', start: h.start });
    }
    offset = h.end;
  }
  return out;
}
