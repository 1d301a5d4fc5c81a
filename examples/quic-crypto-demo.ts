/**
 * quic-crypto demo: derives the RFC 9001 client Initial keys for DCID 0x8394c8f03e515708, protects the RFC's
 * client Initial CRYPTO frame (ClientHello) into the 1200-byte packet, checks it byte for byte against RFC 9001
 * Appendix A.2, unprotects it again and prints what happened.
 * Run: node --conditions=source --import tsx examples/quic-crypto-demo.ts
 */
import { readFileSync } from 'node:fs';
import { INITIAL_CIPHER_SUITE, PacketProtector, QuicVersion, initialKeys, initialSecret } from '@quichs/quic-crypto';

/** The RFC 9001 Appendix A vectors, as copied into this repository. */
interface Rfc9001Vectors {
  readonly client_initial: {
    readonly crypto_frame: string;
    readonly unprotected_header: string;
    readonly payload_length_with_padding: number;
    readonly packet_number: number;
    readonly protected_packet: string;
  };
}

const fixture = new URL('../packages/quic-crypto/test/fixtures/vectors-rfc9001.json', import.meta.url);
const vectors = JSON.parse(readFileSync(fixture, 'utf8')) as Rfc9001Vectors;
const ci = vectors.client_initial;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

// 1. Initial secrets and keys from the client's first Destination Connection ID (RFC 9001 §5.2).
const dcid = bytes('8394c8f03e515708');
const secret = initialSecret(QuicVersion.V1, dcid);
const keys = initialKeys(QuicVersion.V1, dcid);
console.log('QUIC v1 Initial keys for DCID', hex(dcid));
console.log('  initial_secret        ', hex(secret));
console.log('  client_initial_secret ', hex(keys.client.secret));
console.log('  client key / iv / hp  ', hex(keys.client.key), hex(keys.client.iv), hex(keys.client.hp));
console.log('  server_initial_secret ', hex(keys.server.secret));

// 2. The unprotected header (long header, Initial, packet number 2 in 4 bytes, Length 1182) and the payload:
//    the CRYPTO frame carrying the ClientHello, padded with PADDING frames to 1162 bytes.
const header = bytes(ci.unprotected_header);
const pnOffset = header.length - 4;
const payload = new Uint8Array(ci.payload_length_with_padding);
payload.set(bytes(ci.crypto_frame));
console.log('\nunprotected header     ', hex(header), `(packet number offset ${pnOffset})`);
console.log('payload                ', `${ci.crypto_frame.length / 2}-byte CRYPTO frame + ${payload.length - ci.crypto_frame.length / 2} bytes of PADDING`);

// 3. Protect: AES-128-GCM over the payload with the header as AAD, then AES-ECB header protection.
const client = new PacketProtector(INITIAL_CIPHER_SUITE, keys.client);
const packet = client.protect(header, payload, pnOffset, ci.packet_number);
console.log('\nprotected packet       ', `${packet.length} bytes`);
console.log('  protected header     ', hex(packet.subarray(0, header.length)));
console.log('  first payload bytes  ', hex(packet.subarray(header.length, header.length + 16)), '…');
console.log('  last bytes (tag)     ', hex(packet.subarray(packet.length - 16)));
const matches = hex(packet) === ci.protected_packet;
console.log(matches ? '  ✔ matches RFC 9001 Appendix A.2' : '  ✘ does NOT match RFC 9001 Appendix A.2');

// 4. Unprotect it the way the server would.
const server = new PacketProtector(INITIAL_CIPHER_SUITE, keys.client);
const opened = server.unprotect(packet, pnOffset, -1);
const roundTrip = hex(opened.payload) === hex(payload) && hex(opened.header) === hex(header);
console.log('\nunprotected again: packet number', opened.packetNumber, `(${opened.pnLength}-byte field),`, `${opened.payload.length}-byte payload`);
console.log('  header', hex(opened.header));
console.log('  CRYPTO frame type 0x' + opened.payload[0].toString(16).padStart(2, '0') + ', ClientHello handshake type', opened.payload[4]);
console.log(roundTrip ? '  ✔ payload and header round-trip' : '  ✘ round trip failed');

if (!matches || !roundTrip) process.exitCode = 1;
